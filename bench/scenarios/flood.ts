/**
 * `flood N`: one run streaming N text deltas (each repeating the whole partial message, so the
 * stream grows with N²: 10,000 deltas ≈ 55 MB). Wall time from the POST to the end of the stream.
 * `raw`: the near-zero-cost socket reader; `parse`: fetch (undici) + JSON.parse of every frame.
 * Also the serving process's CPU over the run (/proc/PID/stat, 10 ms ticks).
 */
import { processCpuMs } from '../daemon-process.js';
import { rawRun } from '../raw-client.js';
import { timedRun, type Target } from '../run-client.js';
import { sessionTag } from './session-tag.js';

export interface FloodSample {
  wallMs: number;
  ttfeMs: number;
  events: number;
  mb: number;
  mbPerSec: number;
  /** CPU (user + system) of the serving process during the run; NaN without a pid. */
  cpuMs: number;
}

export type Client = 'raw' | 'parse';

export async function floodSample(target: Target & { pid?: number }, deltas: number, client: Client): Promise<FloodSample> {
  const session = sessionTag(`flood-${deltas}-${client}`);
  const cpuBefore = await processCpuMs(target);
  const run = client === 'raw'
    ? await rawRun(target, session, `flood ${deltas}`, { idleTimeoutMs: 30_000 }).finished
    : await timedRun(target, session, `flood ${deltas}`, { idleTimeoutMs: 30_000, parse: 'json' });
  if (run.problem) throw new Error(`flood ${deltas}: ${run.problem}`);
  // run_start, the host's message/turn events and N deltas: a short stream means a lost frame.
  if (run.events < deltas) throw new Error(`flood ${deltas}: only ${run.events} events`);
  const cpuMs = (await processCpuMs(target)) - cpuBefore;
  return { wallMs: run.endMs, ttfeMs: run.firstEventMs, events: run.events, mb: run.bytes / 1e6, mbPerSec: run.bytes / 1e3 / run.endMs, cpuMs };
}
