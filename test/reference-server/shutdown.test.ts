/**
 * Shutdown as Go's ServeLocal does it (measured live, test/live/): on SIGTERM the listener closes
 * (new connections refused), idle keep-alive connections are closed, and requests in flight go on:
 * a `slow` run streams to its end and the process exits 0. What is still open when the shutdown
 * timeout runs out is where the mock parts from Go (which cuts it mid-stream, captures 185-187): the
 * pending permission is denied, the stream gets its terminal event, and the process exits 1 with
 * glue serve's `context deadline exceeded`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode } from '../../reference-server/serve-node.js';
import { readSse, type SseStream } from '../../src/protocol/sse-reader.js';
import { cleanupDaemons, spawnDaemon, within } from './spawn-daemon.js';

const TOKEN = 'shutdown-test-token';
const TERMINAL = new Set(['run_done', 'run_error']);

afterEach(cleanupDaemons);

/** Starts a `permission` run and returns its stream once the permission request has arrived. */
async function pendingPermissionStream(baseUrl: string): Promise<{ stream: SseStream; iterator: AsyncIterator<{ data: string }>; seen: string[] }> {
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const started = await fetch(baseUrl + '/v1/sessions/shutdown/runs', {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: 'permission', client_id: 'cli:zed' }),
  });
  expect(started.status).toBe(201);
  const { events_url: eventsUrl } = (await started.json()) as { events_url: string };
  const response = await fetch(baseUrl + eventsUrl, { headers: auth });
  const stream = readSse(response.body!, { idleTimeoutMs: 10_000, totalTimeoutMs: 20_000 });
  const iterator = stream[Symbol.asyncIterator]();
  const seen: string[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) throw new Error(`stream ended before permission_request: ${seen.join(', ')}`);
    seen.push((JSON.parse(next.value.data) as { type: string }).type);
    if (seen.at(-1) === 'permission_request') return { stream, iterator, seen };
  }
}

/** Reads the rest of the stream; resolves when the server ends it. */
async function rest(iterator: AsyncIterator<{ data: string }>): Promise<string[]> {
  const types: string[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) return types;
    types.push((JSON.parse(next.value.data) as { type: string }).type);
  }
}

async function startRun(baseUrl: string, text: string): Promise<AsyncIterator<{ data: string }>> {
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const started = await fetch(baseUrl + '/v1/sessions/shutdown/runs', { method: 'POST', headers: auth, body: JSON.stringify({ text }) });
  expect(started.status).toBe(201);
  const { events_url: eventsUrl } = (await started.json()) as { events_url: string };
  const response = await fetch(baseUrl + eventsUrl, { headers: auth });
  return readSse(response.body!, { idleTimeoutMs: 10_000, totalTimeoutMs: 20_000 })[Symbol.asyncIterator]();
}

describe('glue-mock-daemon on SIGTERM', () => {
  it('lets a streaming run finish within the shutdown timeout, refuses new connections meanwhile, and exits 0', async () => {
    // slow: 50 deltas, 20 ms apart here; the default 5 s timeout leaves it time to end.
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', '', '--delay-scale', '0.2']);
    const baseUrl = (await daemon.lines(3))[1]!.slice('base_url: '.length);
    const iterator = await startRun(baseUrl, 'slow');
    const first = await within(iterator.next(), 'the first event');
    expect((JSON.parse(first.value.data) as { type: string }).type).toBe('run_start');

    daemon.child.kill('SIGTERM');
    const after = await within(rest(iterator), 'the stream to end after SIGTERM');
    await expect(fetch(baseUrl + '/v1/health')).rejects.toThrow();
    expect(after.filter((type) => type === 'text_delta')).toHaveLength(50);
    expect(after.at(-1)).toBe('run_done');
    expect(await within(daemon.exit, 'exit after SIGTERM')).toEqual({ code: 0, signal: null });
    expect(daemon.stderr()).toBe('');
  });

  it('ends a stream still waiting on a permission when the timeout runs out: denial, terminal event, exit 1 "context deadline exceeded"', async () => {
    // No --permission-timeout: the 10 min default, as in capture 184, so only shutdown can end the wait.
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', '', '--shutdown-timeout', '1s']);
    const baseUrl = (await daemon.lines(3))[1]!.slice('base_url: '.length);
    const { iterator, seen } = await within(pendingPermissionStream(baseUrl), 'the permission request');
    expect(seen).toEqual(['run_start', 'loop_start', 'turn_start', 'message_start', 'message_end', 'tool_start', 'permission_request']);

    const signaledAt = Date.now();
    daemon.child.kill('SIGTERM');
    const next = await within(iterator.next(), 'the first event after SIGTERM');
    // Nothing arrives during the grace (as Go); then the denial reaches the tool.
    expect(Date.now() - signaledAt).toBeGreaterThanOrEqual(900);
    const toolEnd = JSON.parse(next.value.data) as { type: string; payload: unknown };
    expect(toolEnd.type).toBe('tool_end');
    expect(JSON.stringify(toolEnd.payload)).toContain('permission denied: daemon shutting down');
    const after = await within(rest(iterator), 'the stream to end');
    expect(TERMINAL.has(after.at(-1)!)).toBe(true);
    expect(after.filter((type) => TERMINAL.has(type))).toHaveLength(1);
    expect(await within(daemon.exit, 'exit after SIGTERM')).toEqual({ code: 1, signal: null });
    expect(daemon.stderr()).toBe('context deadline exceeded\n');
    await expect(fetch(baseUrl + '/v1/health')).rejects.toThrow();
  });
});

describe('server.shutdown() behind the node adapter', () => {
  it('denies the pending permission, ends the stream with a terminal event, and lets close() finish', async () => {
    const server = createReferenceServer({ token: TOKEN, host: loadMockHost() });
    const node = await serveNode(server, { closeGraceMs: 1_000 });
    try {
      const { iterator } = await within(pendingPermissionStream(node.url), 'the permission request');
      expect(server.stats().openStreams).toBe(1);
      const ended = rest(iterator);
      await within(server.shutdown(), 'shutdown()');
      const after = await within(ended, 'the stream to end');
      // The denial reaches the tool (tool_end) before the run ends.
      expect(after[0]).toBe('tool_end');
      expect(TERMINAL.has(after.at(-1)!)).toBe(true);
      await within(node.close(), 'close()');
      expect(server.stats()).toMatchObject({ activeRuns: 0, openStreams: 0 });
    } finally {
      await server.close();
      await node.close();
    }
  });
});
