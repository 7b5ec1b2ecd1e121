/**
 * Faults that rewrite one HTTP request or response: auth, status, catalogs, validation, cancel
 * and decision routing. Each breaks exactly one rule of the Go daemon's observed behaviour
 * (see /work/shared/reference-captures/README.md); the catalogue says which.
 */
import { createAuthorizer, trimHeaderValue } from '../auth.js';
import {
  errorOf,
  goJsonResponse,
  isJson,
  isRecord,
  isRoute,
  rewriteJson,
  routeOf,
  jsonBodyOf,
  withHeaders,
  withJsonBody,
  withUrl,
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

export const httpFaults: Readonly<Record<string, MiddlewareFactory>> = {
  // --- auth -------------------------------------------------------------------------------------
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
        ? Promise.resolve(goJsonResponse(404, { error: { code: 'not_found', message: 'route not found', retryable: false } }))
        : next(request);
  },

  // --- status and capabilities -----------------------------------------------------------------
  'capability-missing': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'status') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['capabilities'])
        ? { ...body, capabilities: body['capabilities'].filter((name) => name !== 'events') }
        : body,
    );
  },
  'capability-route-404': () => async (request, next) => {
    // `memories` stays advertised, but its route is gone.
    if (isRoute(request, 'memories')) {
      const response = await next(request);
      if (response.status !== 200) return response;
      return goJsonResponse(404, { error: { code: 'not_found', message: 'route not found', retryable: false } });
    }
    return next(request);
  },
  'status-wrong-version': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'status') || response.status !== 200) return response;
    return rewriteJson(response, (body) => (isRecord(body) ? { ...body, version: 2 } : body));
  },

  // --- catalogs ----------------------------------------------------------------------------------
  'catalog-null': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'skills') || response.status !== 200) return response;
    return rewriteJson(response, (body) => (isRecord(body) ? { ...body, skills: null } : body));
  },
  'catalog-missing-field': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'tools') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['tools'])
        ? { ...body, tools: body['tools'].map((tool) => (isRecord(tool) ? withoutKey(tool, 'name') : tool)) }
        : body,
    );
  },
  'catalog-wrong-type': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'roles') || response.status !== 200) return response;
    // A role's `name` sent as a one-element array instead of a string.
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['roles'])
        ? { ...body, roles: body['roles'].map((role) => (isRecord(role) ? { ...role, name: [role['name']] } : role)) }
        : body,
    );
  },
  'memories-limit-ignored': () => (request, next) => {
    // A valid positive limit never reaches the daemon; invalid ones still get their 400.
    if (!isRoute(request, 'memories')) return next(request);
    const url = new URL(request.url);
    const limit = url.searchParams.get('limit');
    if (limit === null || !/^[0-9]+$/.test(limit) || Number(limit) === 0) return next(request);
    url.searchParams.delete('limit');
    return next(withUrl(request, url));
  },

  // --- validation and error envelopes ---------------------------------------------------------------
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
    return goJsonResponse(404, { error: { code: 'not_found', message: 'route not found', retryable: false } });
  },

  // --- runs, cancel, decisions -----------------------------------------------------------------------
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
  'run-start-strict-fields': () => async (request, next) => {
    // Unknown top-level fields are refused instead of ignored.
    if (!isRoute(request, 'startRun')) return next(request);
    const body = await jsonBodyOf(request);
    const unknown = body ? Object.keys(body).filter((key) => !RUN_START_FIELDS.has(key)) : [];
    if (unknown.length === 0) return next(request);
    return goJsonResponse(400, { error: { code: 'invalid_request', message: `unknown field "${unknown[0] ?? ''}"`, retryable: false } });
  },
  'events-unknown-run-stream': () => async (request, next) => {
    // An unknown run gets an empty event stream instead of the 404 envelope.
    const response = await next(request);
    if (!isRoute(request, 'runEvents') || response.status !== 404) return response;
    return new Response('', { status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } });
  },
  'diagnostics-leaks-token': (context) => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'diagnostics') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && isRecord(body['runtime']) ? { ...body, runtime: { ...body['runtime'], token: context.token } } : body,
    );
  },
  'status-tools-count-wrong': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'status') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && typeof body['tools_count'] === 'number' ? { ...body, tools_count: body['tools_count'] + 1 } : body,
    );
  },
  'capability-unknown-name': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'status') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['capabilities']) ? { ...body, capabilities: [...body['capabilities'], 'telepathy'] } : body,
    );
  },
  'run-session-id-raw': () => async (request, next) => {
    // The answer echoes the session id as it was written in the path, still percent-encoded.
    const response = await next(request);
    if (!isRoute(request, 'startRun') || response.status !== 201) return response;
    const raw = /^\/v1\/sessions\/(.+)\/runs$/.exec(new URL(request.url).pathname)?.[1];
    return rewriteJson(response, (body) => (isRecord(body) && raw !== undefined ? { ...body, session_id: raw } : body));
  },
  'status-active-runs-zero': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'status') || response.status !== 200) return response;
    return rewriteJson(response, (body) => (isRecord(body) ? { ...body, active_runs: 0 } : body));
  },
  'diagnostics-missing-runtime': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'diagnostics') || response.status !== 200) return response;
    return rewriteJson(response, (body) => (isRecord(body) ? withoutKey(body, 'runtime') : body));
  },
  'grants-null': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'permissions') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['permissions']) && body['permissions'].length === 0 ? { ...body, permissions: null } : body,
    );
  },
  'recall-hits-null': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'recall') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['hits']) && body['hits'].length === 0 ? { ...body, hits: null } : body,
    );
  },
  'session-lookup-exposed': () => async (request, next) => {
    // The ADR-0010 §10 lookup answers although the daemon does not advertise `sessions`.
    const response = await next(request);
    const id = /^\/v1\/sessions\/([^/]+)$/.exec(new URL(request.url).pathname)?.[1];
    if (request.method !== 'GET' || id === undefined || response.status !== 404) return response;
    return goJsonResponse(200, { session: { id: decodeURIComponent(id) } });
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
  'capability-missing-grants': () => async (request, next) => {
    // `permission_grants` is the daemon's own capability: it is advertised on every host.
    const response = await next(request);
    if (!isRoute(request, 'status') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['capabilities'])
        ? { ...body, capabilities: body['capabilities'].filter((name) => name !== 'permission_grants') }
        : body,
    );
  },
  'catalog-empty-404': () => async (request, next) => {
    // A catalog the host does not implement answers 404 instead of an empty list.
    const response = await next(request);
    const route = routeOf(request);
    if (route === undefined || !CATALOG_ROUTES.has(route.name) || response.status !== 200) return response;
    const body: unknown = await response.clone().json().catch(() => undefined);
    const lists = isRecord(body) ? Object.values(body).filter(Array.isArray) : [];
    if (lists.length !== 1 || lists[0]?.length !== 0) return response;
    return goJsonResponse(404, { error: { code: 'not_found', message: 'route not found', retryable: false } });
  },
  'action-unsupported-200': () => async (request, next) => {
    // A host without recall answers an empty result instead of 404.
    const response = await next(request);
    if (!isRoute(request, 'recall') || response.status !== 404) return response;
    return goJsonResponse(200, { hits: [] });
  },
  'mcp-resource-missing-uri': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'mcpResources') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['resources'])
        ? { ...body, resources: body['resources'].map((entry) => (isRecord(entry) ? withoutKey(entry, 'uri') : entry)) }
        : body,
    );
  },
  'mcp-prompt-missing-server': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'mcpPrompts') || response.status !== 200) return response;
    return rewriteJson(response, (body) =>
      isRecord(body) && Array.isArray(body['prompts'])
        ? { ...body, prompts: body['prompts'].map((entry) => (isRecord(entry) ? withoutKey(entry, 'server') : entry)) }
        : body,
    );
  },
  'mcp-read-contents-null': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'mcpResourceRead') || response.status !== 200) return response;
    return rewriteJson(response, (body) => (isRecord(body) ? { ...body, contents: null } : body));
  },
  'mcp-prompt-messages-null': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'mcpPromptGet') || response.status !== 200) return response;
    return rewriteJson(response, (body) => (isRecord(body) ? { ...body, messages: null } : body));
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

const CATALOG_ROUTES: ReadonlySet<string> = new Set(['tools', 'skills', 'roles', 'memories', 'mcpResources', 'mcpPrompts']);

/** Top-level fields of RunStartRequest in the spec; `run-start-strict-fields` refuses any other. */
const RUN_START_FIELDS: ReadonlySet<string> = new Set(['text', 'skill', 'arguments', 'client_id', 'role', 'model', 'max_turns', 'options', 'run_id']);

function withoutKey(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}
