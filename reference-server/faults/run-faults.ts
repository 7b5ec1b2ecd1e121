/**
 * Run, cancel, decision and grant faults that a rewrite of one request or response can express.
 * Faults that need the daemon's inner state (timers, grant matching) are hooks in the core instead.
 */
import {
  errorOf,
  goJsonResponse,
  isRecord,
  isRoute,
  jsonBodyOf,
  rewriteJson,
  routeOf,
  withHeaders,
  withJsonBody,
  type MiddlewareFactory,
} from './middleware.js';

export const runFaults: Readonly<Record<string, MiddlewareFactory>> = {
  'cancel-status-200': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'cancelRun') || response.status !== 202) return response;
    return rewriteJson(response, (body) => body, 200);
  },
  'decision-any-client': () => (request, next) =>
    // The ownership header is dropped before the daemon sees it, so any client may decide.
    next(isRoute(request, 'permissionDecision') ? withHeaders(request, (headers) => headers.delete('X-Glue-Client-ID')) : request),
  'decision-repeat-accepted': () => async (request, next) => {
    // A decision for a request that is no longer pending (answered, expired, unknown) is "accepted".
    const response = await next(request);
    const route = routeOf(request);
    if (route?.name !== 'permissionDecision' || response.status !== 404) return response;
    const error = errorOf(await response.clone().json().catch(() => undefined));
    if (error?.['message'] !== 'permission request not found') return response;
    return goJsonResponse(200, { permission_id: route.params[1], accepted: true });
  },
  'grant-delete-unknown-204': () => async (request, next) => {
    // Deleting an unknown grant "succeeds", as an idempotent REST delete would.
    const response = await next(request);
    if (!isRoute(request, 'permissionForget') || response.status !== 404) return response;
    return new Response(null, { status: 204 });
  },
  'cancel-unknown-run-202': () => async (request, next) => {
    const response = await next(request);
    const route = routeOf(request);
    if (route?.name !== 'cancelRun' || request.method !== 'DELETE' || response.status !== 404) return response;
    return goJsonResponse(202, { canceled: true, run_id: route.params[0] });
  },
  'run-start-200': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'startRun') || response.status !== 201) return response;
    return rewriteJson(response, (body) => body, 200);
  },
  'run-id-reused': () => {
    // The answer to every later run of a session carries the session's first run id, as a daemon
    // keying runs by session would; the client then follows the first run's events.
    const firstRun = new Map<string, string>();
    return async (request, next) => {
      const response = await next(request);
      const session = routeOf(request)?.params[0];
      if (!isRoute(request, 'startRun') || session === undefined || response.status !== 201) return response;
      return rewriteJson(response, (body) => {
        if (!isRecord(body) || typeof body['run_id'] !== 'string') return body;
        const first = firstRun.get(session);
        if (first === undefined) {
          firstRun.set(session, body['run_id']);
          return body;
        }
        return { ...body, run_id: first, events_url: `/v1/runs/${encodeURIComponent(first)}/events` };
      });
    };
  },
  'events-unknown-run-stream': () => async (request, next) => {
    // An unknown run gets an empty event stream instead of the 404 envelope.
    const response = await next(request);
    if (!isRoute(request, 'runEvents') || response.status !== 404) return response;
    return new Response('', { status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } });
  },
  'run-session-id-raw': () => async (request, next) => {
    // The answer echoes the session id as it was written in the path, still percent-encoded.
    const response = await next(request);
    if (!isRoute(request, 'startRun') || response.status !== 201) return response;
    const raw = /^\/v1\/sessions\/(.+)\/runs$/.exec(new URL(request.url).pathname)?.[1];
    return rewriteJson(response, (body) => (isRecord(body) && raw !== undefined ? { ...body, session_id: raw } : body));
  },
  'decision-allow-ignored': () => async (request, next) => {
    // Every decision reaches the daemon as a denial.
    if (!isRoute(request, 'permissionDecision')) return next(request);
    const body = await jsonBodyOf(request);
    return next(body && body['allow'] === true ? withJsonBody(request, { ...body, allow: false }) : request);
  },
  'remember-never-stored': () => async (request, next) => {
    // `remember_for: never` is stored as a session grant.
    if (!isRoute(request, 'permissionDecision')) return next(request);
    const body = await jsonBodyOf(request);
    return next(body && body['remember_for'] === 'never' ? withJsonBody(request, { ...body, remember_for: 'session' }) : request);
  },
  'session-grant-as-forever': () => async (request, next) => {
    // A `session` grant is stored as `forever`, so it follows the client into other sessions.
    if (!isRoute(request, 'permissionDecision')) return next(request);
    const body = await jsonBodyOf(request);
    return next(body && body['remember_for'] === 'session' ? withJsonBody(request, { ...body, remember_for: 'forever' }) : request);
  },
  'grant-delete-ignored': () => async (request, next) => {
    // DELETE answers 200 with the grant, but the grant stays in force.
    const route = routeOf(request);
    if (route?.name !== 'permissionForget' || request.method !== 'DELETE') return next(request);
    const list = await next(new Request(new URL('/v1/permissions', request.url), { headers: request.headers }));
    if (list.status !== 200) return next(request);
    const body: unknown = await list.json().catch(() => undefined);
    const grants = isRecord(body) && Array.isArray(body['permissions']) ? body['permissions'] : [];
    const grant: unknown = grants.find((entry) => isRecord(entry) && entry['id'] === route.params[0]);
    return grant === undefined ? next(request) : goJsonResponse(200, { permission: grant });
  },
};
