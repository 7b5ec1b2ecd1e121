/**
 * Record and replay (issue 14 item 4): `glue-mock-daemon --record --upstream <Go daemon>` proxies
 * runs of ../shared/go-daemon and writes each as scenario YAML; a mock daemon started with
 * `--scenarios <that dir>` replays them with the same event sequences (types, deltas, tool calls
 * and results, permission steps, errors). Skips with one line when ../shared/go-daemon is absent.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { goDaemonDir, startGoDaemon } from '../../bench/go-daemon.js';
import { packageRoot } from '../../src/protocol/package-root.js';
import { createReferenceServer } from '../../reference-server/index.js';
import { defaultCatalogsDir, loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode } from '../../reference-server/serve-node.js';
import { scenarioFromRun } from '../../reference-server/workbench/record/scenario-from-events.js';
import { cleanupDaemons, spawnDaemon, within, WAIT_MS } from '../reference-server/spawn-daemon.js';

const GO_DIR = goDaemonDir(packageRoot());
if (!GO_DIR) console.info('record/replay test skipped: ../shared/go-daemon is absent');

interface Step {
  text: string;
  /** Decisions for the run's permission requests, in order. */
  decide?: boolean[];
}

/** What must be equal between the Go run and its replay: no ids, no times. */
function essence(event: { type: string; payload: Record<string, unknown> }): unknown {
  const p = event.payload;
  switch (event.type) {
    case 'text_delta':
      return [event.type, p['delta']];
    case 'tool_start':
      return [event.type, p['tool_name'], (p['tool_call'] as { arguments?: unknown })?.arguments];
    case 'tool_end': {
      const m = p['message'] as { content?: unknown; is_error?: boolean };
      return [event.type, m.content, m.is_error ?? false];
    }
    case 'permission_request': {
      const r = p['request'] as Record<string, unknown>;
      return [event.type, r['tool'], r['action'], r['target'], r['args']];
    }
    case 'error':
      return [event.type, p['error']];
    case 'run_done':
      return [event.type, p['text']];
    case 'run_error':
      return [event.type, p['error']];
    default:
      return [event.type];
  }
}

async function drive(baseUrl: string, token: string, step: Step, session: string): Promise<unknown[]> {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Glue-Client-ID': 'cli:rec' };
  const start = await fetch(`${baseUrl}/v1/sessions/${session}/runs`, { method: 'POST', headers, body: JSON.stringify({ text: step.text, client_id: 'cli:rec' }) });
  expect(start.status).toBe(201);
  const { run_id, events_url } = (await start.json()) as { run_id: string; events_url: string };
  const stream = await fetch(baseUrl + events_url, { headers });
  const reader = stream.body!.getReader();
  const decoder = new TextDecoder();
  const decisions = [...(step.decide ?? [])];
  const out: unknown[] = [];
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      if (!data) continue;
      const envelope = JSON.parse(data.slice(6)) as { type: string; payload: Record<string, unknown> };
      out.push(essence(envelope));
      if (envelope.type === 'permission_request') {
        const allow = decisions.shift() ?? true;
        const id = envelope.payload['permission_id'] as string;
        const answer = await fetch(`${baseUrl}/v1/runs/${run_id}/permissions/${id}/decision`, { method: 'POST', headers, body: JSON.stringify({ allow, ...(allow ? {} : { reason: 'not now' }) }) });
        expect(answer.status).toBe(200);
      }
    }
  }
  return out;
}

const STEPS: Step[] = [
  { text: 'hello' },
  { text: 'permission', decide: [true] },
  { text: 'two-permissions', decide: [true, false] },
  { text: 'read' },
  { text: 'fail' },
  { text: 'fail-midstream' },
  { text: 'something else entirely' },
];

describe('scenarioFromRun', () => {
  it('keeps a denied call without a result, so the replaying daemon gives its own denial', () => {
    const doc = scenarioFromRun({
      name: 'x',
      text: 'permission',
      decisions: new Map([['perm_1', false]]),
      events: [
        { type: 'turn_start', payload: {} },
        { type: 'message_start', payload: {} },
        { type: 'tool_start', payload: { tool_call: { id: 'c1', name: 'write_note', arguments: { path: 'a' } } } },
        { type: 'permission_request', payload: { permission_id: 'perm_1', request: { action: 'write', target: 'a' } } },
        { type: 'tool_end', payload: { message: { content: [{ type: 'text', text: 'permission denied' }], is_error: true } } },
        { type: 'turn_start', payload: {} },
        { type: 'message_start', payload: {} },
        { type: 'text_delta', payload: { delta: 'ok' } },
      ],
    });
    expect(doc['turns']).toEqual([{ tool_calls: [{ tool: 'write_note', id: 'c1', args: { path: 'a' }, permission: { action: 'write', target: 'a' } }] }, { deltas: ['ok'] }]);
  });
});

describe.skipIf(!GO_DIR)('--record against the Go daemon, then --scenarios replays it', () => {
  const tmp = mkdtempSync(join(packageRoot(), '.tmp-record-'));
  afterAll(async () => {
    await cleanupDaemons();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('records every run as scenario YAML and replays the same event sequences', async () => {
    const token = 'record-replay-token-3e8a';
    const go = await startGoDaemon(GO_DIR!, tmp, '5s', { token });
    const out = join(tmp, 'recorded');
    try {
      const recorder = spawnDaemon(['--record', '--upstream', go.url, '--token', token, '--out', out, '--metadata', '']);
      const proxyUrl = (await recorder.lines(3))[1]!.slice('base_url: '.length);
      const recorded: unknown[][] = [];
      for (const [i, step] of STEPS.entries()) recorded.push(await drive(proxyUrl, token, step, `rec-${i}`));
      // Each run is written once its stream ended (the recorder reads it too).
      const deadline = Date.now() + WAIT_MS;
      while (readdirSync(out).filter((f) => f.endsWith('.yaml')).length < STEPS.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const files = readdirSync(out).filter((f) => f.endsWith('.yaml')).sort();
      expect(files).toHaveLength(STEPS.length);
      expect(recorder.stderr()).not.toContain(token);
      expect(files.map((f) => readFileSync(join(out, f), 'utf8')).join('')).not.toContain(token);
      recorder.child.kill('SIGTERM');
      expect((await within(recorder.exit, 'recorder exit')).code).toBe(0);

      // Through the proxy, the client saw what Go sent: the known Go sequences, not empty ones.
      expect(recorded[0]).toEqual([['run_start'], ['loop_start'], ['turn_start'], ['message_start'], ['text_delta', 'Hello'], ['text_delta', ', world'], ['message_end'], ['turn_end'], ['loop_end'], ['run_done', 'Hello, world']]);
      expect(recorded[2]!.filter((e) => (e as string[])[0] === 'permission_request')).toHaveLength(2);

      const replay = spawnDaemon(['--token', token, '--metadata', '', '--scenarios', out, '--permission-timeout', '5s']);
      const replayUrl = (await replay.lines(3))[1]!.slice('base_url: '.length);
      for (const [i, step] of STEPS.entries()) {
        expect(await drive(replayUrl, token, step, `rep-${i}`), step.text).toEqual(recorded[i]);
      }
      replay.child.kill('SIGTERM');
      expect((await within(replay.exit, 'replay exit')).code).toBe(0);

      // The defaults mimic the same Go fake host, so prove the recordings alone replay it: no default scenario loaded.
      const only = createReferenceServer({ token, host: loadMockHost({ scenariosDir: out, catalogsDir: defaultCatalogsDir(), includeDefaults: false }), permissionTimeoutMs: 5_000 });
      const node = await serveNode(only, { host: '127.0.0.1', port: 0, closeGraceMs: 200 });
      try {
        for (const [i, step] of STEPS.entries()) expect(await drive(node.url, token, step, `only-${i}`), step.text).toEqual(recorded[i]);
      } finally {
        await only.close();
        await node.close();
      }
      expect(readFileSync(join(out, files[0]!), 'utf8')).toMatch(/priority: 1\nmatch:\n  text: hello\nturns:\n  - deltas:\n      - Hello\n      - ", world"\n/);
    } finally {
      await go.close();
    }
  }, 120_000);
});
