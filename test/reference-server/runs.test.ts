/**
 * Run lifecycle beyond the hello path: cancel, reader disconnects (stream cancel and request
 * abort), concurrent readers, per-session serialisation, bounded retention, limits, shutdown.
 */
import { describe, expect, it } from 'vitest';
import { createReferenceServer, createSequentialIds } from '../../reference-server/index.js';
import type { ReferenceServerOptions } from '../../reference-server/index.js';
import { validateEvent, validateResponse } from '../../src/protocol/validator.js';
import { createTinyHost } from './tiny-host.js';
import { RUN_OVERHEAD_BYTES } from '../../reference-server/run-registry.js';
import { json, parseSse, request, token, until } from './helpers.js';
import { StreamReader } from './replay-harness.js';

function setup(overrides: Partial<ReferenceServerOptions> = {}) {
  const host = createTinyHost();
  let now = Date.parse('2026-11-24T16:50:26Z');
  const server = createReferenceServer({
    token,
    host,
    ids: createSequentialIds(),
    clock: () => new Date(now),
    permissionTimeoutMs: 60_000,
    ...overrides,
  });
  return { server, host, advance: (ms: number) => (now += ms) };
}

async function start(server: ReturnType<typeof setup>['server'], text: string, session = 's', clientId = 'cli:alice') {
  const response = await request(server, 'POST', `/v1/sessions/${session}/runs`, { body: { text, client_id: clientId } });
  expect(response.status).toBe(201);
  return (await json(response)) as { run_id: string; events_url: string };
}

const types = (text: string): string[] => parseSse(text).map((e) => e.event);

describe('cancel', () => {
  it('DELETE answers 202 {canceled,run_id} and the stream ends error, loop_end, run_error canceled', async () => {
    const { server, host } = setup();
    const run = await start(server, 'slow');
    const reader = new StreamReader(await request(server, 'GET', run.events_url), () => undefined);
    await until(() => host.controls.waiting() > 0, 'the slow run to wait');
    host.controls.step();
    await until(() => reader.events.some((e) => e.event === 'text_delta'), 'a delta');

    const cancel = await request(server, 'DELETE', `/v1/runs/${run.run_id}`);
    expect(cancel.status).toBe(202);
    expect(await cancel.text()).toBe(`{"canceled":true,"run_id":"${run.run_id}"}\n`);
    await reader.finished;
    const events = reader.events;
    expect(events.slice(-3).map((e) => e.event)).toEqual(['error', 'loop_end', 'run_error']);
    expect(events.at(-1)?.data.payload).toEqual({ error: { code: 'canceled', message: 'context canceled', retryable: false } });
    for (const e of events) expect(validateEvent(e.data)).toEqual({ ok: true });

    const again = await request(server, 'DELETE', `/v1/runs/${run.run_id}`);
    expect(again.status).toBe(202); // Go: a finished run still answers 202
    const unknown = await request(server, 'DELETE', '/v1/runs/run_doesnotexist');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('{"error":{"code":"not_found","message":"run not found","retryable":false}}\n');
    const events404 = await request(server, 'GET', '/v1/runs/run_doesnotexist/events');
    expect(events404.status).toBe(404);
    expect(events404.headers.get('content-type')).toBe('application/json');
  });

  it('a reader leaving (stream cancel) cancels the run; another reader sees run_error canceled', async () => {
    const { server, host } = setup();
    const run = await start(server, 'slow');
    const stays = new StreamReader(await request(server, 'GET', run.events_url), () => undefined);
    const leaves = new StreamReader(await request(server, 'GET', run.events_url), () => undefined, 4);
    leaves.disconnect();
    await leaves.finished;
    expect(leaves.events.map((e) => e.event)).toEqual(['run_start', 'loop_start', 'turn_start', 'message_start']);
    await stays.finished;
    expect(stays.events.at(-1)?.event).toBe('run_error');
    expect((stays.events.at(-1)?.data.payload as { error: { code: string } }).error.code).toBe('canceled');
    expect(server.stats().activeRuns).toBe(0);
    expect(host.controls.waiting()).toBe(0);
    // Replay after the disconnect: the whole history, ending in the cancel.
    expect(types(await (await request(server, 'GET', run.events_url)).text()).slice(-3)).toEqual(['error', 'loop_end', 'run_error']);
  });

  it('a request abort (client gone before reading) cancels the run too', async () => {
    const { server, host } = setup();
    const run = await start(server, 'slow');
    const controller = new AbortController();
    const response = await request(server, 'GET', run.events_url, { signal: controller.signal });
    expect(response.status).toBe(200);
    await until(() => host.controls.waiting() > 0, 'the slow run to wait');
    controller.abort();
    await until(() => server.stats().activeRuns === 0, 'the run to end');
    expect(server.stats().openStreams).toBe(0);
    expect(types(await (await request(server, 'GET', run.events_url)).text()).at(-1)).toBe('run_error');
  });

  it('a finished run is not affected by a reader leaving', async () => {
    const { server } = setup();
    const run = await start(server, 'hello');
    const full = await (await request(server, 'GET', run.events_url)).text();
    const partial = new StreamReader(await request(server, 'GET', run.events_url), () => undefined, 2);
    partial.disconnect();
    await partial.finished;
    expect(await (await request(server, 'GET', run.events_url)).text()).toBe(full);
    expect(types(full).at(-1)).toBe('run_done');
  });
});

describe('concurrent readers and sessions', () => {
  it('every reader gets the identical stream, from seq 1, whenever it joins', async () => {
    const { server, host } = setup();
    const run = await start(server, 'slow');
    const early = new StreamReader(await request(server, 'GET', run.events_url), () => undefined);
    await until(() => host.controls.waiting() > 0, 'the slow run to wait');
    host.controls.step();
    await until(() => host.controls.waiting() > 0, 'the second step');
    const late = new StreamReader(await request(server, 'GET', run.events_url), () => undefined);
    while (!early.done) {
      host.controls.step();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await late.finished;
    expect(late.chunks.join('')).toBe(early.chunks.join(''));
    expect(early.events.map((e) => e.data.seq)).toEqual(early.events.map((_, i) => i + 1));
    expect(early.chunks.length).toBe(early.events.length); // one event per chunk
  });

  it('runs in one session are serialised: the second emits run_start at once, loop_start after the first ends', async () => {
    const { server, host } = setup();
    const first = await start(server, 'slow', 'serial');
    const second = await start(server, 'hello', 'serial');
    const other = await start(server, 'hello', 'elsewhere');
    await until(() => host.controls.waiting() > 0, 'the slow run to wait');
    expect(types(await (await request(server, 'GET', other.events_url)).text()).at(-1)).toBe('run_done');
    const status = (await json(await request(server, 'GET', '/v1/status'))) as { active_runs: number };
    expect(status.active_runs).toBe(2);
    const queued = new StreamReader(await request(server, 'GET', second.events_url), () => undefined);
    await until(() => queued.events.length === 1, 'run_start of the queued run');
    await new Promise((resolve) => setImmediate(resolve));
    expect(queued.events.map((e) => e.event)).toEqual(['run_start']);
    expect((await request(server, 'DELETE', `/v1/runs/${first.run_id}`)).status).toBe(202);
    await queued.finished;
    expect(queued.events.at(-1)?.event).toBe('run_done');
  });

  it('a queued run canceled before its turn ends at once with run_error canceled', async () => {
    const { server, host } = setup();
    const first = await start(server, 'slow', 'serial');
    const second = await start(server, 'hello', 'serial');
    const third = await start(server, 'hello', 'serial');
    await until(() => host.controls.waiting() > 0, 'the slow run to wait');
    await request(server, 'DELETE', `/v1/runs/${second.run_id}`);
    expect(types(await (await request(server, 'GET', second.events_url)).text())).toEqual(['run_start', 'run_error']);
    await request(server, 'DELETE', `/v1/runs/${first.run_id}`);
    expect(types(await (await request(server, 'GET', third.events_url)).text()).at(-1)).toBe('run_done');
  });
});

describe('bounded retention of finished runs (Go keeps them forever)', () => {
  it('keeps at most finishedRunRetention finished runs, evicting the oldest', async () => {
    const { server } = setup({ limits: { finishedRunRetention: 2 } });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const run = await start(server, 'hello');
      await (await request(server, 'GET', run.events_url)).text();
      runs.push(run);
    }
    await request(server, 'GET', '/v1/status');
    expect(server.stats().retainedRuns).toBe(2);
    expect((await request(server, 'GET', runs[0]!.events_url)).status).toBe(404);
    expect((await request(server, 'GET', runs[2]!.events_url)).status).toBe(200);
  });

  it('evicts the oldest finished runs once their events exceed finishedRunBytes', async () => {
    const { server } = setup({ limits: { finishedRunBytes: 9_000 } });
    const first = await start(server, 'hello');
    const size = (await (await request(server, 'GET', first.events_url)).text()).length + RUN_OVERHEAD_BYTES;
    expect(size).toBeGreaterThan(4_500); // one hello run fits, two do not
    expect(size).toBeLessThan(9_000);
    const second = await start(server, 'hello');
    await (await request(server, 'GET', second.events_url)).text();
    expect((await request(server, 'GET', first.events_url)).status).toBe(404);
    expect((await request(server, 'GET', second.events_url)).status).toBe(200);
  });

  it('forgets a finished run after finishedRunTtlMs (injected clock)', async () => {
    const { server, advance } = setup({ limits: { finishedRunTtlMs: 60_000 } });
    const run = await start(server, 'hello');
    await (await request(server, 'GET', run.events_url)).text();
    advance(59_999);
    expect((await request(server, 'DELETE', `/v1/runs/${run.run_id}`)).status).toBe(202);
    advance(1);
    expect((await request(server, 'DELETE', `/v1/runs/${run.run_id}`)).status).toBe(404);
    expect(server.stats().retainedRuns).toBe(0);
  });

  it('never evicts a run that is still active', async () => {
    const { server, host, advance } = setup({ limits: { finishedRunRetention: 0, finishedRunTtlMs: 1 } });
    const run = await start(server, 'slow');
    await until(() => host.controls.waiting() > 0, 'the slow run to wait');
    advance(10_000);
    expect((await request(server, 'GET', '/v1/status')).status).toBe(200);
    expect(server.stats().activeRuns).toBe(1);
    await request(server, 'DELETE', `/v1/runs/${run.run_id}`);
  });
});

describe('limits', () => {
  it('answers 413 with the error envelope for a body over maxBodyBytes', async () => {
    const { server } = setup({ limits: { maxBodyBytes: 64 } });
    const response = await request(server, 'POST', '/v1/sessions/s/runs', { body: { text: 'x'.repeat(100) } });
    expect(response.status).toBe(413);
    expect(await response.text()).toBe('{"error":{"code":"invalid_request","message":"request body too large","retryable":false}}\n');
  });

  it('past maxActiveRuns a start gets 429 conflict (retryable); validation errors still come first', async () => {
    const { server, host } = setup({ limits: { maxActiveRuns: 1 } });
    const run = await start(server, 'slow');
    const refused = await request(server, 'POST', '/v1/sessions/s/runs', { body: { text: 'hello' } });
    expect(refused.status).toBe(429);
    const body = await json(refused);
    expect(body).toEqual({ error: { code: 'conflict', message: 'too many active runs', retryable: true } });
    expect((await request(server, 'POST', '/v1/sessions/s/runs', { body: {} })).status).toBe(400);
    await until(() => host.controls.waiting() > 0, 'the slow run to wait');
    await request(server, 'DELETE', `/v1/runs/${run.run_id}`);
    await until(() => server.stats().activeRuns === 0, 'the run to end');
    expect((await request(server, 'POST', '/v1/sessions/s/runs', { body: { text: 'hello' } })).status).toBe(201);
  });

  it('past maxOpenStreams an events request gets 429 conflict; a closed stream frees its slot', async () => {
    const { server } = setup({ limits: { maxOpenStreams: 1 } });
    const run = await start(server, 'hello');
    const first = await request(server, 'GET', run.events_url);
    const second = await request(server, 'GET', run.events_url);
    expect(second.status).toBe(429);
    expect(await json(second)).toEqual({ error: { code: 'conflict', message: 'too many open event streams', retryable: true } });
    await first.text();
    expect(server.stats().openStreams).toBe(0);
    expect((await request(server, 'GET', run.events_url)).status).toBe(200);
  });
});

describe('shutdown (better than Go: every open stream gets its terminal event)', () => {
  it('denies pending permissions, cancels runs, ends streams with run_error canceled, then refuses requests', async () => {
    const { server, host } = setup();
    const slow = await start(server, 'slow', 'a');
    const perm = await start(server, 'permission', 'b');
    const slowReader = new StreamReader(await request(server, 'GET', slow.events_url), () => undefined);
    const permReader = new StreamReader(await request(server, 'GET', perm.events_url), () => undefined);
    await until(() => host.controls.waiting() > 0 && permReader.events.some((e) => e.event === 'permission_request'), 'both runs to wait');

    await server.shutdown();
    expect(slowReader.done && permReader.done).toBe(true);
    expect(slowReader.events.at(-1)?.data.payload).toEqual({ error: { code: 'canceled', message: 'context canceled', retryable: false } });
    const toolEnd = permReader.events.find((e) => e.event === 'tool_end');
    expect(JSON.stringify(toolEnd?.data.payload)).toContain('permission denied: daemon shutting down');
    expect(permReader.events.at(-1)?.event).toBe('run_error');
    expect(server.stats()).toMatchObject({ activeRuns: 0, openStreams: 0 });

    const after = await request(server, 'GET', '/v1/status');
    expect(after.status).toBe(503);
    expect(await json(after)).toEqual({ error: { code: 'conflict', message: 'daemon is shutting down', retryable: true } });
    await server.close();
  });

  it('is idempotent and close() after shutdown() resolves', async () => {
    const { server } = setup();
    await start(server, 'hello');
    await Promise.all([server.shutdown(), server.shutdown()]);
    await server.close();
    expect(server.stats()).toEqual({ activeRuns: 0, openStreams: 0, retainedRuns: 0 });
  });
});

describe('start validation', () => {
  it.each([
    ['both text and skill', { text: 'a', skill: 'b' }, 'choose only one of text or skill'],
    ['neither', {}, 'text or skill is required'],
    ['whitespace text', { text: ' \t\n' }, 'text or skill is required'],
    ['wrong type', { text: 5 }, 'invalid JSON body'],
    ['arguments not strings', { skill: 'triage', arguments: { n: 1 } }, 'invalid JSON body'],
    ['max_turns fractional', { text: 'a', max_turns: 1.5 }, 'invalid JSON body'],
  ])('%s → 400', async (_name, body, message) => {
    const { server } = setup();
    const response = await request(server, 'POST', '/v1/sessions/s/runs', { body });
    expect(response.status).toBe(400);
    const parsed = await json(response);
    expect(parsed).toEqual({ error: { code: 'invalid_request', message, retryable: false } });
    expect(validateResponse('startRun', 400, parsed)).toEqual({ ok: true });
  });

  it('escapes the echoed session id the Go way and path-escapes events_url', async () => {
    const { server } = setup({ ids: { run: () => 'run_a:b' } });
    const response = await request(server, 'POST', '/v1/sessions/esc%3Cape/runs', { body: { text: 'hello' } });
    expect(await response.text()).toBe('{"run_id":"run_a:b","session_id":"esc\\u003cape","events_url":"/v1/runs/run_a:b/events"}\n');
  });
});

describe('injected ids', () => {
  it('a source that repeats a used run id fails that start with 500, instead of hanging', async () => {
    const { server } = setup({ ids: { run: () => 'run_same' } });
    expect((await request(server, 'POST', '/v1/sessions/s/runs', { body: { text: 'hello' } })).status).toBe(201);
    const second = await request(server, 'POST', '/v1/sessions/s/runs', { body: { text: 'hello' } });
    expect(second.status).toBe(500);
    expect(((await json(second)) as { error: { message: string } }).error.message).toMatch(/^Failed to create a run id/);
  });
});

describe('defaults no real client meets (Go has no caps)', () => {
  it('keeps 300 finished runs replayable and accepts DELETE on each (202), with 100 runs pending at once', async () => {
    const { server } = setup();
    const runs = [];
    for (let i = 0; i < 300; i++) {
      const run = await start(server, 'hello');
      await (await request(server, 'GET', run.events_url)).text();
      runs.push(run);
    }
    const pending = [];
    for (let i = 0; i < 100; i++) pending.push(await start(server, 'slow'));
    expect(server.stats().activeRuns).toBe(100);
    for (const run of runs) {
      expect((await request(server, 'GET', run.events_url)).status).toBe(200);
      expect((await request(server, 'DELETE', `/v1/runs/${run.run_id}`)).status).toBe(202);
    }
    for (const run of pending) await request(server, 'DELETE', `/v1/runs/${run.run_id}`);
  });
});
