/**
 * Every JSON answer of the daemon: Go's `writeJSON` (compact JSON + `\n`, `Content-Type:
 * application/json` and no other header) and `writeError` (the one error envelope).
 */
import type { ErrorCode, ErrorEnvelope } from '../src/protocol/types.js';
import { encodeGoJson } from './go-json.js';

export function jsonResponse(status: number, value: unknown): Response {
  return new Response(encodeGoJson(value) + '\n', {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

export function errorResponse(status: number, code: ErrorCode, message: string, retryable = false): Response {
  const envelope: ErrorEnvelope = { error: { code, message, retryable } };
  return jsonResponse(status, envelope);
}

/** The messages the Go daemon uses, kept in one place so handlers and tests agree. */
export const messages = {
  unauthorized: 'missing or invalid bearer token',
  methodNotAllowed: 'method not allowed',
  routeNotFound: 'route not found',
  runNotFound: 'run not found',
  permissionNotFound: 'permission request not found',
  grantNotFound: 'permission grant not found',
  invalidJson: 'invalid JSON body',
  bodyTooLarge: 'request body too large',
  shuttingDown: 'daemon is shutting down',
  tooManyRuns: 'too many active runs',
  tooManyStreams: 'too many open event streams',
} as const;

/**
 * Beyond Go (which takes up to its 1 MiB header limit): ids reach every event and grant, so the
 * request target and the client id header are capped, with the usual envelope.
 */
export const targetTooLong = (max: number): Response =>
  errorResponse(414, 'invalid_request', `request target too long (more than ${max} bytes)`);
export const clientIdTooLong = (max: number): Response =>
  errorResponse(431, 'invalid_request', `X-Glue-Client-ID header too large (more than ${max} bytes)`);

export const methodNotAllowed = (): Response => errorResponse(405, 'method_not_allowed', messages.methodNotAllowed);
export const routeNotFound = (): Response => errorResponse(404, 'not_found', messages.routeNotFound);
export const invalidJson = (): Response => errorResponse(400, 'invalid_request', messages.invalidJson);
/** Beyond Go (which reads any size): bodies over the cap get 413 with the usual envelope. */
export const bodyTooLarge = (): Response => errorResponse(413, 'invalid_request', messages.bodyTooLarge);
/**
 * Beyond Go: the daemon's own limits. The spec's ErrorCode enum (from the ADR) has no
 * `unavailable`, and an unknown code would fail every client's schema check, so these use the
 * ADR's `conflict` ("not possible in the daemon's current state") with `retryable: true`, the one
 * retryable error: 429 for too many runs or streams, 503 while shutting down.
 */
export const tooBusy = (message: string): Response => errorResponse(429, 'conflict', message, true);
export const shuttingDown = (): Response => errorResponse(503, 'conflict', messages.shuttingDown, true);

/**
 * Go's net/http answer to a request target with a malformed percent-escape (`/v1/%zz`): plain text,
 * before auth and routing, and the connection is closed (the node adapter writes these exact bytes).
 */
export const malformedTargetBody = '400 Bad Request';
export const malformedRequestTarget = (): Response =>
  new Response(malformedTargetBody, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' } });
