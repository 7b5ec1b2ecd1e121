/**
 * The SSE stream rules as pure functions over a finished stream: each returns the first problem
 * as a message, or undefined. Checks apply them to live streams; a self-test applies them to the
 * Go daemon's captured streams, so a rule the real daemon breaks cannot slip in.
 */
import { rawSseBlocks } from '../src/protocol/sse-reader.js';
import { validateEvent } from '../src/protocol/validator.js';
import { show } from './expect.js';
import { shortName } from './limits.js';
import { timeFields, timeNs, UTC_RFC3339 } from './time.js';

/** What the rules need of one received event (`ReceivedEvent` fits). */
export interface StreamEvent {
  frame: { id: string | undefined; event: string | undefined; data: string };
  envelope: Record<string, unknown>;
  type: string | undefined;
  seq: number | undefined;
  payload: Record<string, unknown>;
}

export type Problem = string | undefined;

const TERMINAL = ['run_done', 'run_error'];
const isTerminal = (e: StreamEvent): boolean => e.type !== undefined && TERMINAL.includes(e.type);
const describe = (e: StreamEvent): string => `${e.type ?? '?'} (seq ${e.seq ?? '?'})`;
const ALLOWED_FIELDS = new Set(['id', 'event', 'data', 'retry']);

/** SSE-002: one id:, one event:, one data: line per block, a blank line after it, nothing else. */
export function framingProblem(rawText: string): Problem {
  const { blocks } = rawSseBlocks(rawText);
  const events = blocks.filter((b) => b.lines.some((l) => !l.startsWith(':')));
  if (events.length === 0) return 'the stream carried no SSE event blocks';
  for (const [index, block] of events.entries()) {
    const fields = block.lines.filter((l) => !l.startsWith(':')).map((l) => (l.includes(':') ? l.slice(0, l.indexOf(':')) : l));
    const unknown = fields.filter((f) => !ALLOWED_FIELDS.has(f));
    const count = (name: string): number => fields.filter((f) => f === name).length;
    const problem =
      unknown.length > 0 ? `unknown field(s) ${show(unknown)}`
      : count('id') !== 1 ? `${count('id')} id: lines`
      : count('event') !== 1 ? `${count('event')} event: lines`
      : count('data') !== 1 ? `${count('data')} data: lines`
      : !block.terminated ? 'no blank line after it'
      : undefined;
    if (problem) return `SSE event block ${index + 1} has ${problem}: ${show(block.lines.join('\\n'), 200)}`;
  }
  return undefined;
}

/** SSE-003: `event:` equals the envelope type, `id:` equals the envelope id. */
export function nameAndIdProblem(events: readonly StreamEvent[]): Problem {
  for (const e of events) {
    if (e.frame.event !== e.type) return `event: line ${show(e.frame.event)} differs from envelope type ${show(e.type)} at seq ${e.seq ?? '?'}`;
    if (e.frame.id !== e.envelope['id']) return `id: line ${show(e.frame.id)} differs from envelope id ${show(e.envelope['id'])} at ${describe(e)}`;
  }
  return undefined;
}

/** SSE-004: every envelope and its payload validate against the spec. */
export function schemaProblem(events: readonly StreamEvent[]): Problem {
  for (const e of events) {
    const verdict = validateEvent(e.envelope);
    if (!verdict.ok) return `${describe(e)} does not match the spec: ${verdict.errors.slice(0, 5).join('; ')}`;
  }
  return undefined;
}

/** SSE-005: seq is 1, 2, 3, … */
export function seqProblem(events: readonly StreamEvent[]): Problem {
  for (const [i, e] of events.entries()) {
    if (e.seq !== i + 1) {
      return i === 0 ? `expected the first seq to be 1, got ${show(e.envelope['seq'])}` : `expected seq ${i + 1} after ${i}, got ${show(e.envelope['seq'])} (${e.type ?? '?'})`;
    }
  }
  return undefined;
}

/** SSE-006: run_start first. */
export function firstEventProblem(events: readonly StreamEvent[]): Problem {
  const first = events[0];
  return first?.type === 'run_start' ? undefined : `expected run_start first, got ${first ? describe(first) : 'no events'}`;
}

/** SSE-007: exactly one terminal event, and it is the last. */
export function terminalProblem(events: readonly StreamEvent[]): Problem {
  const types = events.map((e) => shortName(e.type)).join(', ');
  const terminals = events.filter(isTerminal).length;
  if (terminals !== 1) return `expected exactly one terminal event, got ${terminals}: ${types}`;
  const last = events.at(-1);
  return last && isTerminal(last) ? undefined : `expected the terminal event last, got ${types}`;
}

/** SSE-008: version 1 and the run's own run_id and session_id in every envelope. */
export function identityProblem(events: readonly StreamEvent[], runId: string, sessionId: string): Problem {
  for (const e of events) {
    if (e.envelope['version'] !== 1) return `expected version 1 in ${describe(e)}, got ${show(e.envelope['version'])}`;
    if (e.envelope['run_id'] !== runId) return `expected run_id ${show(runId)} in ${describe(e)}, got ${show(e.envelope['run_id'])}`;
    if (e.envelope['session_id'] !== sessionId) return `expected session_id ${show(sessionId)} in ${describe(e)}, got ${show(e.envelope['session_id'])}`;
  }
  return undefined;
}

/** SSE-009: envelope time and every payload timestamp are RFC 3339 UTC. */
export function timeFormatProblem(events: readonly StreamEvent[]): Problem {
  for (const e of events) {
    const time = e.envelope['time'];
    if (typeof time !== 'string' || !UTC_RFC3339.test(time)) return `expected an RFC 3339 UTC time in ${describe(e)}, got ${show(time)}`;
    for (const field of timeFields(e.payload, '/payload')) {
      if (typeof field.value !== 'string' || !UTC_RFC3339.test(field.value)) return `expected an RFC 3339 UTC time at ${field.pointer} of ${describe(e)}, got ${show(field.value)}`;
    }
  }
  return undefined;
}

/** SSE-010: envelope times never go backwards. */
export function timeOrderProblem(events: readonly StreamEvent[]): Problem {
  let previous: bigint | undefined;
  for (const e of events) {
    const now = timeNs(e.envelope['time']);
    if (now !== undefined && previous !== undefined && now < previous) return `time goes backwards at ${describe(e)}: ${show(e.envelope['time'])}`;
    previous = now ?? previous;
  }
  return undefined;
}

/** SSE-014 (scripted `hello`): the text-turn event order, and run_done.text equals the deltas joined. */
export function textRunProblem(events: readonly StreamEvent[]): Problem {
  const types = events.map((e) => e.type ?? '?');
  const collapsed = types.filter((t, i) => t !== 'text_delta' || types[i - 1] !== 'text_delta');
  const want = ['run_start', 'loop_start', 'turn_start', 'message_start', 'text_delta', 'message_end', 'turn_end', 'loop_end', 'run_done'];
  if (collapsed.join(',') !== want.join(',')) return `expected ${want.join(', ')} (text_delta repeated), got ${types.map(shortName).join(', ')}`;
  const text = events
    .filter((e) => e.type === 'text_delta')
    .map((e) => (typeof e.payload['delta'] === 'string' ? e.payload['delta'] : ''))
    .join('');
  const done = events.at(-1)?.payload['text'];
  return done === text ? undefined : `expected run_done.payload.text ${show(text)} (the deltas joined), got ${show(done)}`;
}

/** SSE-011 / SSE-012: two readers saw the same events (same ids, names and data). */
export function sameEventsProblem(first: readonly StreamEvent[], second: readonly StreamEvent[], who: string): Problem {
  const length = Math.max(first.length, second.length);
  for (let i = 0; i < length; i++) {
    const x = first[i];
    const y = second[i];
    if (!x || !y) return `${who} got ${second.length} events, the first reader ${first.length}`;
    if (x.frame.data !== y.frame.data || x.frame.id !== y.frame.id || x.frame.event !== y.frame.event) {
      return `${who} differs at event ${i + 1}: expected ${show(x.frame.data, 160)}, got ${show(y.frame.data, 160)}`;
    }
  }
  return undefined;
}
