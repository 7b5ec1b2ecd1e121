/**
 * Turns fault names into what the daemon needs: internal hook names for the core, and the
 * middleware chain for the rest. Unknown names are refused with the list of valid ones.
 */
import { INTERNAL_FAULTS } from '../internal-faults.js';
import { FAULTS, type FaultDefinition } from './catalogue.js';
import { authFaults } from './auth-faults.js';
import { catalogFaults } from './catalog-faults.js';
import { errorFaults } from './error-faults.js';
import type { FaultContext, Middleware, MiddlewareFactory } from './middleware.js';
import { runFaults } from './run-faults.js';
import { sessionFaults } from './session-faults.js';
import { sseFaults } from './sse-faults.js';

export const middlewareFaults: Readonly<Record<string, MiddlewareFactory>> = { ...authFaults, ...catalogFaults, ...errorFaults, ...runFaults, ...sessionFaults, ...sseFaults };

export interface SelectedFaults {
  /** Hook names for `ReferenceServerOptions.faults`. */
  internal: ReadonlySet<string>;
  /** Outermost first. */
  middlewares: Middleware[];
}

export class UnknownFaultError extends Error {
  constructor(readonly unknown: readonly string[]) {
    super(
      `Failed to create a faulty daemon: unknown fault${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')}. ` +
        `Valid faults: ${FAULTS.map((fault) => fault.name).join(', ')}.`,
    );
    this.name = 'UnknownFaultError';
  }
}

export function findFault(name: string): FaultDefinition | undefined {
  return FAULTS.find((fault) => fault.name === name);
}

export function selectFaults(names: readonly string[], context: FaultContext): SelectedFaults {
  const unique = [...new Set(names)];
  const unknown = unique.filter((name) => findFault(name) === undefined);
  if (unknown.length > 0) throw new UnknownFaultError(unknown);
  const internal = new Set<string>();
  const middlewares: Middleware[] = [];
  for (const name of unique) {
    const fault = findFault(name);
    if (fault?.via === 'internal') {
      if (!(name in INTERNAL_FAULTS)) throw new Error(`Failed to create a faulty daemon: fault "${name}" has no hook in the daemon core.`);
      internal.add(name);
      continue;
    }
    const factory = middlewareFaults[name];
    if (!factory) throw new Error(`Failed to create a faulty daemon: fault "${name}" has no middleware.`);
    middlewares.push(factory(context));
  }
  return { internal, middlewares };
}
