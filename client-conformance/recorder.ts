/**
 * Records every request a client sends to a case daemon (outermost middleware) or to the
 * redirect trap: method, raw path, headers, body, and the body checked against the spec's
 * request schema for the operations that take one. The 201 answers it sees give the case its
 * facts (run ids, the events_url the client was told to use).
 */
import type { Middleware } from '../reference-server/faults/middleware.js';
import { routeOf } from '../reference-server/faults/middleware.js';
import { readTextCapped } from '../src/protocol/read-capped.js';
import { validateSchema } from '../src/protocol/validator.js';
import type { SchemaName } from '../src/protocol/types.js';
import type { CaseFacts, RecordedRequest } from './types.js';

const MAX_BODY_BYTES = 64 * 1024;
/** A client that loops on requests must not grow the record without bound. */
const MAX_REQUESTS = 500;

const BODY_SCHEMAS: Partial<Record<string, SchemaName>> = {
  startRun: 'RunStartRequest',
  permissionDecision: 'PermissionDecisionRequest',
};

function rawPath(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

async function record(request: Request, at: RecordedRequest['at'], startedAt: number): Promise<RecordedRequest> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  // A copy of the body, read under a cap (the daemon reads the original under its own).
  const body = request.body === null ? '' : ((await readTextCapped(request.clone().body, MAX_BODY_BYTES).catch(() => '')) ?? `(body over ${MAX_BODY_BYTES} bytes, not recorded)`);
  const entry: RecordedRequest = { method: request.method, path: rawPath(request.url), headers, body, at, atMs: Date.now() - startedAt };
  const route = at === 'daemon' ? routeOf(request) : undefined;
  const schema = route && route.method === request.method ? BODY_SCHEMAS[route.name] : undefined;
  if (schema !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      entry.bodyProblems = [`body is not JSON: ${JSON.stringify(body.slice(0, 80))}`];
      return entry;
    }
    const result = validateSchema(schema, parsed);
    if (!result.ok) entry.bodyProblems = result.errors.map((e) => `${schema}${e}`);
  }
  return entry;
}

export interface Recording {
  requests: RecordedRequest[];
  /** Called on every new request (the interrupt watcher listens). */
  onRequest?: () => void;
  /** Set when the case deadline fires: later requests are stamped `afterDeadline`. */
  deadlinePassed?: boolean;
}

export function recorderMiddleware(recording: Recording, facts: CaseFacts, at: RecordedRequest['at'], startedAt: number): Middleware {
  return async (request, next) => {
    // Stamped on arrival, before the body is read: a request sent before the deadline counts as sent before it.
    const afterDeadline = recording.deadlinePassed === true;
    const entry = await record(request, at, startedAt);
    if (afterDeadline) entry.afterDeadline = true;
    if (recording.requests.length < MAX_REQUESTS) recording.requests.push(entry);
    recording.onRequest?.();
    const response = await next(request);
    entry.status = response.status;
    const route = routeOf(request);
    if (at === 'daemon' && route?.name === 'startRun' && response.status === 201) {
      const body: unknown = await response.clone().json().catch(() => undefined);
      if (typeof body === 'object' && body !== null) {
        const { run_id: runId, events_url: eventsUrl } = body as Record<string, unknown>;
        if (typeof runId === 'string') facts.runIds.push(runId);
        if (typeof eventsUrl === 'string') facts.eventsUrls.push(eventsUrl);
      }
    }
    return response;
  };
}
