/**
 * The opt-in workbench layers of `glue-mock-daemon`, put around the faithful daemon's `handle()`.
 * With no option on, `applyWorkbench` returns the server itself: the default is Go's behaviour.
 */
import type { ReferenceServer } from '../server.js';
import { corsHandler } from './cors.js';
import { inspectionHandler } from './inspection.js';
import { createLogSink, type LogFormat } from './log-sink.js';
import { requestLogHandler } from './request-log.js';
import { strictHandler } from './strict.js';

export { parseCorsOrigin } from './cors.js';
export { INSPECTION_PATH, type ReceivedRequest } from './inspection.js';
export type { LogFormat } from './log-sink.js';

export interface WorkbenchOptions {
  token: string;
  /** Whether the daemon serves the session lookup (so routes match as it matches them). */
  sessions?: boolean;
  maxBodyBytes?: number;
  /** `--strict`: refuse requests the spec does not allow, with violations. */
  strict?: boolean;
  /** `--log-requests`: one line per request (status, duration; event streams summarised). */
  logRequests?: boolean;
  /** `--log-format`: human lines (default) or one JSON object per line. */
  logFormat?: LogFormat;
  /** `--inspect-requests`: serve `GET`/`DELETE /__glue/requests` (the token is required). */
  inspectRequests?: boolean;
  /** `--cors`: origins (or `*`) whose pages may call the daemon; preflights answered without a token. */
  cors?: readonly string[];
  /** Where layers write their lines; the token is redacted and control bytes escaped before. */
  log?: (line: string) => void;
}

type Handle = ReferenceServer['handle'];

export function applyWorkbench<S extends ReferenceServer>(server: S, options: WorkbenchOptions): S {
  if (!options.strict && !options.logRequests && !options.inspectRequests && !options.cors?.length) return server;
  const sink = createLogSink({ token: options.token, format: options.logFormat, write: options.log ?? (() => undefined) });
  // Innermost first: strict refusals are recorded and logged like any other answer.
  let handle: Handle = (request) => server.handle(request);
  if (options.strict) {
    handle = strictHandler(handle, {
      token: options.token,
      sessions: options.sessions,
      maxBodyBytes: options.maxBodyBytes,
      report: (record, pretty) => sink.emit('strict', record, pretty),
    });
  }
  if (options.inspectRequests) handle = inspectionHandler(handle, { token: options.token });
  if (options.logRequests) handle = requestLogHandler(handle, sink);
  // Outermost: a preflight never reaches auth, and every answer (logged ones too) gets the headers.
  if (options.cors?.length) handle = corsHandler(handle, options.cors);
  return withHandle(server, handle);
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
