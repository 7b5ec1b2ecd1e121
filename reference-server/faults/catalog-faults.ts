/**
 * Status, capability and catalog faults: response bodies that break one rule of the shapes and
 * the capability honesty of ADR-0010 (status, diagnostics, catalogs, MCP and recall results).
 */
import {
  goJsonResponse,
  isRecord,
  isRoute,
  rewriteJson,
  routeNotFound,
  routeOf,
  withoutKey,
  withUrl,
  type MiddlewareFactory,
} from './middleware.js';

const CATALOG_ROUTES: ReadonlySet<string> = new Set(['tools', 'skills', 'roles', 'memories', 'mcpResources', 'mcpPrompts']);

export const catalogFaults: Readonly<Record<string, MiddlewareFactory>> = {
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
      return routeNotFound();
    }
    return next(request);
  },
  'status-wrong-version': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'status') || response.status !== 200) return response;
    return rewriteJson(response, (body) => (isRecord(body) ? { ...body, version: 2 } : body));
  },
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
  'status-active-runs-zero': () => async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'status') || response.status !== 200) return response;
    return rewriteJson(response, (body) => (isRecord(body) ? { ...body, active_runs: 0 } : body));
  },
  'status-active-runs-never-decrement': () => {
    // Counts every run ever started, as a daemon would that forgets to decrement when a run ends.
    let started = 0;
    return async (request, next) => {
      const response = await next(request);
      if (isRoute(request, 'startRun') && response.status === 201) started++;
      if (!isRoute(request, 'status') || response.status !== 200) return response;
      return rewriteJson(response, (body) => (isRecord(body) ? { ...body, active_runs: started } : body));
    };
  },
  'memories-limit-unchecked-minimal': () => async (request, next) => {
    // A host without memories answers the empty list before looking at `limit`.
    const response = await next(request);
    if (!isRoute(request, 'memories') || response.status !== 400) return response;
    return goJsonResponse(200, { memories: [] });
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
    return routeNotFound();
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
};
