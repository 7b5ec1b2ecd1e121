/**
 * The MSW handlers forward to the same reference handler as the node adapter, so a client driving
 * a run (start, stream, answer the permission) sees the same events in-process as over HTTP.
 */
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceServer, type ReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode, type NodeServer } from '../../reference-server/serve-node.js';
import { readSse } from '../../src/protocol/sse-reader.js';
import { createGlueHandlers } from '../../src/msw/index.js';

const TOKEN = 'msw-test-token';
const SSE_LIMITS = { idleTimeoutMs: 5_000, totalTimeoutMs: 15_000 };

interface Flow {
  types: string[];
  seqs: number[];
  contentType: string | null;
}

/** Starts a run, reads its stream to the end and allows every permission request on the way. */
async function driveRun(baseUrl: string, text: string, prefix = ''): Promise<Flow> {
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const started = await fetch(`${baseUrl}${prefix}/v1/sessions/msw/runs`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text, client_id: 'cli:msw' }),
  });
  expect(started.status).toBe(201);
  const { run_id: runId } = (await started.json()) as { run_id: string };
  const events = await fetch(`${baseUrl}${prefix}/v1/runs/${runId}/events`, { headers: auth });
  expect(events.status).toBe(200);
  const flow: Flow = { types: [], seqs: [], contentType: events.headers.get('content-type') };
  for await (const frame of readSse(events.body!, SSE_LIMITS)) {
    const envelope = JSON.parse(frame.data) as { type: string; seq: number; payload: { permission_id?: string } };
    flow.types.push(envelope.type);
    flow.seqs.push(envelope.seq);
    if (envelope.type === 'permission_request') {
      const decided = await fetch(`${baseUrl}${prefix}/v1/runs/${runId}/permissions/${envelope.payload.permission_id}/decision`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json', 'X-Glue-Client-ID': 'cli:msw' },
        body: JSON.stringify({ allow: true }),
      });
      expect(decided.status).toBe(200);
    }
  }
  return flow;
}

/** The same flow over the node adapter, for comparison. */
async function overHttp(text: string): Promise<Flow> {
  const server = createReferenceServer({ token: TOKEN, host: loadMockHost() });
  const node = await serveNode(server);
  try {
    return await driveRun(node.url, text);
  } finally {
    await server.close();
    await node.close();
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function mockDaemon(baseUrl: string, extra: Partial<Parameters<typeof createGlueHandlers>[0]> = {}): ReferenceServer {
  const handlers = createGlueHandlers({ baseUrl, token: TOKEN, ...extra });
  const msw = setupServer(...handlers);
  msw.listen({ onUnhandledRequest: 'error' });
  cleanups.push(() => msw.close(), () => handlers.server.close());
  return handlers.server;
}

describe('createGlueHandlers', () => {
  it('streams a permission run and takes the decision, with the same events as over HTTP', async () => {
    const viaHttp = await overHttp('permission');
    mockDaemon('http://glue.test');
    const viaMsw = await driveRun('http://glue.test', 'permission');
    expect(viaMsw.contentType).toBe('text/event-stream');
    expect(viaMsw.types).toContain('permission_request');
    expect(viaMsw.types.at(-1)).toBe('run_done');
    expect(viaMsw.types).toEqual(viaHttp.types);
    expect(viaMsw.seqs).toEqual(viaMsw.types.map((_t, i) => i + 1));
  });

  it('serves a hello run like the HTTP adapter', async () => {
    const viaHttp = await overHttp('hello');
    mockDaemon('http://glue.test');
    const viaMsw = await driveRun('http://glue.test', 'hello');
    expect(viaMsw.types).toEqual(viaHttp.types);
    expect(viaMsw.types).toEqual(['run_start', 'loop_start', 'turn_start', 'message_start', 'text_delta', 'text_delta', 'message_end', 'turn_end', 'loop_end', 'run_done']);
  });

  it('answers JSON routes and errors exactly as the handler does', async () => {
    mockDaemon('http://glue.test');
    const health = await fetch('http://glue.test/v1/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/json');
    expect(await health.text()).toBe('{"ok":true,"version":1}\n');
    const unauthorized = await fetch('http://glue.test/v1/status');
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ error: { code: 'unauthorized', message: 'missing or invalid bearer token', retryable: false } });
  });

  it('strips a path prefix of baseUrl before routing', async () => {
    mockDaemon('http://glue.test/daemon/');
    const viaMsw = await driveRun('http://glue.test', 'hello', '/daemon');
    expect(viaMsw.types.at(-1)).toBe('run_done');
  });

  it('serves the minimal host when asked', async () => {
    mockDaemon('http://glue.test', { minimal: true });
    const status = await fetch('http://glue.test/v1/status', { headers: { Authorization: `Bearer ${TOKEN}` } });
    const body = (await status.json()) as { capabilities: string[]; tools_count: number };
    expect(body.capabilities).toEqual(['runs', 'events', 'permissions', 'permission_grants', 'tools', 'status', 'diagnostics']);
    expect(body.tools_count).toBe(0);
  });

  it('serves the session lookup when asked, with each run\'s transcript', async () => {
    mockDaemon('http://glue.test', { sessions: true });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const status = (await (await fetch('http://glue.test/v1/status', { headers: auth })).json()) as { capabilities: string[] };
    expect(status.capabilities.at(-1)).toBe('sessions');
    await driveRun('http://glue.test', 'hello');
    const list = (await (await fetch('http://glue.test/v1/sessions?query=msw', { headers: auth })).json()) as { sessions: { id: string; message_count: number }[] };
    expect(list.sessions.map((s) => [s.id, s.message_count])).toEqual([['msw', 2]]);
    const transcript = (await (await fetch('http://glue.test/v1/sessions/msw/messages', { headers: auth })).json()) as { messages: { role: string }[] };
    expect(transcript.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('keeps the session lookup off by default (Go answers 404)', async () => {
    mockDaemon('http://glue.test');
    expect((await fetch('http://glue.test/v1/sessions', { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('refuses a baseUrl that is not an absolute http(s) URL', () => {
    expect(() => createGlueHandlers({ baseUrl: 'glue.test', token: TOKEN })).toThrow(/invalid baseUrl/);
  });
});
