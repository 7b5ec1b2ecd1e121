import { describe, expect, it } from 'vitest';
import { FAULT_AREAS, FAULTS } from '../../reference-server/faults/catalogue.js';
import { middlewareFaults, selectFaults, UnknownFaultError } from '../../reference-server/faults/select.js';
import { parseSseBlock, splitSseBlocks } from '../../reference-server/faults/sse-frames.js';
import { toPlusTwo } from '../../reference-server/faults/sse-faults.js';
import { wrapServer } from '../../reference-server/faults/wrap-server.js';
import { INTERNAL_FAULTS } from '../../reference-server/internal-faults.js';
import { createFakeDaemon, FAKE_RUN, FAKE_TOKEN, fakeRequest, type FakeDaemon } from './fake-daemon.js';

function faulty(name: string, options?: Parameters<typeof createFakeDaemon>[0]): { daemon: FakeDaemon; server: FakeDaemon } {
  const daemon = createFakeDaemon(options);
  const selected = selectFaults([name], { token: FAKE_TOKEN });
  return { daemon, server: wrapServer(daemon, selected.middlewares) };
}

async function events(response: Response): Promise<Array<{ id?: string; event?: string; envelope: Record<string, unknown> }>> {
  const { blocks } = splitSseBlocks((await response.text()) + '\n\n');
  return blocks.map((text) => {
    const block = parseSseBlock(text);
    return { id: block.id, event: block.event, envelope: JSON.parse(block.data ?? 'null') as Record<string, unknown> };
  });
}

async function stream(name: string, types?: readonly string[]): Promise<Awaited<ReturnType<typeof events>>> {
  const { server } = faulty(name, { streamTypes: types });
  return events(await server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`)));
}

const seqs = (list: Awaited<ReturnType<typeof events>>): unknown[] => list.map((e) => e.envelope['seq']);
const types = (list: Awaited<ReturnType<typeof events>>): unknown[] => list.map((e) => e.envelope['type']);

describe('fault catalogue', () => {
  it('has at least 30 uniquely named faults covering every area', () => {
    expect(FAULTS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(FAULTS.map((f) => f.name)).size).toBe(FAULTS.length);
    expect(new Set(FAULTS.map((f) => f.area))).toEqual(new Set(FAULT_AREAS));
  });

  it('has an implementation for every fault, and no implementation outside the catalogue', () => {
    for (const fault of FAULTS) {
      if (fault.via === 'internal') expect(Object.keys(INTERNAL_FAULTS), fault.name).toContain(fault.name);
      else expect(middlewareFaults[fault.name], fault.name).toBeTypeOf('function');
    }
    const middlewareNames = FAULTS.filter((f) => f.via === 'middleware').map((f) => f.name);
    expect(Object.keys(middlewareFaults).sort()).toEqual(middlewareNames.sort());
  });

  it('uses every internal hook: the daemon core carries no fault code the catalogue does not select', () => {
    const internalNames = FAULTS.filter((f) => f.via === 'internal').map((f) => f.name);
    expect(Object.keys(INTERNAL_FAULTS).sort()).toEqual(internalNames.sort());
  });

  it('refuses an unknown fault and lists the valid names', () => {
    expect(() => selectFaults(['sse-seq-gap', 'nope'], { token: 't' })).toThrow(UnknownFaultError);
    expect(() => selectFaults(['nope'], { token: 't' })).toThrow(/unknown fault "nope".*Valid faults: auth-route-open, /);
  });

  it('passes internal faults to the core and builds middleware for the rest', () => {
    const selected = selectFaults(['grant-ignored', 'sse-seq-gap', 'grant-ignored'], { token: 't' });
    expect([...selected.internal]).toEqual(['grant-ignored']);
    expect(selected.middlewares).toHaveLength(1);
  });

  it('keeps the wrapped server: other members stay bound to it', async () => {
    const { daemon, server } = faulty('sse-seq-gap');
    await server.handle(fakeRequest('/v1/health'));
    expect(server.stats()).toEqual({ requests: 1 });
    expect(server.seen).toBe(daemon.seen);
  });
});

describe('auth faults', () => {
  const status = async (name: string, path: string, auth: string | null): Promise<number> =>
    (await faulty(name).server.handle(fakeRequest(path, { auth }))).status;

  it.each([
    ['auth-route-open', '/v1/diagnostics', null],
    ['auth-wrong-scheme', '/v1/status', `bearer ${FAKE_TOKEN}`],
    ['auth-wrong-scheme', '/v1/status', `Token ${FAKE_TOKEN}`],
    ['auth-token-case-insensitive', '/v1/status', `Bearer ${FAKE_TOKEN.toUpperCase()}`],
    ['auth-token-prefix', '/v1/status', `Bearer ${FAKE_TOKEN}x`],
    ['auth-token-truncated', '/v1/status', `Bearer ${FAKE_TOKEN.slice(0, 3)}`],
  ])('%s lets %s through with %s', async (name, path, auth) => {
    expect(await status(name, path, auth)).toBe(200);
  });

  it.each([
    ['auth-route-open', '/v1/status', null],
    ['auth-wrong-scheme', '/v1/status', 'bearer wrong'],
    ['auth-token-prefix', '/v1/status', 'Bearer wrong'],
    ['auth-token-truncated', '/v1/status', 'Bearer '],
    ['auth-token-case-insensitive', '/v1/status', null],
  ])('%s still refuses %s with %s', async (name, path, auth) => {
    expect(await status(name, path, auth)).toBe(401);
  });

  it('health-requires-auth answers 401 without a token, 200 with it', async () => {
    expect(await status('health-requires-auth', '/v1/health', null)).toBe(401);
    expect(await status('health-requires-auth', '/v1/health', `Bearer ${FAKE_TOKEN}`)).toBe(200);
  });

  it('auth-after-routing answers 404 on an unknown path without a token, 401 on a known one', async () => {
    expect(await status('auth-after-routing', '/v1/nope', null)).toBe(404);
    expect(await status('auth-after-routing', '/v1/status', null)).toBe(401);
  });
});

describe('JSON rewriting faults', () => {
  const body = async (name: string, path: string, init?: RequestInit): Promise<{ status: number; type: string | null; text: string }> => {
    const response = await faulty(name).server.handle(fakeRequest(path, init));
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('capability-missing drops events from status', async () => {
    expect(JSON.parse((await body('capability-missing', '/v1/status')).text).capabilities).toEqual(['runs', 'memories']);
  });
  it('capability-route-404 keeps memories advertised but 404s the route', async () => {
    expect((await body('capability-route-404', '/v1/memories')).status).toBe(404);
    expect((await body('capability-route-404', '/v1/status')).text).toContain('memories');
  });
  it('status-wrong-version reports version 2', async () => {
    expect(JSON.parse((await body('status-wrong-version', '/v1/status')).text).version).toBe(2);
  });
  it('catalog-null, catalog-missing-field, catalog-wrong-type break one catalog each', async () => {
    expect((await body('catalog-null', '/v1/skills')).text).toBe('{"skills":null}\n');
    expect(JSON.parse((await body('catalog-missing-field', '/v1/tools')).text).tools[0]).not.toHaveProperty('name');
    expect(JSON.parse((await body('catalog-wrong-type', '/v1/roles')).text).roles[0].name).toEqual(['reviewer']);
  });
  it('memories-limit-ignored drops a positive limit only', async () => {
    expect(JSON.parse((await body('memories-limit-ignored', '/v1/memories?limit=1')).text).memories).toHaveLength(3);
    expect((await body('memories-limit-ignored', '/v1/memories?limit=abc')).status).toBe(400);
  });
  it('validation faults rewrite 400s and 405s', async () => {
    const five = await body('validation-400-as-500', '/v1/sessions/default/runs', { method: 'POST', body: '{}' });
    expect([five.status, JSON.parse(five.text).error.code]).toEqual([500, 'internal']);
    const code = await body('validation-wrong-code', '/v1/sessions/default/runs', { method: 'POST', body: '{}' });
    expect([code.status, JSON.parse(code.text).error.code]).toEqual([400, 'bad_request']);
    const plain = await body('error-plain-text', '/v1/nope');
    expect([plain.status, plain.type, plain.text]).toEqual([404, 'text/plain; charset=utf-8', 'route not found\n']);
    const notFound = await body('method-405-as-404', '/v1/status', { method: 'POST' });
    expect([notFound.status, JSON.parse(notFound.text).error.code]).toEqual([404, 'not_found']);
  });
  it('cancel-status-200 answers 200 with the same body', async () => {
    const cancel = await body('cancel-status-200', `/v1/runs/${FAKE_RUN}`, { method: 'DELETE' });
    expect([cancel.status, JSON.parse(cancel.text)]).toEqual([200, { canceled: true, run_id: FAKE_RUN }]);
  });
  it('status faults: tools_count off by one, an unknown capability, the token in diagnostics', async () => {
    expect(JSON.parse((await body('status-tools-count-wrong', '/v1/status')).text).tools_count).toBe(2);
    expect(JSON.parse((await body('capability-unknown-name', '/v1/status')).text).capabilities).toContain('telepathy');
    expect((await body('diagnostics-leaks-token', '/v1/diagnostics')).text).toContain(FAKE_TOKEN);
    expect(JSON.parse((await body('status-active-runs-zero', '/v1/status')).text).active_runs).toBe(0);
    expect(JSON.parse((await body('diagnostics-missing-runtime', '/v1/diagnostics')).text)).toEqual({ ok: true });
    expect((await body('session-lookup-exposed', '/v1/sessions/a%3Ab')).text).toBe('{"session":{"id":"a:b"}}\n');
    expect((await body('session-lookup-exposed', '/v1/nope')).status).toBe(404);
  });
  it('capability and catalog faults on a host without optional members', async () => {
    expect(JSON.parse((await body('capability-missing-grants', '/v1/status')).text).capabilities).toEqual(['runs', 'events', 'memories']);
    const { daemon, server } = faulty('catalog-empty-404');
    expect((await server.handle(fakeRequest('/v1/skills'))).status).toBe(200);
    daemon.handle = async () => new Response('{"skills":[]}\n', { headers: { 'Content-Type': 'application/json' } });
    expect((await server.handle(fakeRequest('/v1/skills'))).status).toBe(404);
    const recall = faulty('action-unsupported-200');
    recall.daemon.handle = async () => new Response('{"error":{"code":"not_found","message":"recall is not supported by this host","retryable":false}}\n', { status: 404, headers: { 'Content-Type': 'application/json' } });
    expect(await (await recall.server.handle(fakeRequest('/v1/recall', { method: 'POST', body: '{"query":"x"}' }))).text()).toBe('{"hits":[]}\n');
  });
  it.each([
    ['mcp-resource-missing-uri', '/v1/mcp/resources', 'GET', '{"resources":[{"server":"s","uri":"u","name":"n"}]}', '{"resources":[{"server":"s","name":"n"}]}'],
    ['mcp-prompt-missing-server', '/v1/mcp/prompts', 'GET', '{"prompts":[{"server":"s","name":"n"}]}', '{"prompts":[{"name":"n"}]}'],
    ['mcp-read-contents-null', '/v1/mcp/resources/read', 'POST', '{"server":"s","uri":"u","contents":[]}', '{"server":"s","uri":"u","contents":null}'],
    ['mcp-prompt-messages-null', '/v1/mcp/prompts/get', 'POST', '{"server":"s","name":"n","messages":[]}', '{"server":"s","name":"n","messages":null}'],
  ])('%s rewrites %s', async (name, path, method, original, rewritten) => {
    const { daemon, server } = faulty(name);
    daemon.handle = async () => new Response(original + '\n', { headers: { 'Content-Type': 'application/json' } });
    expect(await (await server.handle(fakeRequest(path, { method, ...(method === 'POST' ? { body: '{}' } : {}) }))).text()).toBe(rewritten + '\n');
  });
  it('route faults: trailing slash served, encoded slash kept in a session id, unknown run decision 403', async () => {
    const { daemon, server } = faulty('route-trailing-slash');
    expect((await server.handle(fakeRequest('/v1/status/'))).status).toBe(200);
    expect(new URL(daemon.seen[0]?.url ?? '').pathname).toBe('/v1/status');
    const slash = faulty('session-id-slash-accepted');
    await slash.server.handle(fakeRequest('/v1/sessions/a%2Fb/runs', { method: 'POST', body: '{"text":"hi"}' }));
    expect(new URL(slash.daemon.seen[0]?.url ?? '').pathname).toBe('/v1/sessions/a%252Fb/runs');
    const unknownRun = faulty('decision-unknown-run-403');
    unknownRun.daemon.handle = async () => new Response('{"error":{"code":"not_found","message":"run not found","retryable":false}}\n', { status: 404, headers: { 'Content-Type': 'application/json' } });
    expect((await unknownRun.server.handle(fakeRequest('/v1/runs/run_x/permissions/perm_1/decision', { method: 'POST', body: '{}' }))).status).toBe(403);
  });
  it('empty lists become null: grants-null, recall-hits-null', async () => {
    expect((await body('grants-null', '/v1/permissions')).text).toBe('{"permissions":null}\n');
    expect((await body('recall-hits-null', '/v1/recall', { method: 'POST', body: '{"query":"x"}' })).text).toBe('{"hits":null}\n');
  });
  it('run-session-id-raw echoes the encoded session id', async () => {
    const started = await body('run-session-id-raw', '/v1/sessions/chan%3A42/runs', { method: 'POST', body: '{"text":"hi"}' });
    expect(JSON.parse(started.text).session_id).toBe('chan%3A42');
  });
  it('run-id-reused answers later runs of a session with its first run id', async () => {
    const { daemon, server } = faulty('run-id-reused');
    let n = 0;
    daemon.handle = async () => {
      const id = `run_${++n}`;
      return new Response(JSON.stringify({ run_id: id, session_id: 's', events_url: `/v1/runs/${id}/events` }) + '\n', { status: 201, headers: { 'Content-Type': 'application/json' } });
    };
    const start = async (session: string): Promise<unknown> =>
      JSON.parse(await (await server.handle(fakeRequest(`/v1/sessions/${session}/runs`, { method: 'POST', body: '{"text":"hi"}' }))).text());
    expect(await start('a')).toMatchObject({ run_id: 'run_1' });
    expect(await start('b')).toMatchObject({ run_id: 'run_2' });
    expect(await start('a')).toMatchObject({ run_id: 'run_1', events_url: '/v1/runs/run_1/events' });
  });
  it.each([
    ['decision-allow-ignored', { allow: true }, { allow: false }],
    ['remember-never-stored', { allow: true, remember_for: 'never' }, { allow: true, remember_for: 'session' }],
    ['session-grant-as-forever', { allow: true, remember_for: 'session' }, { allow: true, remember_for: 'forever' }],
  ])('%s rewrites the decision %j into %j', async (name, sent, received) => {
    const { daemon, server } = faulty(name);
    const path = `/v1/runs/${FAKE_RUN}/permissions/perm_1/decision`;
    expect((await server.handle(fakeRequest(path, { method: 'POST', body: JSON.stringify(sent) }))).status).toBe(200);
    expect(daemon.decisions.map((text) => JSON.parse(text) as unknown)).toEqual([received]);
  });
  it('grant-delete-ignored answers with the grant but keeps it', async () => {
    const { daemon, server } = faulty('grant-delete-ignored');
    daemon.grants = [{ id: 'grant_1', scope: 'session' }];
    const deleted = await server.handle(fakeRequest('/v1/permissions/grant_1', { method: 'DELETE' }));
    expect([deleted.status, JSON.parse(await deleted.text())]).toEqual([200, { permission: { id: 'grant_1', scope: 'session' } }]);
    expect(daemon.grants).toHaveLength(1);
    expect((await server.handle(fakeRequest('/v1/permissions/grant_2', { method: 'DELETE' }))).status).toBe(404);
  });
  it('run faults: 200 instead of 201, unknown fields refused, a stream for an unknown run', async () => {
    const daemon = createFakeDaemon();
    const started = await wrapServer(daemon, selectFaults(['run-start-200'], { token: FAKE_TOKEN }).middlewares).handle(
      fakeRequest('/v1/sessions/default/runs', { method: 'POST', body: '{"text":"hello"}' }),
    );
    expect(started.status).toBe(200);
    const strict = wrapServer(daemon, selectFaults(['run-start-strict-fields'], { token: FAKE_TOKEN }).middlewares);
    expect((await strict.handle(fakeRequest('/v1/sessions/default/runs', { method: 'POST', body: '{"text":"hello"}' }))).status).toBe(201);
    const refused = await strict.handle(fakeRequest('/v1/sessions/default/runs', { method: 'POST', body: '{"text":"hello","extra":1}' }));
    expect([refused.status, JSON.parse(await refused.text()).error.code]).toEqual([400, 'invalid_request']);
    const unknown = await body('events-unknown-run-stream', '/v1/runs/run_nope/events');
    expect([unknown.status, unknown.type, unknown.text]).toEqual([200, 'text/event-stream', '']);
  });
  it('not-found faults: cancel of an unknown run 202, unknown grant delete 204, stale decision 200', async () => {
    const cancel = await body('cancel-unknown-run-202', '/v1/runs/run_nope', { method: 'DELETE' });
    expect([cancel.status, JSON.parse(cancel.text)]).toEqual([202, { canceled: true, run_id: 'run_nope' }]);
    expect((await body('grant-delete-unknown-204', '/v1/permissions/grant_nope', { method: 'DELETE' })).status).toBe(204);
    const daemon = createFakeDaemon();
    daemon.handle = async () => new Response('{"error":{"code":"not_found","message":"permission request not found","retryable":false}}\n', { status: 404, headers: { 'Content-Type': 'application/json' } });
    const stale = await wrapServer(daemon, selectFaults(['decision-repeat-accepted'], { token: FAKE_TOKEN }).middlewares).handle(
      fakeRequest(`/v1/runs/${FAKE_RUN}/permissions/perm_9/decision`, { method: 'POST', body: '{"allow":true}' }),
    );
    expect([stale.status, JSON.parse(await stale.text())]).toEqual([200, { permission_id: 'perm_9', accepted: true }]);
  });
  it('decision-any-client hides the client header from the daemon', async () => {
    const path = `/v1/runs/${FAKE_RUN}/permissions/perm_1/decision`;
    const decision = await body('decision-any-client', path, { method: 'POST', body: '{"allow":true}', headers: { 'X-Glue-Client-ID': 'cli:mallory' } });
    expect(decision.status).toBe(200);
  });
});

describe('SSE faults', () => {
  it('sse-json-content-type changes only the content type', async () => {
    const response = await faulty('sse-json-content-type').server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`));
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await events(response)).toHaveLength(10);
  });
  it.each([
    ['sse-seq-gap', [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]],
    ['sse-seq-restart', [1, 2, 3, 4, 1, 2, 3, 4, 5, 6]],
    ['sse-out-of-order', [1, 2, 4, 3, 5, 6, 7, 8, 9, 10]],
    ['sse-duplicate-event', [1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['sse-no-run-start', [1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ['sse-no-terminal', [1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ['sse-two-terminal', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]],
  ])('%s gives seqs %j', async (name, expected) => {
    expect(seqs(await stream(name))).toEqual(expected);
  });
  it('sse-no-run-start starts with loop_start; sse-two-terminal ends with two run_done', async () => {
    expect(types(await stream('sse-no-run-start'))[0]).toBe('loop_start');
    const two = await stream('sse-two-terminal');
    expect(types(two).slice(-2)).toEqual(['run_done', 'run_done']);
    expect(two.at(-1)?.id).toBe(two.at(-1)?.envelope['id']);
    expect(two.at(-1)?.id).not.toBe(two.at(-2)?.id);
  });
  it('sse-event-name-mismatch and sse-id-mismatch break the frame lines only', async () => {
    const named = await stream('sse-event-name-mismatch');
    expect(named.filter((e) => e.event !== e.envelope['type']).map((e) => e.event)).toEqual(['delta', 'delta']);
    const ids = await stream('sse-id-mismatch');
    expect(ids.map((e) => e.id)).toEqual(ids.map((e) => String(e.envelope['seq'])));
  });
  it('sse-wrong-run-id and sse-non-utc-time rewrite envelopes', async () => {
    const wrong = await stream('sse-wrong-run-id');
    expect(wrong[0]?.envelope['run_id']).toBe(FAKE_RUN);
    expect(wrong[1]?.envelope['run_id']).not.toBe(FAKE_RUN);
    expect((await stream('sse-non-utc-time'))[0]?.envelope['time']).toBe('2026-11-24T18:50:26.32452761+02:00');
    expect(toPlusTwo('2026-11-24T23:00:00Z')).toBe('2026-11-25T01:00:00+02:00');
  });
  it('run_start faults drop the skill or blank the client id', async () => {
    const { daemon, server } = faulty('run-start-no-skill');
    const frame = (payload: unknown): string => `id: evt_1\nevent: run_start\ndata: ${JSON.stringify({ id: 'evt_1', seq: 1, type: 'run_start', payload })}\n\n`;
    daemon.handle = async () => new Response(frame({ client_id: 'c', skill: 'triage' }), { headers: { 'Content-Type': 'text/event-stream' } });
    expect((await events(await server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`))))[0]?.envelope['payload']).toEqual({ client_id: 'c' });
    const client = faulty('run-start-no-client-id');
    client.daemon.handle = daemon.handle;
    expect((await events(await client.server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`))))[0]?.envelope['payload']).toEqual({ client_id: '', skill: 'triage' });
  });
  it('permission-id-reused shows one id per run and routes decisions to the newest request', async () => {
    const { daemon, server } = faulty('permission-id-reused');
    const frame = (seq: number, permission: string): string =>
      `id: evt_${seq}\nevent: permission_request\ndata: ${JSON.stringify({ id: `evt_${seq}`, seq, type: 'permission_request', payload: { permission_id: permission } })}\n\n`;
    const decided: string[] = [];
    daemon.handle = async (request) => {
      const path = new URL(request.url).pathname;
      if (path.endsWith('/events')) return new Response(frame(1, 'perm_a') + frame(2, 'perm_b'), { headers: { 'Content-Type': 'text/event-stream' } });
      decided.push(path);
      return new Response('{}\n', { headers: { 'Content-Type': 'application/json' } });
    };
    const shown = await events(await server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`)));
    expect(shown.map((e) => (e.envelope['payload'] as Record<string, unknown>)['permission_id'])).toEqual(['perm_a', 'perm_a']);
    await server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/permissions/perm_a/decision`, { method: 'POST', body: '{"allow":true}' }));
    expect(decided).toEqual([`/v1/runs/${FAKE_RUN}/permissions/perm_b/decision`]);
  });
  it('sse-no-cache-control drops the header only', async () => {
    const response = await faulty('sse-no-cache-control').server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`));
    expect(response.headers.get('cache-control')).toBeNull();
    expect(await events(response)).toHaveLength(10);
  });
  it('sse-multiline-data spreads each envelope over several data lines', async () => {
    const response = await faulty('sse-multiline-data').server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`));
    const text = await response.text();
    expect(text.split('\n\n')[0]?.split('\n').filter((line) => line.startsWith('data:')).length).toBeGreaterThan(1);
    expect(seqs(await events(new Response(text)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
  it('sse-payload-wrong-type sends text_delta.delta as a number', async () => {
    const list = await stream('sse-payload-wrong-type', ['run_start', 'text_delta', 'run_done']);
    expect(list[1]?.envelope['payload']).toEqual({ type: 'text_delta', delta: 2 });
  });
  it('sse-time-backwards stamps the fourth event a minute early', async () => {
    const times = (await stream('sse-time-backwards')).map((e) => Date.parse(String(e.envelope['time'])));
    expect(times[3]).toBeLessThan(times[2] ?? 0);
    expect(times[4]).toBeGreaterThanOrEqual(times[2] ?? 0);
  });
  it('sse-replay-new-ids gives the second reader of a run new event ids', async () => {
    const { server } = faulty('sse-replay-new-ids');
    const first = await events(await server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`)));
    const second = await events(await server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`)));
    expect(seqs(second)).toEqual(seqs(first));
    expect(second.map((e) => e.id)).not.toEqual(first.map((e) => e.id));
    expect(second.every((e) => e.id === e.envelope['id'])).toBe(true);
  });
  it('cancel-wrong-code turns a canceled run_error into internal', async () => {
    const { server } = faulty('cancel-wrong-code', { streamTypes: ['run_start', 'run_error'] });
    const daemonStream = await createFakeDaemon({ streamTypes: ['run_start', 'run_error'] }).handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`));
    expect(types(await events(daemonStream))).toEqual(['run_start', 'run_error']);
    const rewritten = await events(await server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`)));
    expect(rewritten[1]?.envelope['payload']).toEqual({ error: { code: 'internal', message: 'context canceled', retryable: false } });
  });
  it('expires-at-missing drops expires_at from permission requests', async () => {
    const list = await stream('expires-at-missing', ['run_start', 'permission_request', 'run_done']);
    expect(list[1]?.envelope['payload']).toEqual({ permission_id: 'perm_1' });
  });
  it('sse-stream-left-open keeps the response open until the reader leaves, then cancels the daemon stream', async () => {
    const { server, daemon } = faulty('sse-stream-left-open');
    const reader = (await server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`))).body?.getReader();
    if (!reader) throw new Error('no body');
    for (let i = 0; i < 10; i++) expect((await reader.read()).done).toBe(false);
    let settled = false;
    const next = reader.read().then((result) => ((settled = true), result));
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    await reader.cancel();
    expect((await next).done).toBe(true);
    expect(daemon.cancelled).toBe(false); // the daemon's stream had already ended
  });
  it('a reader leaving a rewritten stream cancels the daemon stream', async () => {
    const { server, daemon } = faulty('sse-seq-gap');
    const reader = (await server.handle(fakeRequest(`/v1/runs/${FAKE_RUN}/events`))).body?.getReader();
    await reader?.read();
    await reader?.cancel();
    expect(daemon.cancelled).toBe(true);
  });
});
