/**
 * C concurrent `hello` runs in distinct sessions, each read to the end: total wall time, time to
 * first event (p50/p99 over all runs), and every stream checked for lost or out-of-order events.
 */
import { median, percentile, round } from '../stats.js';
import { timedRun, type Target } from '../run-client.js';

export interface ConcurrentResult {
  concurrency: number;
  runs: number;
  wallMs: number;
  ttfeP50Ms: number;
  ttfeP99Ms: number;
  eventsPerRun: number;
  /** Streams with a missing, repeated or out-of-order seq, or a wrong event count, over all runs. */
  badStreams: number;
  problems: string[];
}

export async function benchConcurrent(target: Target, concurrency: number, runs: number, tag: string): Promise<ConcurrentResult> {
  const expected = (await timedRun(target, `${tag}-probe`, 'hello', { idleTimeoutMs: 10_000, parse: 'json' })).events;
  const walls: number[] = [];
  const ttfeP50: number[] = [];
  const ttfeP99: number[] = [];
  const problems: string[] = [];
  let badStreams = 0;
  // The first round warms up the pool and the JIT and is not counted.
  for (let round_ = -1; round_ < runs; round_++) {
    const startedAt = performance.now();
    // The warm-up round is at least 50 runs, so even the one-at-a-time figure is taken after JIT.
    const size = round_ < 0 ? Math.max(concurrency, 50) : concurrency;
    const results = await Promise.allSettled(
      Array.from({ length: size }, (_, i) => timedRun(target, `${tag}-${round_}-${i}`, 'hello', { idleTimeoutMs: 30_000, parse: 'json' })),
    );
    const wall = performance.now() - startedAt;
    if (round_ < 0) continue;
    const ttfes: number[] = [];
    for (const result of results) {
      if (result.status === 'rejected') {
        badStreams += 1;
        problems.push(String(result.reason));
        continue;
      }
      ttfes.push(result.value.firstEventMs);
      const wrongCount = result.value.events !== expected ? `expected ${expected} events, got ${result.value.events}` : undefined;
      const problem = result.value.problem ?? wrongCount;
      if (problem) {
        badStreams += 1;
        problems.push(`${result.value.runId}: ${problem}`);
      }
    }
    walls.push(wall);
    ttfeP50.push(percentile(ttfes, 50));
    ttfeP99.push(percentile(ttfes, 99));
  }
  return {
    concurrency,
    runs,
    wallMs: round(median(walls)),
    ttfeP50Ms: round(median(ttfeP50), 2),
    ttfeP99Ms: round(median(ttfeP99), 2),
    eventsPerRun: expected,
    badStreams,
    problems: tallyProblems(problems),
  };
}

/** Distinct problems with their counts (ids and numbers folded), so 1,000 failures read as one line. */
function tallyProblems(problems: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const p of problems) {
    const key = p.replace(/run_[0-9a-f]+/g, 'run_…').replace(/\d{4,}/g, 'N').slice(0, 200);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${n}× ${key}`);
}
