/**
 * Replays the reference captures against a mock host. The captures are the Go daemon's wire
 * output; this helper plays the daemon's part around `Agent.run` (run_start, permission_request,
 * run_done / run_error, envelopes) and decides each permission and cancel exactly as happened in
 * the capture, so the event stream can be compared with the captured one event for event.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../src/protocol/package-root.js';
import { RunFailure } from '../../reference-server/host.js';
import type { AgentIO, MockHost, PermissionAsk, RunInput } from '../../reference-server/host.js';

export const capturesDir = packagePath('fixtures', 'captures');

export interface CapturedEvent {
  version: number;
  id: string;
  seq: number;
  run_id: string;
  session_id: string;
  time: string;
  type: string;
  payload: Record<string, unknown>;
}

export function readCapture(name: string): string {
  return readFileSync(join(capturesDir, name), 'utf8');
}

/** The parsed `data:` envelopes of an SSE capture. */
export function captureEvents(name: string): CapturedEvent[] {
  return readCapture(name)
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as CapturedEvent);
}

/** The JSON body of a plain JSON capture (everything after the blank line ending the headers). */
export function captureJsonBody(name: string): unknown {
  const text = readCapture(name);
  const start = text.indexOf('\r\n\r\n');
  return JSON.parse(text.slice(start + 4));
}

export interface CapturedRun {
  file: string;
  input: RunInput;
  events: CapturedEvent[];
}

/** Every events capture that has a terminal event, with the run input from its start capture. */
export function capturedRuns(): CapturedRun[] {
  const files = readdirSync(capturesDir).sort();
  const inputs = new Map<string, RunInput>();
  for (const file of files) {
    const text = readFileSync(join(capturesDir, file), 'utf8');
    const request = /-d '(.*)' \$BASE\/v1\/sessions\/[^/ ]+\/runs$/m.exec(text.split('\n')[0] ?? '');
    if (!request || !text.includes('201 Created')) continue;
    let body: Record<string, unknown>;
    let response: { run_id: string; session_id: string };
    try {
      body = JSON.parse(request[1] ?? '') as Record<string, unknown>;
      response = captureJsonBody(file) as typeof response;
    } catch {
      continue; // e.g. trailing garbage after the JSON: the daemon reads the first value only
    }
    const str = (key: string): string | undefined => (typeof body[key] === 'string' ? (body[key] as string).trim() : undefined);
    const input: RunInput = { runId: response.run_id, sessionId: response.session_id, clientId: str('client_id') ?? '' };
    const text_ = str('text');
    if (text_ !== undefined) input.text = text_;
    const skill = str('skill');
    if (skill !== undefined) input.skill = skill;
    if (body['arguments'] !== undefined) input.arguments = body['arguments'];
    const role = str('role');
    if (role) input.role = role;
    const model = str('model');
    if (model) input.model = model;
    if (typeof body['max_turns'] === 'number') input.maxTurns = body['max_turns'];
    inputs.set(response.run_id, input);
  }
  const runs: CapturedRun[] = [];
  for (const file of files) {
    if (!/-events-/.test(file)) continue;
    const events = captureEvents(file);
    const last = events.at(-1);
    if (!last || (last.type !== 'run_done' && last.type !== 'run_error')) continue;
    const input = inputs.get(last.run_id);
    if (input) runs.push({ file, input, events });
  }
  return runs;
}

export interface ReplayedEvent {
  type: string;
  payload: Record<string, unknown>;
}

/** Runs the captured input on `host`, answering permissions and canceling as the capture shows. */
export async function replayRun(host: MockHost, run: CapturedRun): Promise<ReplayedEvent[]> {
  const captured = run.events;
  const out: ReplayedEvent[] = [];
  const controller = new AbortController();
  const errorAt = captured.findIndex((event) => event.type === 'error');
  const canceled = captured.at(-1)?.type === 'run_error' && (captured.at(-1)?.payload['error'] as { code?: string }).code === 'canceled';
  // Cancel once as many events exist as preceded the captured `error` (context canceled).
  const cancelAfter = canceled ? errorAt : -1;
  const push = (event: ReplayedEvent): void => {
    out.push(event);
    if (out.length === cancelAfter) controller.abort();
  };
  let clock = Date.parse('2026-11-24T16:50:26Z');
  const io: AgentIO = {
    emit: (event) => push({ type: event.type, payload: event.payload }),
    askPermission: (ask: PermissionAsk) => {
      const toolStarts = out.filter((event) => event.type === 'tool_start').length;
      const decision = capturedDecision(captured, toolStarts);
      if (decision.kind === 'granted') return Promise.resolve({ allow: true, reason: '' });
      push({
        type: 'permission_request',
        payload: {
          permission_id: 'perm_x',
          request: { tool: ask.tool, action: ask.action, target: ask.target || JSON.stringify(ask.args), args: ask.args, session_id: run.input.sessionId },
          expires_at: '2026-11-24T16:50:28.612928775Z',
        },
      });
      if (controller.signal.aborted) return Promise.reject(new RunFailure('canceled', 'context canceled'));
      if (decision.kind === 'allow') return Promise.resolve({ allow: true, reason: '' });
      if (decision.kind === 'pending') return Promise.reject(new Error(`${run.file}: permission left pending without a cancel`));
      return Promise.resolve({ allow: false, reason: decision.reason });
    },
    signal: controller.signal,
    now: () => new Date((clock += 1)),
  };
  push({ type: 'run_start', payload: { client_id: run.input.clientId, ...(run.input.skill !== undefined ? { skill: run.input.skill } : {}) } });
  try {
    const result = await host.agent.run(run.input, io);
    out.push({ type: 'run_done', payload: { message: result.message, new_messages: result.newMessages, text: result.text } });
  } catch (error) {
    const failure = error instanceof RunFailure ? error : new RunFailure('internal', (error as Error).message);
    out.push({ type: 'run_error', payload: { error: { code: failure.code, message: failure.message, retryable: false } } });
  }
  return out;
}

type Decision = { kind: 'granted' } | { kind: 'allow' } | { kind: 'deny'; reason: string } | { kind: 'pending' };

/** What happened to the permission of the Nth tool call (1-based) in the capture. */
function capturedDecision(events: CapturedEvent[], toolStart: number): Decision {
  let seen = 0;
  for (let i = 0; i < events.length; i++) {
    if (events[i]?.type !== 'tool_start' || ++seen !== toolStart) continue;
    if (events[i + 1]?.type !== 'permission_request') return { kind: 'granted' };
    const end = events[i + 2];
    if (end?.type !== 'tool_end') return { kind: 'pending' };
    const result = end.payload['tool_result'] as { is_error?: boolean; content?: { text?: string }[] };
    return result.is_error ? { kind: 'deny', reason: result.content?.[0]?.text ?? '' } : { kind: 'allow' };
  }
  return { kind: 'allow' };
}

/** Payloads with the values no two runs share (times, permission ids) replaced, keys kept in order. */
export function normalizePayload(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizePayload);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        if (key === 'created_at' || key === 'expires_at') return [key, 'T'];
        if (key === 'permission_id') return [key, 'perm_x'];
        return [key, normalizePayload(item)];
      }),
    );
  }
  return value;
}

/** A full envelope around a replayed event, for validateEvent. */
export function envelopeOf(event: ReplayedEvent, seq: number, run: CapturedRun): Record<string, unknown> {
  return {
    version: 1,
    id: `evt_${seq.toString(16).padStart(32, '0')}`,
    seq,
    run_id: run.input.runId,
    session_id: run.input.sessionId,
    time: '2026-11-24T16:50:26.324527681Z',
    type: event.type,
    payload: event.payload,
  };
}
