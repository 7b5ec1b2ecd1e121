/**
 * Each internal fault hook changes exactly the behaviour it names (and is off by default, which
 * every other test in this folder shows).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { INTERNAL_FAULTS, createReferenceServer, createSequentialIds } from '../../reference-server/index.js';
import type { InternalFault, MockHost, ReferenceServer } from '../../reference-server/index.js';
import { createTinyHost } from './tiny-host.js';
import { json, request, token, until } from './helpers.js';
import { StreamReader } from './replay-harness.js';

afterEach(() => {
  vi.useRealTimers();
});

function faulty(fault: InternalFault, options: { timeoutMs?: number; host?: MockHost } = {}) {
  const host = options.host ?? createTinyHost();
  const server = createReferenceServer({
    token,
    host,
    ids: createSequentialIds(),
    permissionTimeoutMs: options.timeoutMs ?? 60_000,
    faults: new Set([fault]),
  });
  return { server, host };
}

async function run(server: ReferenceServer, text: string, clientId = 'cli:alice', session = 's') {
  const started = (await json(await request(server, 'POST', `/v1/sessions/${session}/runs`, { body: { text, client_id: clientId } }))) as {
    run_id: string;
    events_url: string;
  };
  const reader = new StreamReader(await request(server, 'GET', started.events_url), () => undefined);
  return { ...started, reader };
}

async function permissionRun(server: ReferenceServer, clientId = 'cli:alice', session = 's') {
  const r = await run(server, 'permission', clientId, session);
  await until(() => r.reader.done || r.reader.events.some((e) => e.event === 'permission_request'), 'permission_request');
  const payload = r.reader.events.find((e) => e.event === 'permission_request')?.data.payload as Record<string, unknown> | undefined;
  const id = String(payload?.permission_id ?? '');
  return { ...r, payload, decision: `/v1/runs/${r.run_id}/permissions/${id}/decision` };
}

const toolText = (reader: StreamReader): string =>
  JSON.stringify(reader.events.find((e) => e.event === 'tool_end')?.data.payload ?? null);

describe('INTERNAL_FAULTS', () => {
  it('documents every hook in one line', () => {
    for (const [name, description] of Object.entries(INTERNAL_FAULTS)) {
      expect(name).toMatch(/^[a-z-]+$/);
      expect(description).not.toContain('\n');
    }
    expect(Object.keys(INTERNAL_FAULTS)).toHaveLength(9);
  });

  it('permission-timeout-allows: the timed-out tool runs', async () => {
    const { server } = faulty('permission-timeout-allows', { timeoutMs: 5 });
    const r = await permissionRun(server);
    await r.reader.finished;
    expect(toolText(r.reader)).toContain('wrote notes/a.txt');
  });

  it('permission-timeout-early: denied at 70 % of the timeout, before its expires_at', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { server } = faulty('permission-timeout-early', { timeoutMs: 1_000 });
    const r = await permissionRun(server);
    vi.advanceTimersByTime(700);
    expect((await request(server, 'POST', r.decision, { body: { allow: true } })).status).toBe(404);
    await r.reader.finished;
    expect(toolText(r.reader)).toContain('timed out');
  });

  it('permission-never-times-out: still pending long after the timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { server } = faulty('permission-never-times-out', { timeoutMs: 5 });
    const r = await permissionRun(server);
    vi.advanceTimersByTime(10 * 60 * 1000);
    expect((await request(server, 'POST', r.decision, { body: { allow: true } })).status).toBe(200);
    await r.reader.finished;
  });

  it('decision-after-timeout-accepted: a late decision gets 200', async () => {
    const { server } = faulty('decision-after-timeout-accepted', { timeoutMs: 5 });
    const r = await permissionRun(server);
    await r.reader.finished;
    expect((await request(server, 'POST', r.decision, { body: { allow: true } })).status).toBe(200);
  });

  it('grant-ignored: a remembered session grant is asked again', async () => {
    const { server } = faulty('grant-ignored');
    const first = await permissionRun(server);
    await request(server, 'POST', first.decision, { body: { allow: true, remember_for: 'session' } });
    await first.reader.finished;
    const second = await permissionRun(server);
    expect(second.payload).toBeDefined();
    await request(server, 'POST', second.decision, { body: { allow: true } });
    await second.reader.finished;
  });

  it("grant-shared-across-clients: bob uses alice's grant", async () => {
    const { server } = faulty('grant-shared-across-clients');
    const alice = await permissionRun(server, 'cli:alice');
    await request(server, 'POST', alice.decision, { body: { allow: true, remember_for: 'session' } });
    await alice.reader.finished;
    const bob = await permissionRun(server, 'cli:bob');
    await bob.reader.finished;
    expect(bob.payload).toBeUndefined();
  });

  it('deny-aborts-run: a denial ends the run with run_error', async () => {
    const { server } = faulty('deny-aborts-run');
    const r = await permissionRun(server);
    await request(server, 'POST', r.decision, { body: { allow: false } });
    await r.reader.finished;
    expect(r.reader.events.at(-1)?.event).toBe('run_error');
  });

  it('cancel-ignored: DELETE answers 202 and the run finishes normally', async () => {
    const { server, host } = faulty('cancel-ignored');
    const r = await run(server, 'slow');
    await until(() => (host as ReturnType<typeof createTinyHost>).controls.waiting() > 0, 'slow run waiting');
    expect((await request(server, 'DELETE', `/v1/runs/${r.run_id}`)).status).toBe(202);
    while (!r.reader.done) {
      (host as ReturnType<typeof createTinyHost>).controls.step();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(r.reader.events.at(-1)?.event).toBe('run_done');
  });

  it('sessions-not-serialised: a second run of the session finishes while the first still runs', async () => {
    const { server, host } = faulty('sessions-not-serialised');
    const controls = (host as ReturnType<typeof createTinyHost>).controls;
    const first = await run(server, 'slow');
    await until(() => controls.waiting() > 0, 'slow run waiting');
    const second = await run(server, 'hello');
    await second.reader.finished;
    expect(second.reader.events.at(-1)?.event).toBe('run_done');
    expect(first.reader.done).toBe(false);
    await request(server, 'DELETE', `/v1/runs/${first.run_id}`);
    await first.reader.finished;
  });
});
