/**
 * Specificity: the stream rules the SSE checks apply must hold for the real Go daemon. Every
 * complete event stream in the captures is run through them (framing, names and ids, schema,
 * seq, first and terminal events, identity, times), and its headers through SSE-001/SSE-013.
 */
import { describe, expect, it } from 'vitest';
import { parseFrame } from '../../conformance/events.js';
import {
  firstEventProblem,
  framingProblem,
  identityProblem,
  nameAndIdProblem,
  sameEventsProblem,
  schemaProblem,
  seqProblem,
  terminalProblem,
  textRunProblem,
  timeFormatProblem,
  timeOrderProblem,
} from '../../conformance/stream-rules.js';
import { captureByFile, findHeader, loadHttpCaptures } from '../support/captures.js';

const exchange = { method: 'GET', url: 'capture', requestHeaders: {}, durationMs: 0 };
const complete = loadHttpCaptures().filter((c) => c.response.sse?.ended === true);

function eventsOf(file: string) {
  const sse = captureByFile(file).response?.sse;
  if (!sse) throw new Error(`${file} has no SSE body`);
  return sse.frames.map((f) => parseFrame({ id: f.id, event: f.event, data: f.data }, exchange));
}

describe('the Go daemon’s captured streams satisfy the SSE rules', () => {
  it('has complete streams to check', () => {
    expect(complete.length).toBeGreaterThanOrEqual(20);
  });

  it.each(complete.map((c) => [c.file] as const))('%s', (file) => {
    const capture = captureByFile(file);
    const response = capture.response;
    expect(response).toBeDefined();
    const sse = response?.sse;
    if (!response || !sse) return;
    expect(findHeader(response.headers, 'content-type')?.split(';')[0]).toBe('text/event-stream');
    expect(findHeader(response.headers, 'cache-control')).toContain('no-cache');
    const events = eventsOf(file);
    const first = events[0];
    const problems = {
      framing: framingProblem(sse.text),
      nameAndId: nameAndIdProblem(events),
      schema: schemaProblem(events),
      seq: seqProblem(events),
      first: firstEventProblem(events),
      terminal: terminalProblem(events),
      identity: identityProblem(events, String(first?.envelope['run_id']), String(first?.envelope['session_id'])),
      timeFormat: timeFormatProblem(events),
      timeOrder: timeOrderProblem(events),
    };
    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((k) => [k, undefined])));
  });

  it('the hello stream is the text-run sequence of SSE-014', () => {
    expect(textRunProblem(eventsOf('049-events-hello.txt'))).toBeUndefined();
    expect(textRunProblem(eventsOf('177-minimal-events-hello.txt'))).toBeUndefined();
  });

  it('a replay to a second reader is identical (SSE-011) and the late second reader of a live run too (SSE-012)', () => {
    expect(sameEventsProblem(eventsOf('049-events-hello.txt'), eventsOf('050-events-hello-replay-again.txt'), 'the replay')).toBeUndefined();
    expect(sameEventsProblem(eventsOf('141-events-two-readers-first.txt'), eventsOf('142-events-two-readers-second-joined-1.5s-late.txt'), 'the second reader')).toBeUndefined();
  });
});
