/**
 * Auth faults: a daemon that lets a request through that Go's daemon refuses (a route left open, a
 * loose token comparison, another scheme), or refuses what Go lets through (health).
 * Go's rule: every route but GET /v1/health needs exactly `Authorization: Bearer <token>`,
 * checked before routing and the method.
 */
import { createAuthorizer, trimHeaderValue } from '../auth.js';
import {
  goJsonResponse,
  routeNotFound,
  routeOf,
  withHeaders,
  type FaultContext,
  type Middleware,
  type MiddlewareFactory,
} from './middleware.js';

/** Lets a request through with the right credential when `accept` says the sent one is close enough. */
function loosenAuth(context: FaultContext, accept: (authorization: string, token: string) => boolean): Middleware {
  const authorized = createAuthorizer(context.token);
  return (request, next) => {
    const sent = request.headers.get('authorization');
    if (authorized(request) || sent === null || !accept(trimHeaderValue(sent), context.token)) return next(request);
    return next(withHeaders(request, (headers) => headers.set('Authorization', `Bearer ${context.token}`)));
  };
}

const unauthorized = (): Response =>
  goJsonResponse(401, { error: { code: 'unauthorized', message: 'missing or invalid bearer token', retryable: false } });

const bearerValue = (authorization: string): string | undefined =>
  authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;

export const authFaults: Readonly<Record<string, MiddlewareFactory>> = {
  'auth-route-open': (context) => {
    // One authenticated route (diagnostics: it exposes the daemon's paths) forgets to check the token.
    const authorized = createAuthorizer(context.token);
    return (request, next) =>
      routeOf(request)?.name === 'diagnostics' && !authorized(request)
        ? next(withHeaders(request, (headers) => headers.set('Authorization', `Bearer ${context.token}`)))
        : next(request);
  },
  'auth-wrong-scheme': (context) =>
    // Any scheme word (`bearer`, `Token`, `BEARER`) followed by the right token is accepted.
    loosenAuth(context, (authorization, token) => {
      const match = /^(\S+) +(.*)$/.exec(authorization);
      return match !== null && match[1] !== 'Bearer' && match[2] === token;
    }),
  'auth-token-case-insensitive': (context) =>
    loosenAuth(context, (authorization, token) => bearerValue(authorization)?.toLowerCase() === token.toLowerCase()),
  'auth-token-prefix': (context) =>
    // Compares only as many bytes as the daemon's token has: trailing text after the token passes.
    loosenAuth(context, (authorization, token) => bearerValue(authorization)?.startsWith(token) === true),
  'auth-token-truncated': (context) =>
    // Compares only as many bytes as were sent: any non-empty prefix of the token passes.
    loosenAuth(context, (authorization, token) => {
      const sent = bearerValue(authorization);
      return sent !== undefined && sent !== '' && token.startsWith(sent);
    }),
  'health-requires-auth': (context) => {
    const authorized = createAuthorizer(context.token);
    return (request, next) => (routeOf(request)?.name === 'health' && !authorized(request) ? Promise.resolve(unauthorized()) : next(request));
  },
  'auth-after-routing': (context) => {
    // Routing runs first, so an unknown path without a token answers 404 instead of 401.
    const authorized = createAuthorizer(context.token);
    return (request, next) =>
      routeOf(request) === undefined && !authorized(request)
        ? Promise.resolve(routeNotFound())
        : next(request);
  },
};
