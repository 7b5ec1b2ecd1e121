/**
 * The scenario engine through a fake AgentIO: deltas, floods, delays and cancellation, the
 * permission allow/deny paths and their scenario overrides, matching order, run options.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunFailure } from '../../reference-server/host.js';
import type { AgentIO, LoopEvent, MockHost, PermissionAnswer, PermissionAsk, RunInput, RunResult } from '../../reference-server/host.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import type { LoadMockHostOptions, MockHostClock } from '../../reference-server/mock-host/index.js';

interface Harness {
  events: LoopEvent[];
  asks: PermissionAsk[];
  controller: AbortController;
  io: AgentIO;
}

function harness(decide: (ask: PermissionAsk, h: Harness) => Promise<PermissionAnswer> | PermissionAnswer = () => ({ allow: true, reason: '' })): Harness {
  const h = { events: [], asks: [], controller: new AbortController() } as unknown as Harness;
  let ms = Date.parse('2026-11-25T10:00:00Z');
  h.io = {
    emit: (event) => h.events.push(event),
    askPermission: async (ask) => {
      h.asks.push(ask);
      return decide(ask, h);
    },
    signal: h.controller.signal,
    now: () => new Date((ms += 1)),
  };
  return h;
}

const types = (h: Harness): string[] => h.events.map((event) => event.type);
const deltas = (h: Harness): unknown[] => h.events.filter((event) => event.type === 'text_delta').map((event) => event.payload['delta']);
const input = (fields: Partial<RunInput>): RunInput => ({ runId: 'run_1', sessionId: 's1', clientId: '', ...fields });

/** Delays pass at once unless the run is canceled. */
const instantClock: MockHostClock = {
  sleep: (_ms, signal) => (signal.aborted ? Promise.reject(new RunFailure('canceled', 'context canceled')) : Promise.resolve()),
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function hostWith(scenarios: Record<string, string>, options: LoadMockHostOptions = {}): MockHost {
  const dir = mkdtempSync(join(tmpdir(), 'mock-host-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(scenarios)) writeFileSync(join(dir, name), text);
  return loadMockHost({ scenariosDir: dir, clock: instantClock, ...options });
}

async function failureOf(promise: Promise<RunResult>): Promise<RunFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RunFailure);
    return error as RunFailure;
  }
  throw new Error('expected the run to fail');
}

describe('text turns', () => {
  it('flood N streams N deltas, each message carrying the text so far', async () => {
    const h = harness();
    const result = await loadMockHost().agent.run(input({ text: 'flood 1000' }), h.io);
    expect(deltas(h)).toHaveLength(1000);
    expect(result.text).toBe('x'.repeat(1000));
    const last = h.events.filter((event) => event.type === 'text_delta').at(-1);
    expect(last?.payload['message']).toMatchObject({ content: [{ type: 'text', text: 'x'.repeat(1000) }] });
  });

  it('flood 0 streams no delta', async () => {
    const h = harness();
    await loadMockHost().agent.run(input({ text: 'flood 0' }), h.io);
    expect(deltas(h)).toEqual([]);
  });

  it('echoes anything else as one delta', async () => {
    const h = harness();
    const result = await loadMockHost().agent.run(input({ text: 'what now?' }), h.io);
    expect(deltas(h)).toEqual(['what now?']);
    expect(result.newMessages).toHaveLength(1);
  });

  it('splits text by chunk_size (code points), numbers repeat deltas and reports usage', async () => {
    const host = hostWith({
      'chunks.yaml': 'match: { text: chunks }\nturns:\n  - text: "héllo✓ab"\n    chunk_size: 3\n    usage: { input_tokens: 5, output_tokens: 3 }\n',
      'count.yaml': 'match: { regex: "^count (?<n>\\\\d+)$" }\nturns:\n  - repeat: { count: "{{match.n}}", delta: "{{i:03}}," }\n',
    });
    const h = harness();
    const result = await host.agent.run(input({ text: 'chunks' }), h.io);
    expect(deltas(h)).toEqual(['hél', 'lo✓', 'ab']);
    expect(result.message).toMatchObject({ usage: { input_tokens: 5, output_tokens: 3 }, stop_reason: 'stop' });
    const end = h.events.find((event) => event.type === 'message_end')?.payload['message'] as Record<string, unknown>;
    expect(Object.keys(end)).toEqual(['role', 'content', 'model', 'stop_reason', 'usage', 'created_at']);
    const c = harness();
    expect((await host.agent.run(input({ text: 'count 3' }), c.io)).text).toBe('001,002,003,');
  });

  it('applies the run model, then the role model, then the agent model', async () => {
    const host = loadMockHost();
    const model = async (fields: Partial<RunInput>): Promise<unknown> => (await host.agent.run(input({ text: 'hi', ...fields }), harness().io)).message['model'];
    expect(await model({})).toBe('fake-model');
    expect(await model({ role: 'reviewer' })).toBe('fake-reviewer-model');
    expect(await model({ role: 'reviewer', model: 'override-model' })).toBe('override-model');
  });

  it('fails an unknown role or skill before any loop event', async () => {
    const host = loadMockHost();
    const h = harness();
    expect((await failureOf(host.agent.run(input({ text: 'hi', role: 'nobody' }), h.io))).message).toBe('glue: role "nobody" not found');
    expect((await failureOf(host.agent.run(input({ skill: 'nosuch' }), h.io))).message).toBe('glue: skill "nosuch" not found');
    expect(h.events).toEqual([]);
  });
});

describe('delays and cancellation', () => {
  it('delayScale 0 makes slow instant', async () => {
    const h = harness();
    const result = await loadMockHost({ delayScale: 0 }).agent.run(input({ text: 'slow' }), h.io);
    expect(deltas(h)).toHaveLength(50);
    expect(result.text.startsWith('chunk-01 chunk-02 ')).toBe(true);
  });

  it('a cancel during a delay ends the wait at once: error, loop_end, RunFailure canceled', async () => {
    // Real timers, delays scaled to 10 s each: only the abort can end this run quickly.
    const host = loadMockHost({ delayScale: 100 });
    const h = harness();
    const running = host.agent.run(input({ text: 'slow' }), h.io);
    setTimeout(() => h.controller.abort(), 20);
    const started = Date.now();
    const failure = await failureOf(running);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(failure.code).toBe('canceled');
    expect(failure.message).toBe('context canceled');
    expect(types(h)).toEqual(['loop_start', 'turn_start', 'message_start', 'text_delta', 'error', 'loop_end']);
    expect(h.events.at(-2)?.payload).toEqual({ type: 'error', error: 'context canceled' });
    // No message was completed, so loop_end has no messages key (capture 123).
    expect(h.events.at(-1)?.payload).toEqual({ type: 'loop_end' });
  });

  it('real timers: slow with delays scaled to 1 ms completes', async () => {
    const h = harness();
    const result = await loadMockHost({ delayScale: 0.01 }).agent.run(input({ text: 'slow' }), h.io);
    expect(deltas(h)).toHaveLength(50);
    expect(result.text.endsWith('chunk-50 ')).toBe(true);
  });

  it('a flood without delays can still be canceled mid-stream', async () => {
    const h = harness();
    const running = loadMockHost().agent.run(input({ text: 'flood 20000' }), h.io);
    setTimeout(() => h.controller.abort(), 0);
    expect((await failureOf(running)).code).toBe('canceled');
    expect(deltas(h).length).toBeLessThan(20_000);
    expect(types(h).slice(-2)).toEqual(['error', 'loop_end']);
  });

  it('waits on the injected clock with the scaled delay', async () => {
    const waits: number[] = [];
    const clock: MockHostClock = { sleep: async (ms) => void waits.push(ms) };
    await loadMockHost({ clock, delayScale: 0.5 }).agent.run(input({ text: 'slow' }), harness().io);
    expect(waits).toEqual(new Array(49).fill(50));
  });

  it('a run canceled before it starts reports the cancel on its first turn', async () => {
    const h = harness();
    h.controller.abort();
    const failure = await failureOf(loadMockHost().agent.run(input({ text: 'hello' }), h.io));
    expect(failure.code).toBe('canceled');
    expect(types(h)).toEqual(['loop_start', 'turn_start', 'error', 'loop_end']);
  });
});

describe('permissions', () => {
  it('asks with the tool, action, target and args; allow runs the tool', async () => {
    const h = harness();
    const result = await loadMockHost().agent.run(input({ text: 'permission' }), h.io);
    expect(h.asks).toEqual([{ tool: 'write_note', action: 'write', target: 'notes/a.txt', args: { path: 'notes/a.txt', text: 'hi' } }]);
    expect(result.text).toBe('tool result: wrote 2 bytes to notes/a.txt');
  });

  it('deny: the model sees the reason as an error result and the run still succeeds', async () => {
    const h = harness(() => ({ allow: false, reason: 'not today' }));
    const result = await loadMockHost().agent.run(input({ text: 'permission' }), h.io);
    const end = h.events.find((event) => event.type === 'tool_end');
    expect(end?.payload['tool_result']).toEqual({ content: [{ type: 'text', text: 'not today' }], is_error: true });
    expect(result.text).toBe('tool result: error: not today');
    expect(result.newMessages.map((message) => message['role'])).toEqual(['assistant', 'tool', 'assistant']);
  });

  it('asks once per gated call: two-permissions asks for write then delete with a note: target', async () => {
    const h = harness();
    await loadMockHost().agent.run(input({ text: 'two-permissions' }), h.io);
    expect(h.asks.map((ask) => [ask.tool, ask.action, ask.target])).toEqual([
      ['write_note', 'write', 'notes/b.txt'],
      ['delete_note', 'delete', 'note:notes/b.txt'],
    ]);
  });

  it('read_note needs no permission', async () => {
    const h = harness();
    await loadMockHost().agent.run(input({ text: 'read' }), h.io);
    expect(h.asks).toEqual([]);
  });

  it('a cancel while the permission is pending: no tool_end, loop_end keeps the tool-call message', async () => {
    const h = harness((_ask, self) => {
      self.controller.abort();
      return Promise.reject(new RunFailure('canceled', 'context canceled'));
    });
    const failure = await failureOf(loadMockHost().agent.run(input({ text: 'permission' }), h.io));
    expect(failure.code).toBe('canceled');
    expect(types(h)).toEqual(['loop_start', 'turn_start', 'message_start', 'message_end', 'tool_start', 'error', 'loop_end']);
    const messages = h.events.at(-1)?.payload['messages'] as Record<string, unknown>[];
    expect(messages.map((message) => message['stop_reason'])).toEqual(['tool_use']);
  });

  it('scenario overrides: permission none, custom action/target, fixed results, on_deny result and fail', async () => {
    const host = hostWith({
      'none.yaml': 'match: { text: none }\nturns:\n  - tool_calls: [{ tool: write_note, args: { path: p, text: t }, permission: none }]\n  - text: "{{tool_result}}"\n',
      'custom.yaml':
        'match: { text: custom }\nturns:\n  - tool_calls:\n      - tool: read_note\n        args: { path: secret }\n        permission: { action: peek, target: "file:{{args.path}}" }\n        result: { text: "contents of {{args.path}}" }\n        on_deny: { result: { text: "refused: {{reason}}" } }\n  - text: "{{tool_result}}"\n',
      'strict.yaml': 'match: { text: strict }\nturns:\n  - tool_calls: [{ tool: write_note, args: { path: p, text: t }, on_deny: { fail: "denied: {{reason}}" } }]\n  - text: unreachable\n',
    });
    const none = harness();
    expect((await host.agent.run(input({ text: 'none' }), none.io)).text).toBe('wrote 1 bytes to p');
    expect(none.asks).toEqual([]);

    const allowed = harness();
    expect((await host.agent.run(input({ text: 'custom' }), allowed.io)).text).toBe('contents of secret');
    expect(allowed.asks).toEqual([{ tool: 'read_note', action: 'peek', target: 'file:secret', args: { path: 'secret' } }]);

    const denied = harness(() => ({ allow: false, reason: 'no' }));
    expect((await host.agent.run(input({ text: 'custom' }), denied.io)).text).toBe('error: refused: no');

    const strict = harness(() => ({ allow: false, reason: 'no' }));
    const failure = await failureOf(host.agent.run(input({ text: 'strict' }), strict.io));
    expect([failure.code, failure.message]).toEqual(['internal', 'denied: no']);
    expect(types(strict).slice(-3)).toEqual(['tool_start', 'error', 'loop_end']);
  });
});

describe('turn limits and provider errors', () => {
  it('max_turns ends a tool loop with an error and stop_reason max_turns in loop_end only', async () => {
    const h = harness();
    const failure = await failureOf(loadMockHost().agent.run(input({ text: 'read', maxTurns: 1 }), h.io));
    expect([failure.code, failure.message]).toEqual(['internal', 'loop: maximum turns exceeded (1)']);
    const end = h.events.find((event) => event.type === 'message_end')?.payload['message'] as Record<string, unknown>;
    const loopEnd = h.events.at(-1)?.payload['messages'] as Record<string, unknown>[];
    expect(end['stop_reason']).toBe('tool_use');
    expect(loopEnd.map((message) => message['stop_reason'])).toEqual(['max_turns', undefined]);
  });

  it('fail and fail-midstream end as the captured provider errors', async () => {
    const host = loadMockHost();
    const fail = await failureOf(host.agent.run(input({ text: 'fail' }), harness().io));
    expect(fail.message).toBe('loop: provider stream: fake provider: scripted failure');
    const mid = harness();
    const midFailure = await failureOf(host.agent.run(input({ text: 'fail-midstream' }), mid.io));
    expect(midFailure.message).toBe('fake provider: stream broke mid-turn');
    expect(types(mid)).not.toContain('message_end');
  });
});

describe('matching', () => {
  it('tries priority first, then skill, exact text, regex, default', async () => {
    const host = hostWith({
      'a-regex.yaml': 'match: { regex: "^he" }\nturns: [{ text: regex }]\n',
      'b-urgent.yaml': 'priority: 5\nmatch: { regex: "^urgent" }\nturns: [{ text: urgent }]\n',
      'c-text.yaml': 'match: { text: urgent hello }\nturns: [{ text: exact }]\n',
      'd-skill.yaml': 'match: { skill: triage }\nturns: [{ text: "skill {{skill}}" }]\n',
    });
    const text = async (fields: Partial<RunInput>): Promise<string> => (await host.agent.run(input(fields), harness().io)).text;
    expect(await text({ text: 'hello' })).toBe('Hello, world'); // default exact text beats a user regex
    expect(await text({ text: 'help' })).toBe('regex');
    expect(await text({ text: 'urgent hello' })).toBe('urgent');
    expect(await text({ skill: 'triage' })).toBe('skill triage');
    expect(await text({ text: 'anything' })).toBe('anything');
  });

  it('a user scenario replaces the default one of the same name', async () => {
    const host = hostWith({ 'hello.yaml': 'match: { text: hello }\nturns: [{ deltas: [Hi, " there"] }]\n' });
    expect((await host.agent.run(input({ text: 'hello' }), harness().io)).text).toBe('Hi there');
  });

  it('without the defaults, a prompt nothing matches fails as a provider error', async () => {
    const host = hostWith({ 'only.yaml': 'match: { text: only }\nturns: [{ text: ok }]\n' }, { includeDefaults: false });
    const h = harness();
    const failure = await failureOf(host.agent.run(input({ text: 'hello' }), h.io));
    expect(failure.message).toBe('loop: provider stream: mock host: no scenario matches "hello"');
    expect(types(h)).toEqual(['loop_start', 'turn_start', 'error', 'loop_end']);
  });

  it('a skill run sends the instructions and indented arguments, in minimal mode too', async () => {
    const h = harness();
    const result = await loadMockHost({ minimal: true }).agent.run(input({ skill: 'triage', arguments: { issue: 'a<b' } }), h.io);
    expect(result.text).toBe('Triage the issue and summarize the next step.\n\nArguments:\n{\n  "issue": "a\\u003cb"\n}');
  });
});
