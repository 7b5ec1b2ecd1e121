/**
 * Request validation and routing faults: the wrong status, code or envelope for a request the
 * daemon must refuse, or a refusal of a request it must accept.
 */
import {
  errorOf,
  goJsonResponse,
  isJson,
  isRoute,
  jsonBodyOf,
  rewriteJson,
  routeNotFound,
  withUrl,
  type MiddlewareFactory,
} from './middleware.js';

/** Top-level fields of RunStartRequest in the spec; `run-start-strict-fields` refuses any other. */
const RUN_START_FIELDS: ReadonlySet<string> = new Set(['text', 'skill', 'arguments', 'client_id', 'role', 'model', 'max_turns', 'options', 'run_id']);

export const errorFaults: Readonly<Record<string, MiddlewareFactory>> = {
  'validation-400-as-500': () => async (request, next) => {
    const response = await next(request);
    if (response.status !== 400) return response;
    return rewriteJson(
      response,
      (body) => {
        const error = errorOf(body);
        return error ? { error: { ...error, code: 'internal' } } : body;
      },
      500,
    );
  },
  'validation-wrong-code': () => async (request, next) => {
    const response = await next(request);
    if (response.status !== 400) return response;
    return rewriteJson(response, (body) => {
      const error = errorOf(body);
      return error ? { error: { ...error, code: 'bad_request' } } : body;
    });
  },
  'error-plain-text': () => async (request, next) => {
    // Errors lose the JSON envelope: the message alone, as text/plain (Go's http.Error style).
    const response = await next(request);
    if (response.status < 400 || !isJson(response)) return response;
    const error = errorOf(await response.clone().json().catch(() => undefined));
    if (!error) return response;
    return new Response(`${String(error['message'])}\n`, {
      status: response.status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
    });
  },
  'method-405-as-404': () => async (request, next) => {
    const response = await next(request);
    if (response.status !== 405) return response;
    return routeNotFound();
  },
  'run-start-strict-fields': () => async (request, next) => {
    // Unknown top-level fields are refused instead of ignored.
    if (!isRoute(request, 'startRun')) return next(request);
    const body = await jsonBodyOf(request);
    const unknown = body ? Object.keys(body).filter((key) => !RUN_START_FIELDS.has(key)) : [];
    if (unknown.length === 0) return next(request);
    return goJsonResponse(400, { error: { code: 'invalid_request', message: `unknown field "${unknown[0] ?? ''}"`, retryable: false } });
  },
  'decision-unknown-run-403': () => async (request, next) => {
    // Ownership is checked before existence, so an unknown run answers 403 instead of 404.
    const response = await next(request);
    if (!isRoute(request, 'permissionDecision') || response.status !== 404) return response;
    const error = errorOf(await response.clone().json().catch(() => undefined));
    if (error?.['message'] !== 'run not found') return response;
    return goJsonResponse(403, { error: { code: 'forbidden', message: 'permission decision belongs to another client', retryable: false } });
  },
  'session-id-slash-accepted': () => (request, next) => {
    // An encoded `/` in the session segment survives routing, so `a%2Fb` becomes session `a/b`.
    const url = new URL(request.url);
    const match = /^\/v1\/sessions\/(.*%2[fF].*)\/runs$/.exec(url.pathname);
    if (!match?.[1]) return next(request);
    url.pathname = `/v1/sessions/${match[1].replace(/%2[fF]/g, '%252F')}/runs`;
    return next(withUrl(request, url));
  },
  'route-trailing-slash': () => (request, next) => {
    // `/v1/status/` is served as `/v1/status` instead of 404.
    const url = new URL(request.url);
    if (url.pathname.length <= 1 || !url.pathname.endsWith('/')) return next(request);
    url.pathname = url.pathname.replace(/\/+$/, '');
    return next(withUrl(request, url));
  },
};
