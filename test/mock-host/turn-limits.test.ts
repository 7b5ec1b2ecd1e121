/**
 * A scripted turn is bounded before it streams (issue 11, item 7): past 2 GiB of repeated text
 * (`flood 65536`; Go's fake host grows past 2 GB on `flood 60000`, the mock holds the text once)
 * the mock fails the run with a message naming the limit, and a YAML file with a literal count
 * over the limit does not load.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceServer } from '../../reference-server/index.js';
import { MockHostLoadError, loadMockHost } from '../../reference-server/mock-host/index.js';
import { deltaCountProblem, streamedTextProblem, turnLimits } from '../../reference-server/mock-host/turn-limits.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const token = 'turn-limits-token-0123456789';
const base = 'http://127.0.0.1:1';
const auth = { Authorization: `Bearer ${token}` };

async function runEvents(text: string): Promise<string> {
  const server = createReferenceServer({ token, host: loadMockHost({ delayScale: 0 }) });
  try {
    const started = (await (await server.handle(new Request(`${base}/v1/sessions/s/runs`, { method: 'POST', headers: auth, body: JSON.stringify({ text }) }))).json()) as { events_url: string };
    return await (await server.handle(new Request(base + started.events_url, { headers: auth }))).text();
  } finally {
    await server.close();
  }
}

describe('scripted turn limits', () => {
  it('flood N is allowed up to 65,535 deltas of one byte and refused at 65,536 (the 2 GiB of repeated text)', () => {
    expect(streamedTextProblem(new Array<string>(65_535).fill('x'))).toBeUndefined();
    expect(streamedTextProblem(new Array<string>(65_536).fill('x'))).toBe(
      'mock host: this turn would stream 2147516416 bytes (2048.0 MiB) of message text in its 65536 text_delta events (each repeats the message so far), more than the limit of 2147483648 bytes (2048.0 MiB)',
    );
    // Mixed deltas, repeated ones among them: the size named is the plain sum of each delta's UTF-8 bytes.
    const pieces = ['x'.repeat(300), 'é'.repeat(300), '😀'.repeat(100), 'x'];
    const mixed = Array.from({ length: 12_000 }, (_, i) => pieces[Math.floor(i / 7) % pieces.length]!);
    let soFar = 0;
    let plain = 0;
    for (const delta of mixed) plain += soFar += Buffer.byteLength(delta);
    expect(plain).toBeGreaterThan(turnLimits.maxStreamedTextBytes);
    expect(streamedTextProblem(mixed)).toContain(`would stream ${plain} bytes`);
    expect(streamedTextProblem(mixed.slice(0, 500))).toBeUndefined();
    expect(deltaCountProblem(turnLimits.maxDeltas)).toBeUndefined();
    expect(deltaCountProblem(turnLimits.maxDeltas + 1)).toBe('mock host: a turn of 100001 deltas is more than the limit of 100000');
  });

  it('flood 70000 ends at once with error + run_error internal naming the limit, streaming no delta', async () => {
    const text = await runEvents('flood 70000');
    const types = [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(types).toEqual(['run_start', 'loop_start', 'turn_start', 'error', 'loop_end', 'run_error']);
    expect(text).toContain(
      '"error":{"code":"internal","message":"loop: provider stream: mock host: this turn would stream 2450035000 bytes (2336.5 MiB) of message text in its 70000 text_delta events (each repeats the message so far), more than the limit of 2147483648 bytes (2048.0 MiB)","retryable":false}',
    );
    expect(text.length).toBeLessThan(10_000);
  });

  it('a count past 100,000 fails before any delta is built', async () => {
    const text = await runEvents('flood 1000000000');
    expect(text).toContain('mock host: a turn of 1000000000 deltas is more than the limit of 100000');
  });

  it('a scenario file with a literal repeat count over the limit does not load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'turn-limits-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'big.yaml'), 'match:\n  text: big\nturns:\n  - repeat:\n      count: 100001\n      delta: x\n');
    expect(() => loadMockHost({ scenariosDir: dir })).toThrow(MockHostLoadError);
    expect(() => loadMockHost({ scenariosDir: dir })).toThrow(/count 100001 is more than the limit of 100000 deltas per turn/);
  });
});
