/**
 * The node:http adapter against a stub handler: it must lay out headers as Go's net/http does
 * (captures 003, 005, 049, 051, 155), stream SSE chunk by chunk, tell the handler when the client
 * leaves, and survive anything a client sends.
 */
import { connect } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceServer, type ReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode, type NodeServer, type ServeNodeOptions } from '../../reference-server/serve-node.js';
import { within as withinMs } from './spawn-daemon.js';

const encoder = new TextEncoder();
const WAIT_MS = 5_000;
const within = <T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> => withinMs(promise, what, ms);

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Sends raw bytes and returns everything received until the server closes (or `until` matches, then closes). */
function rawExchange(server: NodeServer, bytes: string, until?: (text: string) => boolean): Promise<string> {
  return within(
    new Promise<string>((resolve) => {
      const socket = connect(server.address.port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (until?.(text)) socket.destroy();
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(text));
      socket.write(bytes);
    }),
    'a raw exchange',
  );
}

/** Header block of a raw response: status line and header lines. */
function headBlock(raw: string): string[] {
  return raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
}

/** The chunks of a chunked body (the final 0-length chunk excluded). */
function dechunk(body: string): string[] {
  const chunks: string[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = parseInt(body.slice(at, eol), 16);
    if (!(size > 0)) return chunks;
    chunks.push(body.slice(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

function sseEvent(n: number): string {
  return `id: evt_${n}\nevent: text_delta\ndata: {"seq":${n}}\n\n`;
}

const sseHeaders = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' };
const jsonHeaders = { 'Content-Type': 'application/json' };

let server: NodeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handle: (request: Request) => Promise<Response> | Response, options: ServeNodeOptions = {}): Promise<NodeServer> {
  server = await serveNode({ handle: async (r) => handle(r) }, { closeGraceMs: 500, ...options });
  return server;
}

describe('JSON responses', () => {
  it('keeps status, content type and the trailing newline, with Content-Length', async () => {
    const s = await serve(() => new Response('{"ok":true,"version":1}\n', { headers: jsonHeaders }));
    const res = await request(s.url).get('/v1/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['content-length']).toBe('24');
    expect(res.text).toBe('{"ok":true,"version":1}\n');
  });

  it('lays headers out as Go does: sorted handler headers, Date, Content-Length, then Connection: close for a client that asked to close', async () => {
    const s = await serve(() => new Response('{"ok":true,"version":1}\n', { status: 405, headers: { 'content-type': 'application/json' } }));
    const raw = await rawExchange(s, 'GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const lines = headBlock(raw);
    expect(lines[0]).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(lines.slice(1).map((line) => line.split(':')[0])).toEqual(['Content-Type', 'Date', 'Content-Length', 'Connection']);
    expect(lines[4]).toBe('Connection: close');
    expect(lines[2]).toMatch(/^Date: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  });

  it('switches to chunked encoding for bodies over 2 KB, as net/http does (capture 155)', async () => {
    const body = '{"x":"' + 'a'.repeat(2300) + '"}\n';
    const s = await serve(() => new Response(body, { headers: jsonHeaders }));
    const res = await request(s.url).get('/v1/diagnostics');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.text).toBe(body);
  });

  it('answers HEAD with the length of the body it does not send (capture 005)', async () => {
    const s = await serve((r) => new Response(r.method === 'HEAD' ? '{"error":{"code":"method_not_allowed","message":"method not allowed","retryable":false}}\n' : '', { status: 405, headers: jsonHeaders }));
    const raw = await rawExchange(s, 'HEAD /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(headBlock(raw)).toContain('Content-Length: 89');
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
  });

  it('passes the method, path, query, headers and a streamed body to the handler', async () => {
    const s = await serve(async (r) => {
      const url = new URL(r.url);
      const body = await r.text();
      return new Response(JSON.stringify({ method: r.method, path: url.pathname, query: url.search, client: r.headers.get('x-glue-client-id'), body }) + '\n', { status: 201, headers: jsonHeaders });
    });
    const big = 'x'.repeat(200_000);
    const res = await request(s.url).post('/v1/sessions/telegram%3A42/runs?a=1').set('X-Glue-Client-ID', 'cli:alice').send(big);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ method: 'POST', path: '/v1/sessions/telegram%3A42/runs', query: '?a=1', client: 'cli:alice', body: big });
  });

  it('keeps only the first Authorization header, as Go reads it (captures 013/014)', async () => {
    const s = await serve((r) => new Response(JSON.stringify(r.headers.get('authorization')) + '\n', { headers: jsonHeaders }));
    const raw = await rawExchange(s, 'GET /v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer first\r\nAuthorization: Bearer second\r\nConnection: close\r\n\r\n');
    expect(raw.endsWith('"Bearer first"\n')).toBe(true);
  });

  it('keeps the connection usable after a handler that never read the request body', async () => {
    const s = await serve(() => new Response('{}\n', { status: 401, headers: jsonHeaders }));
    const body = 'y'.repeat(10_000);
    const twice = `POST /v1/recall HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const raw = await rawExchange(s, twice);
    expect(raw.match(/HTTP\/1\.1 401 Unauthorized/g)).toHaveLength(2);
  });
});

describe('SSE responses', () => {
  it('sends the Go SSE headers and one HTTP chunk per event (captures 049, 051)', async () => {
    const s = await serve(() => new Response(new ReadableStream({
      start(controller) {
        for (const n of [1, 2, 3]) controller.enqueue(encoder.encode(sseEvent(n)));
        controller.close();
      },
    }), { headers: sseHeaders }));
    const raw = await rawExchange(s, 'GET /v1/runs/run_1/events HTTP/1.1\r\nHost: x\r\n\r\n', (text) => text.endsWith('\r\n0\r\n\r\n'));
    const lines = headBlock(raw);
    expect(lines).toEqual([
      'HTTP/1.1 200 OK',
      'Cache-Control: no-cache',
      'Connection: keep-alive',
      'Content-Type: text/event-stream',
      expect.stringMatching(/^Date: /),
      'Transfer-Encoding: chunked',
    ]);
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    const expected = [1, 2, 3].map((n) => `${Buffer.byteLength(sseEvent(n)).toString(16)}\r\n${sseEvent(n)}\r\n`).join('') + '0\r\n\r\n';
    expect(body).toBe(expected);
  });

  it('writes each event as it comes, without waiting for the stream to end', async () => {
    const release = deferred();
    const s = await serve(() => new Response(new ReadableStream({
      async start(controller) {
        controller.enqueue(encoder.encode(sseEvent(1)));
        await release.promise;
        controller.enqueue(encoder.encode(sseEvent(2)));
        controller.close();
      },
    }), { headers: sseHeaders }));
    const response = await within(fetch(s.url + '/v1/runs/r/events'), 'the response head');
    const reader = response.body!.getReader();
    const first = await within(reader.read(), 'the first event before the stream ends');
    expect(new TextDecoder().decode(first.value)).toBe(sseEvent(1));
    release.resolve();
    let rest = '';
    for (;;) {
      const next = await within(reader.read(), 'the rest of the stream');
      if (next.done) break;
      rest += new TextDecoder().decode(next.value);
    }
    expect(rest).toBe(sseEvent(2));
  });

  it('cancels the body and aborts the request signal when the client disconnects', async () => {
    const canceled = deferred<unknown>();
    const aborted = deferred();
    const s = await serve((r) => {
      r.signal.addEventListener('abort', () => aborted.resolve());
      return new Response(new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode(sseEvent(1)));
        },
        cancel(reason) {
          canceled.resolve(reason);
        },
      }), { headers: sseHeaders });
    });
    const raw = await rawExchange(s, 'GET /v1/runs/r/events HTTP/1.1\r\nHost: x\r\n\r\n', (text) => text.includes('data: {"seq":1}'));
    expect(raw).toContain('event: text_delta');
    await within(canceled.promise, 'the body to be canceled');
    await within(aborted.promise, 'the request signal to abort');
  });

  it('is not cut by the request timeout while it streams', async () => {
    const s = await serve(() => new Response(new ReadableStream({
      async start(controller) {
        controller.enqueue(encoder.encode(sseEvent(1)));
        // Longer than requestTimeout + one checking interval: the request itself finished long ago.
        await new Promise((resolve) => setTimeout(resolve, 700));
        controller.enqueue(encoder.encode(sseEvent(2)));
        controller.close();
      },
    }), { headers: sseHeaders }), { headersTimeoutMs: 200, requestTimeoutMs: 300 });
    const raw = await rawExchange(s, 'GET /v1/runs/r/events HTTP/1.1\r\nHost: x\r\n\r\n', (text) => text.endsWith('\r\n0\r\n\r\n'));
    expect(raw).toContain('data: {"seq":2}');
    expect(raw.endsWith('\r\n0\r\n\r\n')).toBe(true);
  });
});

describe('bad requests never crash the server', () => {
  const health = (): Response => new Response('{"ok":true,"version":1}\n', { headers: jsonHeaders });

  it('answers malformed HTTP with 400 and the JSON error envelope', async () => {
    const s = await serve(health);
    const raw = await rawExchange(s, 'THIS IS NOT HTTP\r\n\r\n');
    expect(headBlock(raw)[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(headBlock(raw)).toContain('Content-Type: application/json');
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as unknown;
    expect(body).toEqual({ error: { code: 'invalid_request', message: 'malformed HTTP request', retryable: false } });
    expect((await request(s.url).get('/v1/health')).status).toBe(200);
  });

  it('accepts headers up to the Go limit of 1 MiB and answers larger ones with 431', async () => {
    const s = await serve(health);
    expect((await request(s.url).get('/v1/health').set('X-Big', 'a'.repeat(64 * 1024))).status).toBe(200);
    const raw = await rawExchange(s, `GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(1100 * 1024)}\r\n\r\n`);
    expect(headBlock(raw)[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect((await request(s.url).get('/v1/health')).status).toBe(200);
  });

  it('closes a slow-loris connection that never finishes its headers', async () => {
    const s = await serve(health, { headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const raw = await rawExchange(s, 'GET /v1/health HTTP/1.1\r\nHost: x\r\n');
    expect(headBlock(raw)[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect((await request(s.url).get('/v1/health')).status).toBe(200);
  });

  it('answers 500 with the envelope when the handler throws', async () => {
    const s = await serve(() => {
      throw new Error('boom');
    });
    const res = await request(s.url).get('/v1/status');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'internal server error', retryable: false } });
  });

  it('cuts the connection when the handler body fails mid-stream, and keeps serving', async () => {
    let calls = 0;
    const s = await serve(() => {
      calls += 1;
      if (calls > 1) return health();
      return new Response(new ReadableStream({
        pull(controller) {
          controller.enqueue(encoder.encode(sseEvent(1)));
          controller.error(new Error('broken'));
        },
      }), { headers: sseHeaders });
    });
    const raw = await rawExchange(s, 'GET /v1/runs/r/events HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(raw.endsWith('0\r\n\r\n')).toBe(false);
    expect((await request(s.url).get('/v1/health')).status).toBe(200);
  });

  it('serves TRACE and absolute-form targets without throwing', async () => {
    const s = await serve((r) => new Response(JSON.stringify({ method: r.method, path: new URL(r.url).pathname }) + '\n', { headers: jsonHeaders }));
    const trace = await rawExchange(s, 'TRACE /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(headBlock(trace)[0]).toBe('HTTP/1.1 200 OK');
    const absolute = await rawExchange(s, 'GET http://elsewhere.example/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(absolute).toContain('"path":"/v1/status"');
  });
});

describe('close()', () => {
  it('stops accepting, ends idle keep-alive sockets and cuts streams left open after the grace period', async () => {
    const s = await serve((r) => (new URL(r.url).pathname === '/stream'
      ? new Response(new ReadableStream({ start: (c) => c.enqueue(encoder.encode(sseEvent(1))) }), { headers: sseHeaders })
      : new Response('{"ok":true,"version":1}\n', { headers: jsonHeaders })), { closeGraceMs: 200 });
    const idle = openRaw(s, 'GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
    const stream = openRaw(s, 'GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(idle.firstData, 'the keep-alive answer');
    await within(stream.firstData, 'the first event');
    await within(s.close(), 'close() to resolve');
    expect(await within(idle.closed, 'the idle socket to close')).toContain('200 OK');
    expect(await within(stream.closed, 'the stream to be cut')).toContain('data: {"seq":1}');
    server = undefined;
    await expect(fetch(s.url + '/v1/health')).rejects.toThrow();
  });
});

/** A raw connection that stays open: resolves `firstData` on the first bytes and `closed` with everything. */
function openRaw(s: NodeServer, bytes: string): { firstData: Promise<void>; closed: Promise<string> } {
  const socket = connect(s.address.port, '127.0.0.1');
  let text = '';
  socket.on('error', () => undefined);
  const firstData = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.write(bytes);
  return { firstData, closed };
}

describe('with the reference server behind it', () => {
  const TOKEN = 'node-adapter-token';
  const auth = { Authorization: `Bearer ${TOKEN}` };
  let core: ReferenceServer | undefined;
  afterEach(async () => {
    await core?.close();
    core = undefined;
  });

  async function serveReference(): Promise<NodeServer> {
    core = createReferenceServer({ token: TOKEN, host: loadMockHost() });
    return serve((r) => core!.handle(r));
  }

  it('serves JSON routes byte for byte (captures 003, 004, 007)', async () => {
    const s = await serveReference();
    const health = await request(s.url).get('/v1/health');
    expect([health.status, health.headers['content-type'], health.text]).toEqual([200, 'application/json', '{"ok":true,"version":1}\n']);
    const wrongMethod = await request(s.url).post('/v1/health');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.text).toBe('{"error":{"code":"method_not_allowed","message":"method not allowed","retryable":false}}\n');
    const unauthorized = await request(s.url).get('/v1/status');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['content-type']).toBe('application/json');
  });

  it('streams a run with SSE headers and id/event/data framing (capture 049)', async () => {
    const s = await serveReference();
    const started = await request(s.url).post('/v1/sessions/default/runs').set(auth).send({ text: 'hello' });
    expect(started.status).toBe(201);
    const raw = await rawExchange(s, `GET ${started.body.events_url as string} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`, (text) => text.endsWith('\r\n0\r\n\r\n'));
    expect(headBlock(raw).slice(1, 4)).toEqual(['Cache-Control: no-cache', 'Connection: keep-alive', 'Content-Type: text/event-stream']);
    const chunks = dechunk(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    for (const chunk of chunks) expect(chunk).toMatch(/^id: evt_[0-9a-f]{32}\nevent: [a-z_]+\ndata: \{.*\}\n\n$/);
    const events = chunks.map((chunk) => /^event: (.*)$/m.exec(chunk)?.[1]);
    expect(events).toEqual(['run_start', 'loop_start', 'turn_start', 'message_start', 'text_delta', 'text_delta', 'message_end', 'turn_end', 'loop_end', 'run_done']);
  });

  it('cancels the run when its only reader disconnects (captures 135-139)', async () => {
    const s = await serveReference();
    const started = await request(s.url).post('/v1/sessions/default/runs').set(auth).send({ text: 'slow' });
    const eventsUrl = started.body.events_url as string;
    expect(core!.stats().activeRuns).toBe(1);
    await rawExchange(s, `GET ${eventsUrl} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`, (text) => text.includes('event: text_delta'));
    await within(
      (async () => {
        while (core!.stats().activeRuns !== 0) await new Promise((resolve) => setTimeout(resolve, 10));
      })(),
      'the run to be canceled',
    );
    const replay = await rawExchange(s, `GET ${eventsUrl} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
    expect(replay).toContain('"code":"canceled"');
  });
});
