/**
 * Cuts a recorded SSE body down to what a reader of a failure needs: the frame the failure is
 * about (and the one before it, for context) rather than the first ~2,000 characters, which for
 * a long stream never reach seq 5. Elided frames are named, not silently dropped.
 *
 * Which frame: "expected seq N after N-1" points at the N-th frame; otherwise the message's
 * `seq N` is the frame whose envelope has `"seq":N`, else the N-th frame.
 */
import { excerpt } from '../src/protocol/http-client.js';

/** Characters of an SSE body kept in a report. */
export const SSE_BODY_CHARS = 4000;

const SEQ_MENTION = /\bseq (\d+)\b/g;

function frameSeq(frame: string): number | undefined {
  const match = /"seq":(\d+)/.exec(frame);
  return match ? Number(match[1]) : undefined;
}

/** The SSE frames of a body (each with its blank line), and what follows the last complete one. */
function splitFrames(body: string): { frames: string[]; rest: string } {
  const frames: string[] = [];
  const pattern = /[\s\S]*?(?:\r\n\r\n|\n\n|\r\r)/y;
  let at = 0;
  for (let match = pattern.exec(body); match; match = pattern.exec(body)) {
    frames.push(match[0]);
    at = pattern.lastIndex;
  }
  return { frames, rest: body.slice(at) };
}

/** Index of the frame `message` points at, if any. */
export function focusIndex(frames: readonly string[], message: string | undefined): number | undefined {
  if (message === undefined) return undefined;
  // SSE-005's "expected seq 5 after 4, got 1" is about the fifth frame, whatever seq it carries.
  const position = /\bexpected seq (\d+) after \d+/.exec(message);
  if (position && Number(position[1]) <= frames.length) return Number(position[1]) - 1;
  for (const match of message.matchAll(SEQ_MENTION)) {
    const seq = Number(match[1]);
    const bySeq = frames.findIndex((f) => frameSeq(f) === seq);
    if (bySeq >= 0) return bySeq;
    if (seq >= 1 && seq <= frames.length) return seq - 1;
  }
  return undefined;
}

/**
 * The body to keep: with a focus, `… N earlier frames …`, the frame before, the focused frame,
 * and as many following frames as fit; without one, the frames from the start that fit.
 */
export function focusSseBody(body: string, message: string | undefined, maxChars = SSE_BODY_CHARS): string {
  const { frames, rest } = splitFrames(body);
  if (frames.length === 0) return excerpt(body, maxChars);
  const focus = focusIndex(frames, message);
  const start = focus === undefined ? 0 : Math.max(0, focus - 1);
  const kept: string[] = [];
  let used = 0;
  let end = start;
  for (; end < frames.length; end++) {
    const frame = frames[end]!;
    // The focused frame is always kept (cut if it alone is too long).
    if (used + frame.length > maxChars && !(focus !== undefined && end <= focus)) break;
    kept.push(used + frame.length > maxChars ? `${excerpt(frame, Math.max(200, maxChars - used))}\n\n` : frame);
    used += frame.length;
  }
  const before = start > 0 ? `… ${start} earlier frame${start === 1 ? '' : 's'} not shown …\n\n` : '';
  const remaining = frames.length - end;
  const tail = remaining > 0 ? `… ${remaining} later frame${remaining === 1 ? '' : 's'} not shown …\n` : rest === '' ? '' : excerpt(rest, 500);
  return `${before}${kept.join('')}${tail}`;
}

/** True for an exchange whose response is an event stream. */
export function isEventStream(headers: Record<string, string> | undefined): boolean {
  return Object.entries(headers ?? {}).some(([name, value]) => name.toLowerCase() === 'content-type' && value.toLowerCase().startsWith('text/event-stream'));
}
