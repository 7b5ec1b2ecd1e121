/**
 * Issue 7 (1): the mock daemon under hostile input. Thousands of malformed requests over real HTTP
 * (raw sockets, so nothing is cleaned up on our side): every answer is a well-formed error envelope
 * or a valid success, the server stays up, memory stays bounded, and the token never leaves the
 * process (responses, diagnostics, console). `FUZZ_RUNS` raises the budget (`npm run fuzz`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSchema } from '../../src/protocol/index.js';
import { packageRoot } from '../../src/protocol/package-root.js';
import { encodeRequest, fuzzRequest, NODE_ANSWERED } from './arbitraries.js';
import { checkExchange } from './check-exchange.js';
import { MemoryPeak, startFuzzDaemon, type FuzzDaemon } from './fuzz-daemon.js';
import { parseResponse, sendRaw } from './raw-http.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** The property tests scale their time budget with the run count (a hang still fails each exchange at EXCHANGE_BOUND_MS). */
const PROPERTY_TIMEOUT_MS = Math.max(30_000, RUNS * 25);
/** Every exchange ends within this (server timeouts are 2–3 s); longer is a hang. */
const EXCHANGE_BOUND_MS = 8_000;
/** Heap growth allowed across the whole fuzz run, after GC. Finished runs are retained (bounded) for replay. */
const HEAP_GROWTH_BOUND = 64 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const figures = { requests: 0, crashes: 0, hangs: 0, noAnswer: 0, statuses: {} as Record<string, number>, peakRssMb: 0, peakHeapMb: 0, heapBeforeMb: 0, heapAfterMb: 0, closeHang: undefined as string | undefined };
const CLOSE_BOUND_MS = 10_000;
const peak = new MemoryPeak();
const written: string[] = [];
let daemon: FuzzDaemon;
let runId = '';
const restore: (() => void)[] = [];
const onCrash = (): void => void (figures.crashes += 1);

function captureConsole(): void {
  // vitest intercepts console.* before it reaches the streams, so watch both.
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      written.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '));
      original(...args);
    };
    restore.push(() => {
      console[method] = original;
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = original;
    });
  }
}

async function get(path: string): Promise<{ status: number; text: string }> {
  const exchange = await sendRaw(daemon.port, [Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${daemon.host}\r\nAuthorization: Bearer ${daemon.token}\r\nConnection: close\r\n\r\n`)], { timeoutMs: EXCHANGE_BOUND_MS });
  const response = parseResponse(exchange.raw);
  if (!response) throw new Error(`no answer to GET ${path}`);
  return { status: response.status, text: response.body.toString('utf8') };
}

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  captureConsole();
  daemon = await startFuzzDaemon();
  // One real, finished run, so fuzzed ids sometimes hit an existing run.
  const started = await sendRaw(
    daemon.port,
    [Buffer.from(`POST /v1/sessions/fuzz/runs HTTP/1.1\r\nHost: ${daemon.host}\r\nAuthorization: Bearer ${daemon.token}\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n{"text":"hello"}`)],
    { timeoutMs: EXCHANGE_BOUND_MS },
  );
  runId = (JSON.parse(parseResponse(started.raw)?.body.toString('utf8') ?? '{}') as { run_id?: string }).run_id ?? '';
  // Warm up (validator compiled, pools and JIT settled) so the heap baseline is not all first-use cost.
  for (const request of fc.sample(fuzzRequest(daemon.token, [runId]), { numRuns: 100, seed: 1 })) {
    checkExchange(request, await sendRaw(daemon.port, [encodeRequest(request, daemon.host)], { timeoutMs: EXCHANGE_BOUND_MS }), daemon.token);
  }
  gc();
  figures.heapBeforeMb = process.memoryUsage().heapUsed / 2 ** 20;
});

afterAll(async () => {
  for (const undo of restore) undo();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  // Closing is bounded too: a connection the server cannot end would hang it (counted as a hang).
  const open = await new Promise<number>((resolve) => daemon.node.server.getConnections((_e, n) => resolve(n)));
  const closed = await Promise.race([daemon.close().then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CLOSE_BOUND_MS))]);
  if (!closed) {
    figures.hangs += 1;
    figures.closeHang = `close() still pending after ${CLOSE_BOUND_MS} ms with ${open} connections open at the start; stats ${JSON.stringify(daemon.server.stats())}`;
  }
  figures.peakRssMb = Math.round(peak.rss / 2 ** 20);
  figures.peakHeapMb = Math.round(peak.heapUsed / 2 ** 20);
  figures.heapBeforeMb = Math.round(figures.heapBeforeMb);
  figures.heapAfterMb = Math.round(figures.heapAfterMb);
  // Figures for the closing note (`npm run fuzz` prints them); .tmp/ is git-ignored.
  const dir = join(packageRoot(), '.tmp');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fuzz-figures.json'), `${JSON.stringify({ runs: RUNS, ...figures }, null, 2)}\n`);
  if (figures.closeHang) throw new Error(`Failed to close the fuzzed daemon: ${figures.closeHang}`);
}, CLOSE_BOUND_MS + 5_000);

describe('mock daemon under hostile input', () => {
  it(`answers ${RUNS} malformed requests with error envelopes or valid successes, never the token`, async () => {
    expect(runId).toMatch(/^run_/);
    await fc.assert(
      fc.asyncProperty(fuzzRequest(daemon.token, [runId]), async (request) => {
        const exchange = await sendRaw(daemon.port, [encodeRequest(request, daemon.host)], { timeoutMs: EXCHANGE_BOUND_MS });
        figures.requests += 1;
        peak.sample();
        const verdict = checkExchange(request, exchange, daemon.token);
        if (exchange.timedOut) figures.hangs += 1;
        if (verdict.responses === 0) figures.noAnswer += 1;
        for (const status of verdict.statuses) figures.statuses[status] = (figures.statuses[status] ?? 0) + 1;
        if (verdict.problems.some((p) => p.includes('handler threw'))) figures.crashes += 1;
        // Closing without a word is allowed only when the request itself could not be read.
        if (verdict.responses === 0 && !exchange.timedOut) verdict.problems.push(`no answer at all (${exchange.error ?? 'closed'})`);
        expect(verdict.problems, `${request.method} ${JSON.stringify(request.target)} auth=${request.auth} framing=${request.framing}`).toEqual([]);
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('answers junk bytes on a raw socket with a 400 envelope or a close, and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (junk) => {
        const exchange = await sendRaw(daemon.port, [Buffer.from(junk), Buffer.from('\r\n\r\n')], { timeoutMs: EXCHANGE_BOUND_MS });
        figures.requests += 1;
        peak.sample();
        if (exchange.timedOut) figures.hangs += 1;
        expect(exchange.timedOut).toBe(false);
        expect(exchange.raw.includes(daemon.token)).toBe(false);
        if (exchange.raw.length > 0) {
          const response = parseResponse(exchange.raw);
          expect(response?.status).toBeGreaterThanOrEqual(400);
          expect(validateSchema('ErrorEnvelope', JSON.parse(response?.body.toString('utf8') ?? 'null')).ok).toBe(true);
        }
      }),
      { numRuns: Math.max(50, Math.floor(RUNS / 5)), ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
    expect((await get('/v1/health')).status).toBe(200);
  }, PROPERTY_TIMEOUT_MS);

  it('refuses a body over 1 MiB with 413 and the envelope, declared or chunked', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x61);
    const head = (framing: string): Buffer =>
      Buffer.from(`POST /v1/sessions/big/runs HTTP/1.1\r\nHost: ${daemon.host}\r\nAuthorization: Bearer ${daemon.token}\r\nContent-Type: application/json\r\n${framing}\r\nConnection: close\r\n\r\n`);
    const declared = await sendRaw(daemon.port, [head(`Content-Length: ${big.length}`), big], { timeoutMs: EXCHANGE_BOUND_MS });
    const chunked = await sendRaw(daemon.port, [head('Transfer-Encoding: chunked'), Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from('\r\n0\r\n\r\n')], { timeoutMs: EXCHANGE_BOUND_MS });
    figures.requests += 2;
    for (const exchange of [declared, chunked]) {
      const response = parseResponse(exchange.raw);
      expect(response?.status).toBe(413);
      const body = JSON.parse(response?.body.toString('utf8') ?? 'null') as unknown;
      expect(validateSchema('ErrorEnvelope', body).ok).toBe(true);
    }
  });

  it('cuts slow bodies, slow or missing headers and idle connections within the server timeouts', async () => {
    const slowBody = sendRaw(
      daemon.port,
      [Buffer.from(`POST /v1/recall HTTP/1.1\r\nHost: ${daemon.host}\r\nAuthorization: Bearer ${daemon.token}\r\nContent-Length: 100\r\nConnection: close\r\n\r\n`), ...Array.from({ length: 100 }, () => Buffer.from('{'))],
      { timeoutMs: EXCHANGE_BOUND_MS, pauseMs: 200 },
    );
    const slowHeaders = sendRaw(daemon.port, Array.from(`GET /v1/status HTTP/1.1\r\nHost: ${daemon.host}\r\nX-Slow: ${'a'.repeat(100)}`, (c) => Buffer.from(c)), { timeoutMs: EXCHANGE_BOUND_MS, pauseMs: 100 });
    // A connection that never sends a byte, and one kept alive after its answer, are closed too.
    const silent = sendRaw(daemon.port, [], { timeoutMs: EXCHANGE_BOUND_MS });
    const idle = sendRaw(daemon.port, [Buffer.from(`GET /v1/health HTTP/1.1\r\nHost: ${daemon.host}\r\n\r\n`)], { timeoutMs: EXCHANGE_BOUND_MS });
    const kept = await idle;
    expect(kept.timedOut, 'an idle kept-alive connection must be closed').toBe(false);
    expect(parseResponse(kept.raw)?.status).toBe(200);
    for (const exchange of await Promise.all([slowBody, slowHeaders, silent])) {
      figures.requests += 1;
      expect(exchange.timedOut, 'the server must cut a slow client').toBe(false);
      const response = parseResponse(exchange.raw);
      if (response) {
        expect(response.status).toBe(408);
        expect(validateSchema('ErrorEnvelope', JSON.parse(response.body.toString('utf8')) as unknown).ok).toBe(true);
      }
    }
    expect((await get('/v1/health')).status).toBe(200);
  });

  it('stays up, frees its work and keeps the token out of diagnostics and the console', async () => {
    expect((await get('/v1/health')).status).toBe(200);
    const diagnostics = await get('/v1/diagnostics');
    expect(diagnostics.status).toBe(200);
    expect(diagnostics.text.includes(daemon.token)).toBe(false);
    expect(written.some((text) => text.includes(daemon.token))).toBe(false);
    // Runs started by fuzzed prompts end by themselves (no delays, 200 ms permission timeout).
    for (let i = 0; i < 200 && daemon.server.stats().activeRuns > 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(daemon.server.stats()).toMatchObject({ activeRuns: 0, openStreams: 0 });
    gc();
    figures.heapAfterMb = process.memoryUsage().heapUsed / 2 ** 20;
    expect(figures.heapAfterMb - figures.heapBeforeMb).toBeLessThan(HEAP_GROWTH_BOUND / 2 ** 20);
    expect(figures.crashes).toBe(0);
    expect(figures.hangs).toBe(0);
  });
});

describe('requests node:http would answer by itself', () => {
  const cases = [
    ...NODE_ANSWERED.methods.map((method) => `${method} /v1/status HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`),
    ...NODE_ANSWERED.expect.map((expect) => `GET /v1/status HTTP/1.1\r\nHost: h\r\nExpect: ${expect}\r\nConnection: close\r\n\r\n`),
  ];
  // Left alone, node drops a CONNECT without an answer and sends a bare 417 for an unknown Expect;
  // serve-node.ts handles both ('connect' and 'checkExpectation' listeners).
  it.each(cases)('answers %j with an error envelope', async (raw) => {
    const exchange = await sendRaw(daemon.port, [Buffer.from(raw.replace('Host: h', `Host: ${daemon.host}`))], { timeoutMs: EXCHANGE_BOUND_MS });
    const response = parseResponse(exchange.raw);
    expect(response?.status).toBeGreaterThanOrEqual(400);
    expect(response?.headers.get('content-type')?.[0]).toBe('application/json');
    expect(validateSchema('ErrorEnvelope', JSON.parse(response?.body.toString('utf8') ?? 'null') as unknown).ok).toBe(true);
  });
});

describe('a CONNECT with a large body', () => {
  it('is answered and its socket closes, so the daemon can still close', async () => {
    const body = Buffer.alloc(200_000, 0x7b);
    const head = Buffer.from(`CONNECT /v1/skills HTTP/1.1\r\nHost: ${daemon.host}\r\nAuthorization: Bearer ${daemon.token}\r\nContent-Length: ${body.length}\r\n\r\n`);
    const exchange = await sendRaw(daemon.port, [head, body], { timeoutMs: EXCHANGE_BOUND_MS });
    expect(parseResponse(exchange.raw)?.status).toBe(405);
    const open = (): Promise<number> => new Promise((resolve) => daemon.node.server.getConnections((_e, n) => resolve(n)));
    // Bounded: the server must drop the socket once the client is gone.
    for (let i = 0; i < 100 && (await open()) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await open()).toBe(0);
  });
});

describe('mock daemon past its limits', () => {
  it('answers the run and stream caps with a clear retryable envelope', async () => {
    const limited = await startFuzzDaemon({ maxActiveRuns: 2, maxOpenStreams: 1 });
    try {
      const start = (i: number): Promise<ReturnType<typeof parseResponse>> =>
        sendRaw(
          limited.port,
          [Buffer.from(`POST /v1/sessions/cap-${i}/runs HTTP/1.1\r\nHost: ${limited.host}\r\nAuthorization: Bearer ${limited.token}\r\nContent-Length: 20\r\nConnection: close\r\n\r\n{"text":"permission"}`.replace('Content-Length: 20', 'Content-Length: 21'))],
          { timeoutMs: EXCHANGE_BOUND_MS },
        ).then((e) => parseResponse(e.raw));
      const answers = [await start(1), await start(2), await start(3)];
      expect(answers.map((a) => a?.status)).toEqual([201, 201, 429]);
      const refused = JSON.parse(answers[2]?.body.toString('utf8') ?? 'null') as { error: { retryable: boolean; message: string } };
      expect(validateSchema('ErrorEnvelope', refused).ok).toBe(true);
      expect(refused.error.retryable).toBe(true);
    } finally {
      await limited.close();
    }
  });
});
