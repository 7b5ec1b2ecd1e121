/**
 * Failure display: the SSE excerpt shows the offending frame, exchanges come in the order they
 * happened with the failing one marked, the console report wraps at 80 columns, and a failure
 * caused by a broken prerequisite names that first broken rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { focusSseBody } from '../../conformance/exchange-focus.js';
import { renderPretty } from '../../conformance/reporters/index.js';
import { wrapLine } from '../../conformance/reporters/exchange-text.js';
import { runSuite } from '../../conformance/runner.js';
import type { SuiteReport } from '../../conformance/types.js';
import { createFaultyServer } from '../../reference-server/faults/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode } from '../../reference-server/serve-node.js';

const frame = (seq: number, pad = 300): string => `id: evt_${seq}\nevent: text_delta\ndata: {"type":"text_delta","seq":${seq},"payload":{"delta":"${'x'.repeat(pad)}"}}\n\n`;

async function suiteAgainst(fault: string, only: string[]): Promise<SuiteReport> {
  const token = `display-${crypto.randomUUID()}`;
  const server = createFaultyServer({ token, host: loadMockHost({ delayScale: 0 }), faults: [fault] });
  const node = await serveNode(server, { host: '127.0.0.1', port: 0, closeGraceMs: 200 });
  try {
    return await runSuite({ url: node.url, token, profile: 'scripted', only, timeoutMs: 10_000 });
  } finally {
    await server.close().catch(() => undefined);
    await node.close();
  }
}

describe('focusSseBody', () => {
  const body = [1, 2, 3, 4, 7, 8, 9, 10].map((seq) => frame(seq)).join('');

  it('keeps the frame the message points at and the one before, naming what it leaves out', () => {
    const shown = focusSseBody(body, 'expected seq 5 after 4, got 7 (text_delta)', 1000);
    expect(shown.startsWith('… 3 earlier frames not shown …\n\n')).toBe(true);
    expect(shown).toContain('"seq":4,');
    expect(shown).toContain('"seq":7,');
    expect(shown).not.toContain('"seq":1,');
    expect(shown).toMatch(/… \d later frames? not shown …\n$/);
  });

  it('finds a frame by its seq value, and shows the start without a seq in the message', () => {
    expect(focusSseBody(body, 'text_delta (seq 9) does not match the spec', 1000)).toContain('"seq":9,');
    const plain = focusSseBody(body, 'something else', 1000);
    expect(plain.startsWith('id: evt_1\n')).toBe(true);
  });
});

describe('wrapLine', () => {
  it('wraps at 80 columns with a hanging indent and cuts words longer than a line', () => {
    const lines = wrapLine(`  ${'word '.repeat(40)}${'z'.repeat(200)}`, 80, 2);
    expect(lines.every((l) => [...l].length <= 80)).toBe(true);
    expect(lines[1]?.startsWith('    ')).toBe(true);
    expect(lines.join('').replace(/ /g, '')).toBe(`${'word'.repeat(40)}${'z'.repeat(200)}`);
  });
});

describe('failure display against fault-injected daemons', () => {
  let seq: SuiteReport;
  let start: SuiteReport;
  beforeAll(async () => {
    [seq, start] = await Promise.all([suiteAgainst('sse-seq-restart', ['SSE-005']), suiteAgainst('run-start-200', ['SSE-005', 'RUN-001'])]);
  });
  afterAll(() => undefined);

  it('SSE-005 shows the frame where seq restarts, not the stream from seq 1', () => {
    const result = seq.results.find((r) => r.id === 'SSE-005');
    expect(result?.status).toBe('fail');
    expect(result?.message).toMatch(/expected seq 5 after 4, got 1/);
    const failing = result!.exchanges[result!.failedExchange!]!;
    expect(failing.method).toBe('GET');
    expect(failing.url).toMatch(/\/events$/);
    expect(failing.responseBody).toMatch(/^… 3 earlier frames not shown …/);
    // The fifth frame carries seq 1 again: that is the one shown.
    expect(failing.responseBody).toMatch(/"seq":4,[\s\S]*"seq":1,/);
  });

  it('lists exchanges in the order they happened (the run start before its stream)', () => {
    const result = seq.results.find((r) => r.id === 'SSE-005')!;
    const methods = result.exchanges.map((e) => `${e.method} ${new URL(e.url).pathname.replace(/run_\w+/, 'ID')}`);
    expect(methods.indexOf('POST /v1/sessions/' + new URL(result.exchanges[0]!.url).pathname.split('/')[3] + '/runs')).toBe(0);
    expect(methods.at(result.failedExchange!)).toBe('GET /v1/runs/ID/events');
    expect(result.failedExchange).toBeGreaterThan(0);
  });

  it('wraps the console report at 80 columns and marks the failing exchange', () => {
    const text = renderPretty(seq);
    for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(text).toMatch(/exchange 2\/\d+ \(the failure is about this one\):\s+GET\s+\/v1\/runs\/\S+\/events → 200/);
    expect(text).toContain('< data: {"version":1,');
  });

  it('a follow-on failure names the first broken rule (RUN-001), not only the later check', () => {
    const run001 = start.results.find((r) => r.id === 'RUN-001');
    const sse005 = start.results.find((r) => r.id === 'SSE-005');
    expect(run001?.status).toBe('fail');
    expect(run001?.brokenRule).toBeUndefined();
    expect(sse005?.status).toBe('fail');
    expect(sse005?.brokenRule).toBe('RUN-001');
    expect(sse005?.message).toMatch(/^follow-on failure: RUN-001 is broken \(POST \/v1\/sessions\/\{id\}\/runs answers 201 [^)]*\): expected HTTP 201/);
  });
});
