/**
 * The bounded protocol client the suite stands on: every wait ends, redirects are not followed,
 * bodies are capped, and the token never reaches an exchange record.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, HttpError } from '../../src/protocol/http-client.js';
import { rawSseBlocks, readSse, SseReadError, type SseFrame } from '../../src/protocol/sse-reader.js';

const TOKEN = 'tok-0123456789abcdef';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

/** A stream that sends `chunks` and then stays open without a byte. */
function silentAfter(...chunks: string[]): { body: ReadableStream<Uint8Array>; canceled: () => boolean } {
  const encoder = new TextEncoder();
  let canceled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      canceled = true;
    },
  });
  return { body, canceled: () => canceled };
}

async function collect(iterable: AsyncIterable<SseFrame>): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  for await (const frame of iterable) frames.push(frame);
  return frames;
}

describe('readSse', () => {
  it('yields id, event and data per event, across chunk boundaries', async () => {
    const frames = await collect(readSse(streamOf('id: 1\nevent: a\nda', 'ta: {"x":1}\n\nid: 2\nevent: b\ndata: 2\n\n')));
    expect(frames).toEqual([
      { id: '1', event: 'a', data: '{"x":1}' },
      { id: '2', event: 'b', data: '2' },
    ]);
  });

  it('does not dispatch a last event without its blank line', async () => {
    expect(await collect(readSse(streamOf('data: 1\n\ndata: 2\n')))).toEqual([{ id: undefined, event: undefined, data: '1' }]);
  });

  it('fails a silent stream after the idle timeout and releases it', async () => {
    const { body, canceled } = silentAfter('data: 1\n\n');
    const frames: SseFrame[] = [];
    const error = await (async () => {
      try {
        for await (const frame of readSse(body, { idleTimeoutMs: 50 })) frames.push(frame);
      } catch (e) {
        return e;
      }
    })();
    expect(frames).toHaveLength(1);
    expect(error).toBeInstanceOf(SseReadError);
    expect((error as SseReadError).reason).toBe('idle_timeout');
    expect(canceled()).toBe(true);
  });

  it('fails a stream that outlives the total timeout even while bytes keep coming', async () => {
    const encoder = new TextEncoder();
    let timer: NodeJS.Timeout | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => controller.enqueue(encoder.encode('data: x\n\n')), 10);
      },
      cancel() {
        clearInterval(timer);
      },
    });
    await expect(collect(readSse(body, { idleTimeoutMs: 1000, totalTimeoutMs: 100 }))).rejects.toMatchObject({ reason: 'total_timeout' });
  });

  it('rejects an event larger than maxEventBytes', async () => {
    await expect(collect(readSse(streamOf(`data: ${'x'.repeat(5000)}`), { maxEventBytes: 1000 }))).rejects.toMatchObject({ reason: 'event_too_large' });
  });

  it('stops when the signal aborts', async () => {
    const { body, canceled } = silentAfter();
    const controller = new AbortController();
    const reading = collect(readSse(body, { idleTimeoutMs: 10_000, signal: controller.signal }));
    controller.abort();
    await expect(reading).rejects.toMatchObject({ reason: 'aborted' });
    expect(canceled()).toBe(true);
  });

  it('keeps the raw text and reports unknown fields', async () => {
    const stream = readSse(streamOf('id: 1\nfoo: bar\ndata: 1\n\n'), { keepRaw: true });
    await collect(stream);
    expect(stream.rawText).toBe('id: 1\nfoo: bar\ndata: 1\n\n');
    expect(stream.unknownLines).toEqual(['foo: bar']);
  });
});

describe('rawSseBlocks', () => {
  it('splits blocks and tells line endings and unterminated tails apart', () => {
    const { blocks, crlf, cr } = rawSseBlocks('id: 1\nevent: a\ndata: {}\n\nid: 2\r\ndata: x');
    expect(blocks.map((b) => [b.lines, b.terminated])).toEqual([
      [['id: 1', 'event: a', 'data: {}'], true],
      [['id: 2', 'data: x'], false],
    ]);
    expect(crlf).toBe(true);
    expect(cr).toBe(false);
  });
});

describe('createHttpClient', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/echo-token': (req, res) => res.end(JSON.stringify({ got: req.headers.authorization })),
    '/redirect': (_req, res) => {
      res.writeHead(302, { location: `${base}/elsewhere` });
      res.end();
    },
    '/elsewhere': (_req, res) => res.end('followed'),
    '/big': (_req, res) => res.end('x'.repeat(10_000)),
    '/hang': () => undefined,
    '/sse': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: 1\nevent: run_start\ndata: {}\n\n');
    },
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      (routes[req.url ?? ''] ?? ((_q, r) => r.end('{}')))(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the bearer token and parses the real bytes (redaction is the output sink\'s job)', async () => {
    const client = createHttpClient({ baseUrl: base, token: TOKEN });
    const result = await client.request({ path: '/echo-token' });
    expect(result.tokenSeen).toBe(true);
    expect(result.tokenEcho).toBe('body');
    expect(result.text).toBe(`{"got":"Bearer ${TOKEN}"}`);
    expect(result.json).toEqual({ got: `Bearer ${TOKEN}` });
    expect(result.exchange.requestHeaders['Authorization']).toBe(`Bearer ${TOKEN}`);
  });

  it('never sends URL user-info', async () => {
    const client = createHttpClient({ baseUrl: base.replace('://', '://user:secret@'), token: TOKEN });
    const result = await client.request({ path: '/echo-token' });
    expect(result.status).toBe(200);
    expect(result.exchange.url).toBe(`${base}/echo-token`);
  });

  it('never follows a redirect', async () => {
    const client = createHttpClient({ baseUrl: base, token: TOKEN });
    seen.length = 0;
    const result = await client.request({ path: '/redirect' });
    expect(result.status).toBe(302);
    expect(seen).toEqual(['GET /redirect']);
  });

  it('caps the body it reads', async () => {
    const client = createHttpClient({ baseUrl: base, maxBodyBytes: 1000 });
    await expect(client.request({ path: '/big' })).rejects.toThrow(/larger than 1000 bytes/);
  });

  it('bounds a request that never gets an answer', async () => {
    const client = createHttpClient({ baseUrl: base, timeoutMs: 100 });
    const error = await client.request({ path: '/hang' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).exchange.error).toBe('no complete response within 100 ms');
  });

  it('bounds the wait for response headers separately when asked', async () => {
    const client = createHttpClient({ baseUrl: base, timeoutMs: 5000, headersTimeoutMs: 100 });
    const error = await client.request({ path: '/hang' }).catch((e: unknown) => e);
    expect((error as HttpError).exchange.error).toBe('no response headers within 100 ms');
  });

  it('streams SSE with its own bounds', async () => {
    const client = createHttpClient({ baseUrl: base });
    const opened = await client.stream({ path: '/sse', sse: { idleTimeoutMs: 100 } });
    expect(opened.status).toBe(200);
    const frames: SseFrame[] = [];
    await expect(
      (async () => {
        for await (const frame of opened.events) frames.push(frame);
      })(),
    ).rejects.toMatchObject({ reason: 'idle_timeout' });
    expect(frames).toEqual([{ id: '1', event: 'run_start', data: '{}' }]);
  });
});
