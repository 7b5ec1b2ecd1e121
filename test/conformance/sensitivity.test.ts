/**
 * Every check fails against a daemon that breaks its rule: one hand-made broken daemon per row,
 * named checks run against it, each must fail (not skip, not pass). A check with no row here
 * fails the coverage test, so no check can pass by default.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { allChecks } from '../../conformance/checks/index.js';
import { runSuite } from '../../conformance/runner.js';
import { createRedactor } from '../../src/output/index.js';
import { answer, chain, errorBody, is, rewriteJson, rewriteRequest, rewriteSse, withHeaders, withJsonBody, type SseEvent } from './breakers.js';
import { startDaemon, type TestDaemon, type Wrap } from './support.js';

interface Breaker {
  name: string;
  /** Checks that must fail against this daemon. */
  fails: string[];
  wrap: Wrap;
  minimal?: boolean;
  /** The host keeps sessions (capability `sessions`), for the SESS checks. */
  sessions?: boolean;
}

const RUNS = /^\/v1\/sessions\/[^/]*\/runs$/;
const DECISION = /\/permissions\/[^/]+\/decision$/;
const SESSIONS = /^\/v1\/sessions(\?.*)?$/;
const SESSION = /^\/v1\/sessions\/[^/]+(\/messages)?$/;
const payload = (e: SseEvent): Record<string, unknown> => e.data['payload'] as Record<string, unknown>;
const setPayload = (e: SseEvent, change: (p: Record<string, unknown>) => Record<string, unknown>): SseEvent => ({ ...e, data: { ...e.data, payload: change(payload(e)) } });

/** Decisions with remember_for rewritten from one scope to another. */
const rememberAs = (from: string, to: string | undefined): Wrap =>
  rewriteRequest(async (request) =>
    is('POST', DECISION)(request)
      ? withJsonBody(request, (body) => {
          if (body['remember_for'] !== from) return body;
          const { remember_for: _drop, ...rest } = body;
          return to === undefined ? rest : { ...rest, remember_for: to };
        })
      : request,
  );

/** DELETE /v1/runs/{id} answered 202 without canceling anything. */
const fakeCancel: Wrap = answer(is('DELETE', /^\/v1\/runs\/[^/]+$/), (request) =>
  Response.json({ canceled: true, run_id: decodeURIComponent(new URL(request.url).pathname.split('/')[3] ?? '') }, { status: 202 }),
);

const breakers: Breaker[] = [
  { name: 'health reports version 2', fails: ['HEALTH-001'], wrap: rewriteJson(is('GET', /^\/v1\/health$/), () => ({ body: { ok: true, version: 2 } })) },
  { name: 'health checks the token', fails: ['HEALTH-002'], wrap: answer((r) => is('GET', /^\/v1\/health$/)(r) && r.headers.has('authorization'), () => errorBody(401, 'unauthorized')) },
  {
    name: 'no auth on /v1/tools',
    fails: ['AUTH-001', 'AUTH-002'],
    wrap: rewriteRequest((request, token) => (is('GET', /^\/v1\/tools$/)(request) ? withHeaders(request, (h) => h.set('authorization', `Bearer ${token}`)) : request)),
  },
  {
    name: 'Basic scheme accepted',
    fails: ['AUTH-003'],
    wrap: rewriteRequest((request, token) => (request.headers.get('authorization') === `Basic ${token}` ? withHeaders(request, (h) => h.set('authorization', `Bearer ${token}`)) : request)),
  },
  { name: 'method checked before auth', fails: ['AUTH-004'], wrap: answer(is('POST', /^\/v1\/status$/), () => errorBody(405, 'method_not_allowed')) },
  { name: 'active_runs as a string', fails: ['STATUS-001'], wrap: rewriteJson(is('GET', /^\/v1\/status$/), (body) => ({ body: { ...body, active_runs: '0' } })) },
  {
    name: 'events capability missing',
    fails: ['STATUS-002'],
    wrap: rewriteJson(is('GET', /^\/v1\/status$/), (body) => ({ body: { ...body, capabilities: (body['capabilities'] as string[]).filter((c) => c !== 'events') } })),
  },
  {
    name: 'diagnostics capability missing',
    fails: ['STATUS-003'],
    wrap: rewriteJson(is('GET', /^\/v1\/status$/), (body) => ({ body: { ...body, capabilities: (body['capabilities'] as string[]).filter((c) => c !== 'diagnostics') } })),
  },
  {
    name: 'diagnostics without runtime',
    fails: ['STATUS-004'],
    wrap: rewriteJson(is('GET', /^\/v1\/diagnostics$/), ({ runtime: _runtime, ...rest }) => ({ body: rest })),
  },
  {
    name: 'diagnostics leak the token',
    fails: ['STATUS-005'],
    wrap: (next, token) => rewriteJson(is('GET', /^\/v1\/diagnostics$/), (body) => ({ body: { ...body, runtime: { ...(body['runtime'] as object), token_source: token } } }))(next, token),
  },
  { name: 'tools_count off by one', fails: ['STATUS-006'], wrap: rewriteJson(is('GET', /^\/v1\/status$/), (body) => ({ body: { ...body, tools_count: Number(body['tools_count']) + 1 } })) },
  { name: 'minimal host: /v1/skills answers 404', minimal: true, fails: ['CAP-001'], wrap: answer(is('GET', /^\/v1\/skills$/), () => errorBody(404, 'not_found')) },
  { name: 'minimal host: recall answers 200', minimal: true, fails: ['CAP-002'], wrap: answer(is('POST', /^\/v1\/recall$/), () => Response.json({ hits: [] })) },
  { name: 'roles answers 500', fails: ['CAP-003', 'CAT-003'], wrap: answer(is('GET', /^\/v1\/roles$/), () => errorBody(500, 'internal')) },
  {
    name: 'unknown capability advertised',
    fails: ['CAP-004'],
    wrap: rewriteJson(is('GET', /^\/v1\/status$/), (body) => ({ body: { ...body, capabilities: [...(body['capabilities'] as string[]), 'teleport'] } })),
  },
  { name: 'tools null', fails: ['CAT-001'], wrap: rewriteJson(is('GET', /^\/v1\/tools$/), () => ({ body: { tools: null } })) },
  { name: 'skills entries without name', fails: ['CAT-002'], wrap: rewriteJson(is('GET', /^\/v1\/skills$/), () => ({ body: { skills: [{ description: 'x' }] } })) },
  { name: 'memories null', fails: ['CAT-004'], wrap: rewriteJson(is('GET', /^\/v1\/memories$/), () => ({ body: { memories: null } })) },
  { name: 'resources as an object', fails: ['CAT-005'], wrap: rewriteJson(is('GET', /^\/v1\/mcp\/resources$/), () => ({ body: { resources: {} } })) },
  { name: 'prompts without server', fails: ['CAT-006'], wrap: rewriteJson(is('GET', /^\/v1\/mcp\/prompts$/), () => ({ body: { prompts: [{ name: 'x' }] } })) },
  { name: 'permissions null', fails: ['CAT-007'], wrap: rewriteJson(is('GET', /^\/v1\/permissions$/), () => ({ body: { permissions: null } })) },
  {
    name: 'memories limit ignored',
    fails: ['CAT-008', 'VAL-006'],
    wrap: rewriteRequest((request) => (is('GET', /^\/v1\/memories\?/)(request) ? new Request(request.url.replace(/\?.*$/, ''), { signal: request.signal, headers: request.headers }) : request)),
  },
  { name: 'recall hits null', fails: ['CAT-009'], wrap: rewriteJson(is('POST', /^\/v1\/recall$/), (_body, status) => (status === 200 ? { body: { hits: null } } : undefined)) },
  { name: 'MCP read fails', fails: ['CAT-010'], wrap: answer(is('POST', /^\/v1\/mcp\/resources\/read$/), () => errorBody(500, 'internal')) },
  { name: 'MCP prompt messages null', fails: ['CAT-011'], wrap: rewriteJson(is('POST', /^\/v1\/mcp\/prompts\/get$/), (body, status) => (status === 200 ? { body: { ...body, messages: null } } : undefined)) },
  { name: 'run start 400 as 422', fails: ['VAL-001', 'VAL-002', 'VAL-003'], wrap: rewriteJson(is('POST', RUNS), (body, status) => (status === 400 ? { status: 422, body } : undefined)) },
  { name: 'unknown fields rejected', fails: ['VAL-004'], wrap: answer((r) => is('POST', RUNS)(r) && r.headers.get('content-length') !== '0', async (r) => (/conformance_extra/.test(await r.clone().text()) ? errorBody(400, 'invalid_request') : errorBody(500, 'internal'))) },
  { name: 'wrong method answers 404', fails: ['VAL-005'], wrap: rewriteJson(() => true, (_body, status) => (status === 405 ? { status: 404, body: { error: { code: 'not_found', message: 'route not found', retryable: false } } } : undefined)) },
  { name: 'recall blank query accepted', fails: ['VAL-007'], wrap: rewriteJson(is('POST', /^\/v1\/recall$/), (_body, status) => (status === 400 ? { status: 200, body: { hits: [] } } : undefined)) },
  { name: 'MCP read errors as 404', fails: ['VAL-008'], wrap: rewriteJson(is('POST', /^\/v1\/mcp\/resources\/read$/), (body, status) => (status === 400 ? { status: 404, body } : undefined)) },
  { name: 'MCP prompt error envelope without retryable', fails: ['VAL-009'], wrap: rewriteJson(is('POST', /^\/v1\/mcp\/prompts\/get$/), (body, status) => (status === 400 ? { body: { error: { ...(body['error'] as object), retryable: undefined } } } : undefined)) },
  { name: 'unknown path answers HTML', fails: ['ROUTE-001'], wrap: answer((r) => new URL(r.url).pathname === '/v1/nope', () => new Response('<h1>nope</h1>', { status: 404, headers: { 'content-type': 'text/html' } })) },
  { name: 'trailing slash redirects', fails: ['ROUTE-002'], wrap: answer((r) => new URL(r.url).pathname === '/v1/status/', () => new Response(null, { status: 301, headers: { location: '/v1/status' } })) },
  {
    name: 'unknown run events as an empty stream',
    fails: ['ROUTE-003'],
    wrap: rewriteJson(is('GET', /\/events$/), (_body, status) => (status === 404 ? { status: 200, body: {} } : undefined)),
  },
  { name: 'decision for unknown run answers 400', fails: ['ROUTE-004'], wrap: rewriteJson(is('POST', DECISION), (body, status) => (status === 404 ? { status: 400, body } : undefined)) },
  {
    name: 'empty session id accepted',
    fails: ['ROUTE-005'],
    wrap: rewriteRequest((request) => (new URL(request.url).pathname === '/v1/sessions//runs' ? withHeaders(request, () => undefined, request.url.replace('/sessions//', '/sessions/empty/')) : request)),
  },
  { name: 'session lookup answers 200 without the capability', fails: ['ROUTE-006'], wrap: answer(is('GET', /^\/v1\/sessions\/[^/]+$/), () => Response.json({ id: 'x' })) },
  {
    name: 'absolute events_url',
    fails: ['RUN-001'],
    wrap: rewriteJson(is('POST', RUNS), (body, status) => (status === 201 ? { body: { ...body, events_url: `http://127.0.0.1:1${String(body['events_url'])}` } } : undefined)),
  },
  {
    name: 'session id echoed still encoded',
    fails: ['RUN-002'],
    wrap: rewriteJson(is('POST', RUNS), (body, status, request) => (status === 201 ? { body: { ...body, session_id: new URL(request.url).pathname.split('/')[3] } } : undefined)),
  },
  { name: 'every run gets the same id', fails: ['RUN-003'], wrap: rewriteJson(is('POST', RUNS), (body, status) => (status === 201 ? { body: { ...body, run_id: 'run_same' } } : undefined)) },
  {
    name: 'runs of one session not serialised',
    fails: ['RUN-004'],
    wrap: (() => {
      let n = 0;
      return rewriteRequest((request) => (is('POST', RUNS)(request) ? withHeaders(request, () => undefined, request.url.replace(/\/runs$/, `-${++n}/runs`)) : request));
    })(),
  },
  {
    name: 'provider failure reported as run_done',
    fails: ['RUN-005'],
    wrap: rewriteSse((e) => (e.event === 'run_error' ? [{ ...e, event: 'run_done', data: { ...e.data, type: 'run_done', payload: { text: '' } } }] : [e])),
  },
  { name: 'run_start without client_id', fails: ['RUN-007'], wrap: rewriteSse((e) => [e.event === 'run_start' ? setPayload(e, ({ client_id: _c, ...rest }) => ({ ...rest, client_id: '' })) : e]) },
  { name: 'run_start without skill', fails: ['RUN-008'], wrap: rewriteSse((e) => [e.event === 'run_start' ? setPayload(e, ({ skill: _s, ...rest }) => rest) : e]) },
  { name: 'active_runs always 0', fails: ['RUN-006'], wrap: rewriteJson(is('GET', /^\/v1\/status$/), (body) => ({ body: { ...body, active_runs: 0 } })) },
  { name: 'events as text/plain', fails: ['SSE-001'], wrap: rewriteSse((e) => [e], (h) => h.set('content-type', 'text/plain')) },
  {
    name: 'unknown SSE field',
    fails: ['SSE-002'],
    wrap: (next, token) => async (request) => {
      const response = await rewriteSse((e) => [e])(next, token)(request);
      if (!response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return response;
      const body = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new TransformStream<string, string>({ transform: (t, c) => c.enqueue(t.replace(/^event:/gm, 'flavour: x\nevent:')) })).pipeThrough(new TextEncoderStream());
      return new Response(body, { status: response.status, headers: response.headers });
    },
  },
  { name: 'event name "message"', fails: ['SSE-003'], wrap: rewriteSse((e) => [{ ...e, event: e.event === 'text_delta' ? 'message' : e.event }]) },
  { name: 'text_delta delta as a number', fails: ['SSE-004'], wrap: rewriteSse((e) => [e.event === 'text_delta' ? setPayload(e, (p) => ({ ...p, delta: 5 })) : e]) },
  { name: 'seq gap', fails: ['SSE-005'], wrap: rewriteSse((e) => [(e.data['seq'] as number) > 3 ? { ...e, data: { ...e.data, seq: (e.data['seq'] as number) + 1 } } : e]) },
  { name: 'run_start dropped', fails: ['SSE-006'], wrap: rewriteSse((e) => (e.event === 'run_start' ? [] : [e])) },
  { name: 'terminal event sent twice', fails: ['SSE-007'], wrap: rewriteSse((e) => (e.event === 'run_done' ? [e, e] : [e])) },
  { name: 'wrong run_id in envelopes', fails: ['SSE-008'], wrap: rewriteSse((e) => [{ ...e, data: { ...e.data, run_id: 'run_other' } }]) },
  { name: 'times with +00:00', fails: ['SSE-009'], wrap: rewriteSse((e) => [{ ...e, data: { ...e.data, time: String(e.data['time']).replace(/Z$/, '+00:00') } }]) },
  { name: 'time goes backwards', fails: ['SSE-010'], wrap: rewriteSse((e) => [e.data['seq'] === 3 ? { ...e, data: { ...e.data, time: '2000-01-01T00:00:00Z' } } : e]) },
  { name: 'later connections miss run_start', fails: ['SSE-011', 'SSE-012'], wrap: rewriteSse((e, c) => (c.connection > 0 && c.index === 0 ? [] : [e])) },
  { name: 'no Cache-Control on streams', fails: ['SSE-013'], wrap: rewriteSse((e) => [e], (h) => h.delete('cache-control')) },
  { name: 'loop_start dropped', fails: ['SSE-014'], wrap: rewriteSse((e) => (e.event === 'loop_start' ? [] : [e])) },
  { name: 'cancel answers 200', fails: ['CANCEL-001'], wrap: rewriteJson(is('DELETE', /^\/v1\/runs\/[^/]+$/), (body, status) => (status === 202 ? { status: 200, body } : undefined)) },
  { name: 'cancel does nothing', fails: ['CANCEL-002', 'CANCEL-005'], wrap: fakeCancel },
  { name: 'cancel of an unknown run answers 202', fails: ['CANCEL-003'], wrap: rewriteJson(is('DELETE', /^\/v1\/runs\/[^/]+$/), (_body, status) => (status === 404 ? { status: 202, body: { canceled: true, run_id: 'x' } } : undefined)) },
  {
    name: 'cancel of a finished run answers 404',
    fails: ['CANCEL-004'],
    wrap: (() => {
      const finished = new Set<string>();
      return chain(
        answer((r) => is('DELETE', /^\/v1\/runs\/[^/]+$/)(r) && finished.has(decodeURIComponent(new URL(r.url).pathname.split('/')[3] ?? '')), () => errorBody(404, 'not_found', 'run not found')),
        rewriteSse((e, c) => {
          if (e.event === 'run_done' || e.event === 'run_error') finished.add(c.runId);
          return [e];
        }),
      );
    })(),
  },
  {
    name: 'reader disconnect ignored',
    fails: ['CANCEL-006'],
    wrap: (next) => async (request) => {
      const response = await next(is('GET', /\/events$/)(request) ? new Request(request.url, { headers: request.headers }) : request);
      if (!response.body || !is('GET', /\/events$/)(request)) return response;
      // The reader's cancel stops at this pipe; the daemon's stream is never told.
      const relay = new TransformStream<Uint8Array, Uint8Array>();
      response.body.pipeTo(relay.writable, { preventCancel: true }).catch(() => undefined);
      return new Response(relay.readable, { status: response.status, headers: response.headers });
    },
  },
  { name: 'permission args as a string', fails: ['PERM-001'], wrap: rewriteSse((e) => [e.event === 'permission_request' ? setPayload(e, (p) => ({ ...p, request: { ...(p['request'] as object), args: '{}' } })) : e]) },
  { name: 'expires_at an hour late', fails: ['PERM-002'], wrap: rewriteSse((e) => [e.event === 'permission_request' ? setPayload(e, (p) => ({ ...p, expires_at: new Date(Date.parse(String(p['expires_at'])) + 3_600_000).toISOString() })) : e]) },
  { name: 'decision answers accepted false', fails: ['PERM-003'], wrap: rewriteJson(is('POST', DECISION), (body, status) => (status === 200 ? { body: { ...body, accepted: false } } : undefined)) },
  { name: 'deny reason dropped', fails: ['PERM-004'], wrap: rewriteRequest(async (r) => (is('POST', DECISION)(r) ? withJsonBody(r, ({ reason: _reason, ...rest }) => rest) : r)) },
  { name: 'deny turned into allow', fails: ['PERM-005'], wrap: rewriteRequest(async (r) => (is('POST', DECISION)(r) ? withJsonBody(r, (body) => ({ ...body, allow: true })) : r)) },
  { name: 'client id ignored on decisions', fails: ['PERM-006'], wrap: rewriteRequest(async (r) => (is('POST', DECISION)(r) ? withHeaders(r, (h) => h.delete('x-glue-client-id')) : r)) },
  {
    name: 'resolved or unknown requests still accepted',
    fails: ['PERM-007', 'PERM-008', 'PERM-010'],
    wrap: rewriteJson(is('POST', DECISION), (_body, status, request) => (status === 404 && !/run_0{32}/.test(request.url) ? { status: 200, body: { permission_id: new URL(request.url).pathname.split('/')[5], accepted: true } } : undefined)),
  },
  { name: 'remember_for not validated', fails: ['PERM-009'], wrap: rememberAs('conformance-bogus', undefined) },
  {
    name: 'second permission request reuses the first id',
    fails: ['PERM-011'],
    wrap: (() => {
      const first = new Map<string, unknown>();
      return rewriteSse((e, c) => {
        if (e.event !== 'permission_request') return [e];
        if (!first.has(c.runId)) first.set(c.runId, payload(e)['permission_id']);
        return [setPayload(e, (p) => ({ ...p, permission_id: first.get(c.runId) }))];
      });
    })(),
  },
  { name: 'remember_for session ignored', fails: ['GRANT-001', 'GRANT-002', 'GRANT-003', 'GRANT-006'], wrap: rememberAs('session', 'never') },
  {
    name: 'grants not keyed per client',
    fails: ['GRANT-002'],
    wrap: rewriteRequest(async (r) => (is('POST', RUNS)(r) ? withJsonBody(r, (body) => ({ ...body, client_id: 'shared' })) : r)),
  },
  {
    name: 'grant delete does nothing',
    fails: ['GRANT-003'],
    wrap: answer(is('DELETE', /^\/v1\/permissions\/[^/]+$/), (r) => Response.json({ permission: { id: decodeURIComponent(new URL(r.url).pathname.split('/')[3] ?? '') } })),
  },
  { name: 'unknown grant delete answers 200', fails: ['GRANT-004'], wrap: rewriteJson(is('DELETE', /^\/v1\/permissions\/[^/]+$/), (_body, status) => (status === 404 ? { status: 200, body: { permission: {} } } : undefined)) },
  { name: 'never remembered as session', fails: ['GRANT-005'], wrap: rememberAs('never', 'session') },
  { name: 'session remembered as forever', fails: ['GRANT-006'], wrap: rememberAs('session', 'forever') },
  { name: 'forever remembered as session', fails: ['GRANT-007'], wrap: rememberAs('forever', 'session') },
  { name: 'session_target remembered as session', fails: ['GRANT-008'], wrap: rememberAs('session_target', 'session') },
  { name: 'sessions null when nothing matches', sessions: true, fails: ['SESS-001'], wrap: rewriteJson(is('GET', SESSIONS), (body) => ({ body: Array.isArray(body['sessions']) && body['sessions'].length === 0 ? { sessions: null } : body })) },
  { name: 'stored sessions not found', sessions: true, fails: ['SESS-002'], wrap: answer(is('GET', /^\/v1\/sessions\/[^/]+$/), () => errorBody(404, 'not_found', 'session not found')) },
  {
    name: 'transcript keeps only user messages',
    sessions: true,
    fails: ['SESS-003'],
    wrap: rewriteJson(is('GET', /\/messages$/), (body, status) => (status === 200 ? { body: { ...body, messages: (body['messages'] as { role: string }[]).filter((m) => m.role === 'user') } } : undefined)),
  },
  {
    name: 'unknown session answers 200',
    sessions: true,
    fails: ['SESS-004'],
    wrap: rewriteJson(is('GET', SESSION), (_body, status, r) => (status === 404 ? { status: 200, body: /\/messages$/.test(r.url) ? { session_id: 'x', messages: [] } : { id: 'x' } } : undefined)),
  },
  {
    name: 'sessions limit ignored',
    sessions: true,
    fails: ['SESS-005'],
    wrap: rewriteRequest((request) => (is('GET', /^\/v1\/sessions\?limit=[1-9]/)(request) ? new Request(request.url.replace(/\?.*$/, ''), { signal: request.signal, headers: request.headers }) : request)),
  },
  { name: 'negative sessions limit accepted', sessions: true, fails: ['SESS-006'], wrap: rewriteJson(is('GET', SESSIONS), (_body, status) => (status === 400 ? { status: 200, body: { sessions: [] } } : undefined)) },
];

describe('sensitivity: each check fails against a daemon that breaks its rule', () => {
  const daemons: TestDaemon[] = [];
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.close()));
  });

  it('names every check in at least one row', () => {
    const covered = new Set(breakers.flatMap((b) => b.fails));
    expect(allChecks.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it.concurrent.each(breakers.map((b) => [b.name, b] as const))('%s', async (_name, breaker) => {
    const daemon = await startDaemon({ wrap: breaker.wrap, ...(breaker.minimal ? { minimal: true } : {}), ...(breaker.sessions ? { sessions: true } : {}) });
    daemons.push(daemon);
    const report = await runSuite({
      url: daemon.url,
      token: daemon.token,
      profile: 'scripted',
      permissionTimeoutMs: daemon.permissionTimeoutMs,
      only: breaker.fails,
      timeoutMs: 10_000,
    });
    const verdicts = Object.fromEntries(report.results.map((r) => [r.id, r.status]));
    expect(verdicts).toEqual(Object.fromEntries(breaker.fails.map((id) => [id, 'fail'])));
    // The report is faithful (it holds the request's Authorization header); what is written is redacted.
    const redact = createRedactor([daemon.token]).redact;
    for (const result of report.results) {
      expect(result.message ?? '').not.toBe('');
      expect(redact(JSON.stringify(result))).not.toContain(daemon.token);
    }
  });
});
