/**
 * How much one scripted turn may stream. Every `text_delta` event repeats the whole message so
 * far (as Go's loop does), so `flood N` sends about N²/2 bytes to every reader: flood 30000 is
 * 463 MB, flood 60000 1.8 GB (Go's fake host streams it and grows past 2 GB). The run's log holds
 * the text once (frame-log.ts), so memory no longer grows with N²; what is left to bound is the
 * work one request buys (each frame is still assembled and written in full). The cap is set past
 * every flood measured against Go; a turn over it stops before it starts, with a run error that
 * names the limit.
 */
import { utf8ByteLength } from '../portable-crypto.js';

export const turnLimits = {
  /** Deltas in one turn. */
  maxDeltas: 100_000,
  /** Sum over the turn's deltas of the message text so far, in bytes: 2 GiB (flood N: N ≤ 65,535). */
  maxStreamedTextBytes: 2 * 1024 * 1024 * 1024,
} as const;

/** Why a turn with `count` deltas may not run, or undefined (checked before any delta is rendered). */
export function deltaCountProblem(count: number): string | undefined {
  if (count <= turnLimits.maxDeltas) return undefined;
  return `mock host: a turn of ${count} deltas is more than the limit of ${turnLimits.maxDeltas}`;
}

/** Why these deltas may not be streamed, or undefined. */
export function streamedTextProblem(deltas: readonly string[]): string | undefined {
  const countProblem = deltaCountProblem(deltas.length);
  if (countProblem) return countProblem;
  let soFar = 0;
  let streamed = 0;
  // A flood repeats one string: its length is counted once (this runs before the first delta streams).
  let last: string | undefined;
  let lastBytes = 0;
  for (const delta of deltas) {
    if (delta !== last) {
      last = delta;
      lastBytes = utf8ByteLength(delta);
    }
    soFar += lastBytes;
    streamed += soFar;
  }
  if (streamed <= turnLimits.maxStreamedTextBytes) return undefined;
  const size = (bytes: number): string => `${bytes} bytes (${(bytes / (1024 * 1024)).toFixed(1)} MiB)`;
  return (
    `mock host: this turn would stream ${size(streamed)} of message text in its ${deltas.length} text_delta events ` +
    `(each repeats the message so far), more than the limit of ${size(turnLimits.maxStreamedTextBytes)}`
  );
}
