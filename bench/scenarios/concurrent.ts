/**
 * C concurrent `hello` runs in distinct sessions, each read to its end: wall time of the burst and
 * time to first event (p50/p99 over its streams). Every stream must be complete (run_start first,
 * run_done last, the same event count as a lone run), or the sample fails. Also counts the listen-queue
 * overflows during the burst (dropped SYNs, each retried by the client a second later) and, for a
 * daemon process, the CPU it spent per run (/proc/PID/stat, 10 ms ticks over the whole burst).
 */
import { processCpuMs } from '../daemon-process.js';
import { listenOverflows } from '../netstat.js';
import { rawRun } from '../raw-client.js';
import { timedRun, type Target } from '../run-client.js';
import { percentile } from '../stats.js';
import type { Client } from './flood.js';
import { sessionTag } from './session-tag.js';

export interface BurstSample {
  wallMs: number;
  ttfeP50Ms: number;
  ttfeP99Ms: number;
  eventsPerRun: number;
  listenOverflows: number;
  /** The daemon's CPU (user + system) during the burst, per run; NaN without a pid. */
  cpuMsPerRun: number;
}

export async function helloBurst(target: Target & { pid?: number }, concurrency: number, client: Client): Promise<BurstSample> {
  const tag = sessionTag(`hello-${concurrency}-${client}`);
  const overflowsBefore = await listenOverflows();
  const cpuBefore = await processCpuMs(target);
  const startedAt = performance.now();
  const runs = await Promise.all(
    Array.from({ length: concurrency }, (_, i) =>
      client === 'raw' ? rawRun(target, `${tag}-${i}`, 'hello', { idleTimeoutMs: 30_000 }).finished : timedRun(target, `${tag}-${i}`, 'hello', { idleTimeoutMs: 30_000, parse: 'json' }),
    ),
  );
  const wallMs = performance.now() - startedAt;
  const cpuMsPerRun = ((await processCpuMs(target)) - cpuBefore) / concurrency;
  const overflows = (await listenOverflows()) - overflowsBefore;
  const counts = new Set(runs.map((r) => r.events));
  const broken = runs.find((r) => r.problem);
  if (broken) throw new Error(`${concurrency} concurrent hello: ${broken.runId}: ${broken.problem ?? ''}`);
  if (counts.size !== 1) throw new Error(`${concurrency} concurrent hello: streams of different lengths ${[...counts].join(', ')}`);
  const ttfes = runs.map((r) => r.firstEventMs);
  return { wallMs, ttfeP50Ms: percentile(ttfes, 50), ttfeP99Ms: percentile(ttfes, 99), eventsPerRun: runs[0]?.events ?? 0, listenOverflows: overflows, cpuMsPerRun };
}
