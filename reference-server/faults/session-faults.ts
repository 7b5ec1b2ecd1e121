/**
 * Session lookup faults (ADR-0010 §9, capability `sessions`): answers of GET /v1/sessions,
 * /v1/sessions/{id} and /v1/sessions/{id}/messages that break one rule each. They show on a
 * host that keeps sessions; without the capability those routes are Go's 404 anyway.
 */
import { rawPathAndQuery } from '../raw-target.js';
import { decodedPath, matchRoute, type RouteMatch } from '../routes.js';
import { errorOf, goJsonResponse, isRecord, rewriteJson, withUrl, type MiddlewareFactory } from './middleware.js';

/** The lookup routes exist only on a daemon with sessions, so `routeOf` (Go's table) never names them. */
function routeOf(request: Request): RouteMatch | undefined {
  const url = new URL(request.url);
  const path = decodedPath(rawPathAndQuery(request, url).path);
  return path === undefined ? undefined : matchRoute(path, { sessions: true });
}

function isRoute(request: Request, name: RouteMatch['name']): boolean {
  const route = routeOf(request);
  return route !== undefined && route.name === name && route.method === request.method;
}

const sessionNotFound = (): Response => goJsonResponse(404, { error: { code: 'not_found', message: 'session not found', retryable: false } });

export const sessionFaults: Readonly<Record<string, MiddlewareFactory>> = {
  'sessions-null': () => async (request, next) => {
    // An empty result is sent as null, as a nil Go slice would be.
    const response = await next(request);
    if (!isRoute(request, 'sessions') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['sessions']) && body['sessions'].length === 0 ? { ...body, sessions: null } : body,
    );
  },
  'session-get-not-found': () => async (request, next) => {
    // Sessions are listed and their transcripts served, but the single lookup never finds one.
    const response = await next(request);
    if (!isRoute(request, 'sessionGet') || response.status !== 200) return response;
    return sessionNotFound();
  },
  'session-messages-dropped': () => async (request, next) => {
    // The transcript keeps the user messages only: the replies and tool results are lost.
    const response = await next(request);
    if (!isRoute(request, 'sessionMessages') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['messages'])
        ? { ...body, messages: body['messages'].filter((message) => isRecord(message) && message['role'] === 'user') }
        : body,
    );
  },
  'session-unknown-200': () => async (request, next) => {
    // An unknown session looks like an empty one instead of 404.
    const response = await next(request);
    const route = routeOf(request);
    if (response.status !== 404 || route?.method !== request.method) return response;
    const error = errorOf(await response.clone().json().catch(() => undefined));
    if (error?.['message'] !== 'session not found') return response;
    const id = route.params[0] ?? '';
    if (route.name === 'sessionGet') return goJsonResponse(200, { id });
    if (route.name === 'sessionMessages') return goJsonResponse(200, { session_id: id, messages: [] });
    return response;
  },
  'sessions-limit-ignored': () => (request, next) => {
    // A valid positive limit never reaches the daemon; invalid ones still get their 400.
    if (!isRoute(request, 'sessions')) return next(request);
    const url = new URL(request.url);
    const limit = url.searchParams.get('limit');
    if (limit === null || !/^[0-9]+$/.test(limit) || Number(limit) === 0) return next(request);
    url.searchParams.delete('limit');
    return next(withUrl(request, url));
  },
  'sessions-limit-negative-accepted': () => async (request, next) => {
    // An invalid limit is treated as "no limit" instead of a 400.
    const response = await next(request);
    if (!isRoute(request, 'sessions') || response.status !== 400) return response;
    const url = new URL(request.url);
    url.searchParams.delete('limit');
    return next(withUrl(request, url));
  },
};
