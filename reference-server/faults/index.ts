/**
 * Fault-injected reference daemons, for proving that the conformance suite catches broken
 * daemons. `createFaultyServer` is `createReferenceServer` with named faults switched on:
 * hooks inside the core where a fault needs the daemon's state, middleware around `handle()`
 * for the rest. The catalogue (`listFaults()`) says which checks each fault must fail.
 */
import { createReferenceServer } from '../file-backed-server.js';
import type { ReferenceServer, ReferenceServerOptions } from '../server.js';
import { FAULTS, type FaultDefinition } from './catalogue.js';
import { selectFaults } from './select.js';
import { wrapServer } from './wrap-server.js';

export type { FaultArea, FaultDefinition } from './catalogue.js';
export { UnknownFaultError } from './select.js';

export type FaultyServerOptions = Omit<ReferenceServerOptions, 'faults'> & { faults: readonly string[] };

/** The whole catalogue, in a stable order. */
export function listFaults(): readonly FaultDefinition[] {
  return FAULTS;
}

/** A reference daemon with `options.faults` switched on; throws `UnknownFaultError` for an unknown name. */
export function createFaultyServer(options: FaultyServerOptions): ReferenceServer {
  const { faults, ...rest } = options;
  // The daemon trims its token; auth faults must compare against the same value.
  const selected = selectFaults(faults, { token: options.token.trim() });
  const server = createReferenceServer({ ...rest, faults: selected.internal });
  return wrapServer(server, selected.middlewares);
}
