/**
 * The opt-in workbench layers of `glue-mock-daemon`, put around the faithful daemon's `handle()`.
 * With no option on, `applyWorkbench` returns the server itself: the default is Go's behaviour.
 */
import type { ReferenceServer } from '../server.js';
import { strictHandler } from './strict.js';

export interface WorkbenchOptions {
  token: string;
  /** Whether the daemon serves the session lookup (so routes match as it matches them). */
  sessions?: boolean;
  maxBodyBytes?: number;
  /** `--strict`: refuse requests the spec does not allow, with violations. */
  strict?: boolean;
  /** Where layers write their lines (the CLI: stderr, control bytes escaped). */
  log?: (line: string) => void;
}

type Handle = ReferenceServer['handle'];

export function applyWorkbench<S extends ReferenceServer>(server: S, options: WorkbenchOptions): S {
  let handle: Handle = (request) => server.handle(request);
  let changed = false;
  if (options.strict) {
    handle = strictHandler(handle, { token: options.token, sessions: options.sessions, maxBodyBytes: options.maxBodyBytes, log: options.log });
    changed = true;
  }
  return changed ? withHandle(server, handle) : server;
}

/** The same server object with another `handle` (every other member bound to the original). */
function withHandle<S extends ReferenceServer>(server: S, handle: Handle): S {
  return new Proxy(server, {
    get(target, property) {
      if (property === 'handle') return handle;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
