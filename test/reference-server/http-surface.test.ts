/**
 * The HTTP surface around the runs: auth before routing and method, routing quirks, JSON framing
 * and Go escaping, capabilities derived from the host, diagnostics, catalog and limit rules.
 */
import { describe, expect, it } from 'vitest';
import { createReferenceServer, createSequentialIds } from '../../reference-server/index.js';
import type { MockHost } from '../../reference-server/index.js';
import type { MemoryEntry } from '../../src/protocol/types.js';
import { decodeGoStruct } from '../../reference-server/go-decode.js';
import { encodeGoJson } from '../../reference-server/go-json.js';
import { formatGoTime } from '../../reference-server/go-time.js';
import { validateResponse } from '../../src/protocol/validator.js';
import { createTinyHost } from './tiny-host.js';
import { base, json, request, token } from './helpers.js';

const unauthorized = '{"error":{"code":"unauthorized","message":"missing or invalid bearer token","retryable":false}}\n';

function server(host: MockHost = createTinyHost()) {
  return createReferenceServer({ token, host, ids: createSequentialIds(), clock: () => new Date('2026-11-24T16:50:26Z') });
}

describe('auth', () => {
  it.each([
    ['no header', {}],
    ['wrong token', { Authorization: 'Bearer nope' }],
    ['lowercase scheme', { Authorization: `bearer ${token}` }],
    ['bare token', { Authorization: token }],
    ['two spaces', { Authorization: `Bearer  ${token}` }],
    ['trailing text', { Authorization: `Bearer ${token}x` }],
  ])('%s → 401 on every route, before routing and method checks', async (_name, headers) => {
    const s = server();
    for (const [method, path] of [['GET', '/v1/status'], ['POST', '/v1/status'], ['GET', '/v1/nope'], ['PUT', '/']]) {
      const response = await request(s, method!, path!, { auth: false, headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.text()).toBe(unauthorized);
    }
  });

  it('accepts surrounding whitespace; of two headers only the first counts', async () => {
    const s = server();
    expect((await request(s, 'GET', '/v1/status', { auth: false, headers: { Authorization: `   Bearer ${token}   ` } })).status).toBe(200);
    const first = new Headers();
    first.append('Authorization', `Bearer ${token}`);
    first.append('Authorization', 'Bearer wrong');
    expect((await s.handle(new Request(`${base}/v1/status`, { headers: first }))).status).toBe(200);
    const second = new Headers();
    second.append('Authorization', 'Bearer wrong');
    second.append('Authorization', `Bearer ${token}`);
    expect((await s.handle(new Request(`${base}/v1/status`, { headers: second }))).status).toBe(401);
  });

  it('health needs no auth, ignores a wrong token, and allows only GET (HEAD too is 405)', async () => {
    const s = server();
    const health = await request(s, 'GET', '/v1/health', { auth: false, headers: { Authorization: 'Bearer wrong' } });
    expect(await health.text()).toBe('{"ok":true,"version":1}\n');
    for (const method of ['POST', 'HEAD']) {
      const response = await request(s, method, '/v1/health', { auth: false });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBeNull(); // Go sends no Allow header
    }
  });
});

describe('routing', () => {
  it.each([
    ['GET', '/v1/nope', 404, 'route not found'],
    ['GET', '/v1/status/', 404, 'route not found'],
    ['GET', '/', 404, 'route not found'],
    ['GET', '/v1/sessions/default', 404, 'route not found'],
    ['POST', '/v1/sessions/a%2Fb/runs', 404, 'route not found'],
    ['POST', '/v1/sessions//runs', 404, 'route not found'],
    ['GET', '/v1/sessions/default/runs', 405, 'method not allowed'],
    ['GET', '/v1/runs/run_x', 405, 'method not allowed'],
    ['POST', '/v1/runs/run_x/events', 405, 'method not allowed'],
    ['GET', '/v1/memories/mem_1', 405, 'method not allowed'],
    ['GET', '/v1/permissions/grant_1', 405, 'method not allowed'],
    ['GET', '/v1/recall', 405, 'method not allowed'],
  ])('%s %s → %i %s', async (method, path, status, message) => {
    const response = await request(server(), method, path);
    expect(response.status).toBe(status);
    expect(((await json(response)) as { error: { message: string } }).error.message).toBe(message);
  });

  it("answers a malformed escape with Go's plain-text 400 before auth (no token sent)", async () => {
    const response = await server().handle(new Request('http://127.0.0.1/v1/runs/%zz/events'));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe('400 Bad Request');
  });

  it('decodes session ids: telegram%3A42 → telegram:42, my%20session → "my session"', async () => {
    const s = server();
    for (const [raw, id] of [['telegram%3A42', 'telegram:42'], ['my%20session', 'my session']]) {
      const body = (await json(await request(s, 'POST', `/v1/sessions/${raw}/runs`, { body: { text: 'hello' } }))) as { session_id: string };
      expect(body.session_id).toBe(id);
    }
  });
});

describe('status, capabilities and diagnostics', () => {
  it('a minimal host has the seven base capabilities and empty catalogs', async () => {
    const s = server({ agent: createTinyHost().agent });
    const status = await json(await request(s, 'GET', '/v1/status'));
    expect(validateResponse('getStatus', 200, status)).toEqual({ ok: true });
    expect(status).toEqual({
      ok: true,
      version: 1,
      active_runs: 0,
      tools_count: 0,
      capabilities: ['runs', 'events', 'permissions', 'permission_grants', 'tools', 'status', 'diagnostics'],
    });
    for (const [path, key] of [['/v1/tools', 'tools'], ['/v1/skills', 'skills'], ['/v1/roles', 'roles'], ['/v1/memories', 'memories'], ['/v1/mcp/resources', 'resources'], ['/v1/mcp/prompts', 'prompts'], ['/v1/permissions', 'permissions']]) {
      expect(await (await request(s, 'GET', path!)).text()).toBe(`{"${key}":[]}\n`);
    }
    const recall = await request(s, 'POST', '/v1/recall', { body: 'not json' });
    expect([recall.status, ((await json(recall)) as { error: { message: string } }).error.message]).toEqual([404, 'recall is not supported by this host']);
    expect((await request(s, 'GET', '/v1/memories?limit=abc')).status).toBe(400);
  });

  it('capabilities follow the optional members in Go order', async () => {
    const s = server({ agent: createTinyHost().agent, memoryForget: async () => ({ memory: { id: 'm', content: '', timestamp: '0001-01-01T00:00:00Z' } }), skillCatalog: async () => [] });
    const status = (await json(await request(s, 'GET', '/v1/status'))) as { capabilities: string[] };
    expect(status.capabilities.slice(7)).toEqual(['skills', 'memory_forget']);
  });

  it('diagnostics: runtime block, and the ten most recent errors newest first', async () => {
    const s = server();
    const before = (await json(await request(s, 'GET', '/v1/diagnostics'))) as Record<string, unknown>;
    expect(before).not.toHaveProperty('recent_errors');
    expect(before.runtime).toEqual({ name: 'glue', started_at: '2026-11-24T16:50:26Z', coding_enabled: false });
    for (let i = 0; i < 12; i++) {
      const run = (await json(await request(s, 'POST', `/v1/sessions/f${i}/runs`, { body: { text: 'fail' } }))) as { events_url: string };
      await (await request(s, 'GET', run.events_url)).text();
    }
    const after = (await json(await request(s, 'GET', '/v1/diagnostics'))) as { recent_errors: Array<Record<string, string>> };
    expect(validateResponse('getDiagnostics', 200, after)).toEqual({ ok: true });
    expect(after.recent_errors).toHaveLength(10);
    expect(after.recent_errors[0]).toEqual({
      time: '2026-11-24T16:50:26Z',
      run_id: 'run_0000000000000000000000000000000c',
      session_id: 'f11',
      error: 'loop: provider stream: fake provider: scripted failure',
    });
  });
});

describe('catalog rules', () => {
  // The second entry is deliberately sloppy (keys out of order, no timestamp): the daemon fixes the wire form.
  const memories = [
    { id: 'mem_1', content: 'a <b>', tags: ['x'], timestamp: '2026-05-24T12:00:00Z' },
    { content: 'untagged', id: 'mem_2' },
  ] as MemoryEntry[];
  const host = (): MockHost => ({
    agent: createTinyHost().agent,
    memoryCatalog: async () => ({ memories }),
    memoryForget: async ({ id }) => {
      throw new Error(`memory "${id}" not found`);
    },
    recallSearch: async () => ({ hits: [] }),
  });

  it.each([
    ['', 2],
    ['?limit=0', 2],
    ['?limit=1', 1],
    ['?limit=+1', 1],
    ['?limit=%201%20', 1],
  ])('memories%s → %i entries, Go field order, zero time for a missing timestamp', async (query, count) => {
    const response = await request(server(host()), 'GET', `/v1/memories${query}`);
    const text = await response.text();
    expect((JSON.parse(text) as { memories: unknown[] }).memories).toHaveLength(count);
    expect(text).toContain('{"id":"mem_1","content":"a \\u003cb\\u003e","tags":["x"],"timestamp":"2026-05-24T12:00:00Z"}');
    if (count === 2) expect(text).toContain('{"id":"mem_2","content":"untagged","timestamp":"0001-01-01T00:00:00Z"}');
  });

  it.each(['-1', 'abc', '1.5', '99999999999999999999'])('memories?limit=%s → 400 limit must be non-negative', async (limit) => {
    const response = await request(server(host()), 'GET', `/v1/memories?limit=${limit}`);
    expect(await response.text()).toBe('{"error":{"code":"invalid_request","message":"limit must be non-negative","retryable":false}}\n');
  });

  it('host errors become 500 internal with the host text; recall validates trimmed input', async () => {
    const s = server(host());
    const forget = await request(s, 'DELETE', '/v1/memories/mem_nope');
    expect(await forget.text()).toBe('{"error":{"code":"internal","message":"memory \\"mem_nope\\" not found","retryable":false}}\n');
    const empty = await request(s, 'POST', '/v1/recall', { body: { query: '  ' } });
    expect(((await json(empty)) as { error: { message: string } }).error.message).toBe('query is required');
    const negative = await request(s, 'POST', '/v1/recall', { body: { query: 'x', limit: -1 } });
    expect(((await json(negative)) as { error: { message: string } }).error.message).toBe('limit must be non-negative');
    expect(await (await request(s, 'POST', '/v1/recall', { body: '{"query":"x"} trailing' })).text()).toBe('{"hits":[]}\n');
  });
});

describe('Go encoding/json', () => {
  it('escapes < > & U+2028 U+2029, keeps other non-ASCII raw, prints Dates as Go times', () => {
    expect(encodeGoJson({ t: '<b>&</b> héllo ✓\u2028\u2029', d: new Date('2026-11-24T16:50:26.320Z') })).toBe(
      '{"t":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e héllo ✓\\u2028\\u2029","d":"2026-11-24T16:50:26.32Z"}',
    );
    expect(formatGoTime(new Date('2026-11-24T16:50:26.000Z'))).toBe('2026-11-24T16:50:26Z');
  });

  it.each([
    ['{"text":"a"} junk', { text: 'a' }],
    ['null', { text: '' }],
    ['{"TEXT":"folded"}', { text: 'folded' }],
    ['{"text":"a","text":"b"}', { text: 'b' }],
    ['{"text":null}', { text: '' }],
    ['', undefined],
    ['[1]', undefined],
    ['{"text":5}', undefined],
    ['{"text":', undefined],
    ['{"max_turns":1e2}', undefined],
  ])('decodes %j like json.Decoder', (text, want) => {
    const decoded = decodeGoStruct(text, { text: 'string', max_turns: 'int' } as const);
    expect(decoded === undefined ? undefined : { text: decoded.text }).toEqual(want);
  });
});
