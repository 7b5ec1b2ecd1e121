/**
 * The full-size attacks of issue 11 (items 7, 8, 11, and the total budget of all runs' events) against a spawned `glue-mock-daemon`, with
 * the daemon's peak RSS sampled from /proc: only under `npm run fuzz` (they take a minute and
 * gigabytes when a bound breaks). `npm test` holds the short regression tests
 * (test/reference-server/node-hardening.test.ts, grant-store.test.ts, mock-host limits).
 * Bounds are generous (hundreds of MB where the unbounded daemon passed 1 GB) so a loaded box passes.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupDaemons, spawnDaemon, tempDir, within, type SpawnedDaemon } from '../reference-server/spawn-daemon.js';

const FULL = process.env.FUZZ_RUNS !== undefined;
const token = 'memory-bounds-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${token}` };
const figures: Record<string, unknown> = {};

afterAll(async () => {
  await cleanupDaemons();
  if (FULL) console.log(`memory bounds: ${JSON.stringify(figures)}`);
});

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Starts the daemon and samples its RSS every 50 ms; `peak()` is the growth over the idle daemon in MB. */
async function daemon(args: string[] = [], env: Record<string, string> = {}): Promise<{ url: string; port: number; d: SpawnedDaemon; growth: () => number; stop: () => void }> {
  const d = spawnDaemon(['--listen', '127.0.0.1:0', '--token', token, '--metadata', '', '--delay-scale', '0', '--permission-timeout', '60s', ...args], env);
  const lines = await d.lines(1);
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(lines.join('\n') + d.stdout())?.[0] ?? '';
  await fetch(`${url}/v1/health`);
  const pid = d.child.pid ?? 0;
  const base = rssMb(pid);
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  return { url, port: Number(url.split(':')[2]), d, growth: () => Math.round(Math.max(peak, rssMb(pid)) - base), stop: () => clearInterval(timer) };
}

async function start(url: string, session: string, text: string): Promise<{ status: number; body: { run_id: string; events_url: string } }> {
  const response = await fetch(`${url}/v1/sessions/${session}/runs`, { method: 'POST', headers: auth, body: JSON.stringify({ text }) });
  const body = response.status === 201 ? ((await response.json()) as { run_id: string; events_url: string }) : (await response.text(), { run_id: '', events_url: '' });
  return { status: response.status, body };
}

async function healthMs(url: string): Promise<number> {
  const t = performance.now();
  await (await fetch(`${url}/v1/health`)).text();
  return Math.round(performance.now() - t);
}

describe.skipIf(!FULL)('memory bounds at full size (npm run fuzz)', () => {
  it('flood 70000 is refused with a run error; flood 60000 (1.8 GB of SSE) streams while the daemon grows a few hundred MB at most', async () => {
    const { url, growth, stop } = await daemon();
    const big = await start(url, 'flood', 'flood 70000');
    const text = await (await fetch(url + big.body.events_url, { headers: auth })).text();
    expect(text).toContain('more than the limit of 2147483648 bytes (2048.0 MiB)');
    const ok = await start(url, 'flood', 'flood 60000');
    let bytes = 0;
    const reader = (await fetch(url + ok.body.events_url, { headers: auth })).body?.getReader();
    for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) bytes += next.value.byteLength;
    stop();
    figures.flood = { refused70000: true, streamed60000Mb: Math.round(bytes / 1e6), peakGrowthMb: growth() };
    expect(bytes).toBeGreaterThan(1_800_000_000);
    expect(growth()).toBeLessThan(400);
  }, 120_000);

  // 650 MB on the wire; the runs share each flood's text (frame-log.ts), so they hold ~4.5 MB each: a 16 MiB budget is crossed.
  it('12 concurrent flood 10000 runs (650 MB of events) stay within a 16 MiB budget of all runs\' events', async () => {
    const budget = 16 * 1024 * 1024;
    const { url, growth, stop } = await daemon(['--max-event-log-bytes', String(budget)]);
    const runs = await Promise.all(Array.from({ length: 12 }, (_, i) => start(url, `flood-${i}`, 'flood 10000')));
    const ends = await Promise.all(
      runs.map(async (run) => {
        const text = await (await fetch(url + run.body.events_url, { headers: auth })).text();
        return text.slice(text.lastIndexOf('event: '), text.lastIndexOf('event: ') + 400);
      }),
    );
    stop();
    const stopped = ends.filter((end) => end.includes(`more than the limit of ${budget} bytes`)).length;
    figures.concurrentFloods = { runs: 12, stoppedByBudget: stopped, peakGrowthMb: growth() };
    expect(stopped).toBeGreaterThan(0);
    expect(ends.every((end) => end.startsWith('event: run_done') || end.startsWith('event: run_error'))).toBe(true);
    expect(growth()).toBeLessThan(450);
  }, 180_000);

  it('20 slow runs with 900 KB session ids are answered 414 without growth', async () => {
    const { url, growth, stop } = await daemon(['--delay-scale', '1']);
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) statuses.add((await start(url, `${i}-${'a'.repeat(900_000)}`, 'slow')).status);
    stop();
    figures.slowLongIds = { statuses: [...statuses], peakGrowthMb: growth() };
    expect([...statuses]).toEqual([414]);
    expect(growth()).toBeLessThan(200);
  }, 120_000);

  it('4 bodies of 1.25 MB in one-byte chunks get 413 without holding a chunk object per byte', async () => {
    const { port, growth, stop } = await daemon();
    const chunk = Buffer.from('1\r\nx\r\n'.repeat(64 * 1024));
    const answers = await Promise.all(
      [0, 1, 2, 3].map(
        () =>
          new Promise<string>((resolve) => {
            const socket = connect(port, '127.0.0.1');
            let text = '';
            socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
            socket.on('error', () => undefined);
            socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
            socket.write(`POST /v1/sessions/c/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nTransfer-Encoding: chunked\r\n\r\n`);
            let sent = 0;
            const pump = (): void => {
              while (sent < 20) {
                sent++;
                if (!socket.write(chunk)) return void socket.once('drain', pump);
              }
              socket.end('0\r\n\r\n');
            };
            pump();
          }),
      ),
    );
    stop();
    figures.oneByteChunks = { answers: [...new Set(answers)], peakGrowthMb: growth() };
    expect(new Set(answers)).toEqual(new Set(['HTTP/1.1 413 Payload Too Large']));
    expect(growth()).toBeLessThan(300);
  }, 300_000);

  it('4 connections pipelining 50,000 requests each without reading: bounded growth, health keeps answering', async () => {
    // Node 24's V8 lets its young generation grow far beyond Node 20's 16 MB semi-spaces under the
    // garbage of 200,000 requests (a bare node:http server grew 96-215 MB here on Node 24, 49-56
    // MB on Node 20). Capped at Node 20's size, the bound measures what the daemon holds, not how
    // far V8 13 lets its nursery grow: 102-135 MB on Node 20 and 24. Without the daemon's hold at
    // 16 pipelined requests (MAX_PIPELINED_REQUESTS) it grew 410 MB on Node 20, 431 MB on Node 24.
    const { url, port, growth, stop } = await daemon([], { NODE_OPTIONS: '--max-semi-space-size=16' });
    const requests = Buffer.from('GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(50_000));
    const sockets = [0, 1, 2, 3].map(() => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.pause();
      socket.write(requests);
      return socket;
    });
    const latencies: number[] = [];
    for (let i = 0; i < 16; i++) {
      latencies.push(await within(healthMs(url), 'health while pipelined', 30_000));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const socket of sockets) socket.destroy();
    stop();
    figures.pipelining = { healthMaxMs: Math.max(...latencies), peakGrowthMb: growth() };
    expect(growth()).toBeLessThan(150);
  }, 120_000);

  it('4,000 remembered grants: decisions stay fast, the file holds them all', async () => {
    const dir = tempDir();
    const store = join(dir, 'store', 'permissions.json');
    const { url, growth, stop } = await daemon(['--permission-store', store]);
    const latencies: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const run = await start(url, `g${i}`, 'permission');
      const reader = (await fetch(url + run.body.events_url, { headers: auth })).body?.getReader();
      let text = '';
      let decided = false;
      for (;;) {
        const next = await reader?.read();
        if (!next || next.done) break;
        text += Buffer.from(next.value).toString();
        const asked = !decided && /"permission_id":"([^"]+)"/.exec(text);
        if (asked) {
          decided = true;
          const t = performance.now();
          await (await fetch(`${url}/v1/runs/${run.body.run_id}/permissions/${asked[1]}/decision`, { method: 'POST', headers: auth, body: '{"allow":true,"remember_for":"forever"}' })).text();
          latencies.push(performance.now() - t);
        }
      }
    }
    stop();
    const mean = (from: number): number => Math.round((latencies.slice(from, from + 100).reduce((a, b) => a + b, 0) / 100) * 10) / 10;
    const file = JSON.parse(readFileSync(store, 'utf8')) as { permissions: unknown[] };
    figures.grants = { decisionMsFirst100: mean(0), decisionMsLast100: mean(3900), fileGrants: file.permissions.length, fileBytes: readFileSync(store).byteLength, peakGrowthMb: growth() };
    expect(file.permissions).toHaveLength(4000);
  }, 600_000);
});
