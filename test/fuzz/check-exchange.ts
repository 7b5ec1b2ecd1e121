/**
 * What a daemon may answer to a hostile request: a well-formed error envelope, or a success that
 * validates against the spec (JSON body, or an SSE stream of valid envelopes). Never the token,
 * never an exception turned into a 500.
 */
import { matchOperation, validateEvent, validateResponse, validateSchema } from '../../src/protocol/index.js';
import type { FuzzRequest } from './arbitraries.js';
import { parseResponse, type ParsedResponse, type RawExchange } from './raw-http.js';

/** Statuses the transport gives any request: timeout, body too large, busy, headers too large, bad Expect. */
const TRANSPORT_STATUSES = new Set([408, 413, 417, 429, 431]);

/**
 * Answers given before any route is chosen, so to any path: an unparsable request and a route this
 * daemon does not serve (the optional session lookup without its capability).
 */
const BEFORE_ROUTING = new Set([
  'malformed HTTP request',
  'route not found',
  // Go's net/http refuses these before any handler runs (the mock answers them with the envelope).
  'too many Host headers',
  'missing required Host header',
  'malformed Host header',
]);

/** Go's net/http answer to a malformed percent-escape in the path, before the daemon runs (and the mock's, byte for byte). */
function isMalformedTargetAnswer(response: ParsedResponse, contentType: string): boolean {
  return response.status === 400 && contentType === 'text/plain; charset=utf-8' && response.body.toString('latin1') === '400 Bad Request';
}

export interface Verdict {
  problems: string[];
  responses: number;
  statuses: number[];
}

/** Checks every response the server wrote on one connection. */
export function checkExchange(request: FuzzRequest, exchange: RawExchange, token: string): Verdict {
  const problems: string[] = [];
  const statuses: number[] = [];
  if (exchange.raw.includes(token)) problems.push('the token appears in the response bytes');
  if (exchange.timedOut) problems.push('no end of the exchange within the bound (hang)');
  let rest = exchange.raw;
  let index = 0;
  while (rest.length > 0) {
    const head = index === 0 && request.method === 'HEAD';
    let response = parseResponse(rest, head);
    // A request too broken to parse is answered with a body even if it said HEAD: the server could not know.
    if (head && response && response.status === 400 && response.rest.length > 0) response = parseResponse(rest);
    if (!response) {
      problems.push(`response ${index + 1} is not a complete HTTP response: ${JSON.stringify(rest.subarray(0, 200).toString('latin1'))}`);
      break;
    }
    if (response.status >= 100 && response.status < 200) {
      // An interim answer (100 Continue); the real one follows.
      rest = response.rest;
      continue;
    }
    statuses.push(response.status);
    // Only the first response answers the request as written; later ones answer leftover bytes.
    problems.push(...checkResponse(index === 0 ? request : undefined, response).map((p) => `response ${index + 1} (${response.status}): ${p}`));
    rest = response.rest;
    index += 1;
  }
  return { problems, responses: index, statuses };
}

function checkResponse(request: FuzzRequest | undefined, response: ParsedResponse): string[] {
  const contentType = response.headers.get('content-type')?.[0] ?? '';
  if (request?.method === 'HEAD' && response.body.length === 0) return response.status < 500 ? [] : [`HEAD answered ${response.status}`];
  if (contentType === 'text/event-stream') return checkStream(request, response);
  if (response.status === 204 || response.status === 304) return [];
  if (isMalformedTargetAnswer(response, contentType)) return [];
  if (!/^application\/json\b/.test(contentType)) return [`Content-Type ${JSON.stringify(contentType)}, expected application/json`];
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    return [`body is not JSON: ${JSON.stringify(response.body.subarray(0, 200).toString('latin1'))}`];
  }
  if (response.status >= 400) {
    const envelope = validateSchema('ErrorEnvelope', body);
    if (!envelope.ok) return [`not an error envelope: ${envelope.errors.join('; ')} in ${JSON.stringify(body).slice(0, 200)}`];
    const message = (body as { error: { message: string } }).error.message;
    // serveNode's catch-all: the handler threw. That is a crash as far as the client can tell.
    if (response.status === 500 && message === 'internal server error') return ['the handler threw (500 internal server error)'];
    // An error on a known operation must be one the spec documents for it (transport-level
    // refusals — unparsable request, timeout, body too large, busy, header too large — apply to
    // every operation).
    const transport = TRANSPORT_STATUSES.has(response.status) || BEFORE_ROUTING.has(message);
    const operation = request && !transport ? operationOf(request) : undefined;
    if (operation) {
      const valid = validateResponse(operation.operationId, response.status, body);
      if (!valid.ok) return [`${operation.operationId} ${response.status}: ${valid.errors.join('; ')}`];
    }
    return [];
  }
  if (response.status >= 200 && response.status < 300) {
    const operation = request ? operationOf(request) : undefined;
    if (!operation) return [`success ${response.status} for a request no operation matches (${request?.method} ${request?.target})`];
    const valid = validateResponse(operation.operationId, response.status, body);
    return valid.ok ? [] : [`${operation.operationId} ${response.status} body invalid: ${valid.errors.join('; ')}`];
  }
  return [`unexpected status ${response.status}`];
}

function checkStream(request: FuzzRequest | undefined, response: ParsedResponse): string[] {
  if (response.status !== 200) return [`SSE with status ${response.status}`];
  if (request && operationOf(request)?.operationId !== 'streamRunEvents') return [`SSE for ${request.method} ${request.target}`];
  const problems: string[] = [];
  const text = response.body.toString('utf8');
  for (const block of text.split('\n\n')) {
    if (block === '') continue;
    const data = block.split('\n').find((line) => line.startsWith('data: '));
    if (!data) {
      problems.push(`SSE block without data: ${JSON.stringify(block.slice(0, 100))}`);
      continue;
    }
    let envelope: unknown;
    try {
      envelope = JSON.parse(data.slice(6));
    } catch {
      problems.push('SSE data is not JSON');
      continue;
    }
    const valid = validateEvent(envelope);
    if (!valid.ok) problems.push(`invalid event: ${valid.errors.join('; ')}`);
  }
  return problems;
}

/**
 * The operation a request names. An absolute-form target (`http://host/v1/status`) names its
 * path; Go routes on the decoded path, so `/v1/%73tatus` is status: match the raw path first (its
 * id segments may hold an encoded `#`, `?` or `/`), then the decoded one.
 */
function operationOf(request: FuzzRequest): ReturnType<typeof matchOperation> {
  const path = (request.target.replace(/^https?:\/\/[^/]*/i, '') || '/').replace(/[?#].*$/s, '');
  const raw = matchOperation(request.method, path);
  if (raw) return raw;
  try {
    return matchOperation(request.method, decodeURIComponent(path));
  } catch {
    return undefined;
  }
}
