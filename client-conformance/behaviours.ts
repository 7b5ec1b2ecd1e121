/**
 * Case behaviours that are a rewrite of one request or one answer, as middleware over the
 * reference server (the daemon faults' helpers build the answers the way the daemon writes them).
 */
import { goJsonResponse, isRoute, routeOf, rewriteJson, type Middleware } from '../reference-server/faults/middleware.js';
import type { RouteMatch } from '../reference-server/routes.js';
import type { CaseDaemonContext } from './types.js';

type RouteName = RouteMatch['name'];

export const envelope = (code: string, message: string, retryable = false): unknown => ({ error: { code, message, retryable } });

/** Answers every request for `route` (with its method) itself, without the daemon. */
export function answer(route: RouteName, status: number, body: unknown, contentType?: string): Middleware {
  return async (request, next) => {
    if (!isRoute(request, route)) return next(request);
    if (contentType !== undefined) return new Response(String(body), { status, headers: { 'Content-Type': contentType } });
    return goJsonResponse(status, body);
  };
}

/** Answers `route` with a 307 to the same path on the trap (another loopback port). */
export function redirectToTrap(route: RouteName): (context: CaseDaemonContext) => Middleware[] {
  return (context) => [
    async (request, next) => {
      if (!isRoute(request, route)) return next(request);
      const url = new URL(request.url);
      return new Response(null, { status: 307, headers: { Location: `${context.trapUrl}${url.pathname}${url.search}` } });
    },
  ];
}

/** Where the moved stream of a run lives: not the default `/v1/runs/{id}/events`. */
export const movedEventsPath = (runId: string): string => `/v1/moved/${encodeURIComponent(runId)}/stream?case=1`;
const MOVED = /^\/v1\/moved\/([^/]+)\/stream$/;

/**
 * The 201 answer names a non-default events path; GET on it serves the run's stream, and the
 * default path answers 404 as an unknown route, so only a client that reads events_url gets events.
 */
export function moveEvents(): Middleware {
  return async (request, next) => {
    const url = new URL(request.url);
    const moved = MOVED.exec(url.pathname);
    if (moved && request.method === 'GET') {
      const real = new URL(`/v1/runs/${moved[1] ?? ''}/events`, url);
      return next(new Request(real, request));
    }
    if (routeOf(request)?.name === 'runEvents') return goJsonResponse(404, envelope('not_found', 'route not found'));
    const response = await next(request);
    if (!isRoute(request, 'startRun') || response.status !== 201) return response;
    return rewriteJson(response, (body) => {
      const record = body as Record<string, unknown>;
      return { ...record, events_url: movedEventsPath(String(record['run_id'])) };
    });
  };
}
