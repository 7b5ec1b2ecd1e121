/**
 * Every JSON answer of the daemon: Go's `writeJSON` (compact JSON + `\n`, `Content-Type:
 * application/json` and no other header) and `writeError` (the one error envelope), as the core's
 * own `DaemonResponse` (see exchange.ts); `jsonResponse`/`errorResponse` are the same answers as
 * web `Response`s, for the layers that wrap `handle()`.
 */
import type { ErrorCode, ErrorEnvelope } from '../src/protocol/types.js';
import type { BodyResponse, HeaderPairs } from './exchange.js';
import { encodeGoJson } from './go-json.js';

const jsonHeaders: HeaderPairs = [['Content-Type', 'application/json']];

export function jsonReply(status: number, value: unknown): BodyResponse {
  return { status, headers: jsonHeaders, body: encodeGoJson(value) + '\n' };
}

export function errorReply(status: number, code: ErrorCode, message: string, retryable = false): BodyResponse {
  const envelope: ErrorEnvelope = { error: { code, message, retryable } };
  return jsonReply(status, envelope);
}

export function jsonResponse(status: number, value: unknown): Response {
  return new Response(encodeGoJson(value) + '\n', { status, headers: { 'Content-Type': 'application/json' } });
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
export const targetTooLong = (max: number): BodyResponse =>
  errorReply(414, 'invalid_request', `request target too long (more than ${max} bytes)`);
export const clientIdTooLong = (max: number): BodyResponse =>
  errorReply(431, 'invalid_request', `X-Glue-Client-ID header too large (more than ${max} bytes)`);

/** Answers that never change are encoded once: replies are immutable, so every request can share one. */
const unauthorizedReply = errorReply(401, 'unauthorized', messages.unauthorized);
const methodNotAllowedReply = errorReply(405, 'method_not_allowed', messages.methodNotAllowed);
const routeNotFoundReply = errorReply(404, 'not_found', messages.routeNotFound);
const healthReply = jsonReply(200, { ok: true, version: 1 });

export const unauthorized = (): BodyResponse => unauthorizedReply;
export const methodNotAllowed = (): BodyResponse => methodNotAllowedReply;
export const routeNotFound = (): BodyResponse => routeNotFoundReply;
export const healthy = (): BodyResponse => healthReply;
export const invalidJson = (): BodyResponse => errorReply(400, 'invalid_request', messages.invalidJson);
/** Beyond Go (which reads any size): bodies over the cap get 413 with the usual envelope. */
export const bodyTooLarge = (): BodyResponse => errorReply(413, 'invalid_request', messages.bodyTooLarge);
/**
 * Beyond Go: the daemon's own limits. The spec's ErrorCode enum (from the ADR) has no
 * `unavailable`, and an unknown code would fail every client's schema check, so these use the
 * ADR's `conflict` ("not possible in the daemon's current state") with `retryable: true`, the one
 * retryable error: 429 for too many runs or streams, 503 while shutting down.
 */
export const tooBusy = (message: string): BodyResponse => errorReply(429, 'conflict', message, true);
export const shuttingDown = (): BodyResponse => errorReply(503, 'conflict', messages.shuttingDown, true);

/**
 * Go's net/http answer to a request target with a malformed percent-escape (`/v1/%zz`): plain text,
 * before auth and routing, and the connection is closed (the node adapter writes these exact bytes).
 */
export const malformedTargetBody = '400 Bad Request';
const malformedTargetHeaders: HeaderPairs = [
  ['Connection', 'close'],
  ['Content-Type', 'text/plain; charset=utf-8'],
];
export const malformedRequestTarget = (): BodyResponse => ({ status: 400, headers: malformedTargetHeaders, body: malformedTargetBody });
