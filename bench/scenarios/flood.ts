/** `flood N`: one run streaming N text deltas; wall time POST → stream end, events/s, MB/s. */
import { medianOf, round } from '../stats.js';
import { timedRun, type Target } from '../run-client.js';

export interface FloodResult {
  deltas: number;
  runs: number;
  events: number;
  bytes: number;
  wallMs: number;
  ttfeMs: number;
  eventsPerSec: number;
  mbPerSec: number;
  problems: string[];
}

export async function benchFlood(target: Target, deltas: number, runs: number): Promise<FloodResult> {
  const problems: string[] = [];
  const samples: { events: number; bytes: number; wallMs: number; ttfeMs: number; eventsPerSec: number; mbPerSec: number }[] = [];
  // One discarded warm-up run, so JIT and connection setup are not in the figures.
  await timedRun(target, `flood-warmup-${deltas}`, `flood ${deltas}`, { idleTimeoutMs: 30_000 });
  for (let i = 0; i < runs; i++) {
    const run = await timedRun(target, `flood-${deltas}-${i}`, `flood ${deltas}`, { idleTimeoutMs: 30_000 });
    if (run.problem) problems.push(`${run.runId}: ${run.problem}`);
    const seconds = run.endMs / 1000;
    samples.push({
      events: run.events,
      bytes: run.bytes,
      wallMs: run.endMs,
      ttfeMs: run.firstEventMs,
      eventsPerSec: run.events / seconds,
      mbPerSec: run.bytes / 1e6 / seconds,
    });
  }
  const m = medianOf(samples);
  return {
    deltas,
    runs,
    events: m.events,
    bytes: m.bytes,
    wallMs: round(m.wallMs),
    ttfeMs: round(m.ttfeMs, 2),
    eventsPerSec: Math.round(m.eventsPerSec),
    mbPerSec: round(m.mbPerSec),
    problems,
  };
}
