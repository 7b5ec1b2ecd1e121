/**
 * Proof that the raw reader is no bottleneck: record a real `flood` events response, replay it
 * from a zero-cost server in another process, and read it with the same reader. Its MB/s must be
 * well above what any daemon managed in the same run.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portLine } from './daemon-process.js';
import { rawRun, type RawTarget } from './raw-client.js';
import { median } from './stats.js';

export interface Ceiling {
  recordedFrom: string;
  mb: number;
  /** MB/s the raw reader read the replay at (median of the reads), wall clock. */
  mbPerSec: number;
  /** MB per second of the reader's own CPU (user + system): its speed with a core to itself. */
  cpuMbPerSec: number;
  reads: number[];
}

export async function readerCeiling(source: RawTarget, sourceName: string, deltas: number, tmpDir: string, reads: number): Promise<Ceiling> {
  const recording = rawRun(source, `ceiling-${Date.now()}`, `flood ${deltas}`, { idleTimeoutMs: 30_000, record: true });
  const tally = await recording.finished;
  if (tally.problem) throw new Error(`ceiling: recording failed: ${tally.problem}`);
  const file = join(tmpDir, 'replay.bin');
  await writeFile(file, Buffer.concat(recording.recorded));
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./replay-server.ts', import.meta.url)), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await portLine(child, 'ceiling: replay server');
    const target = { url: `http://127.0.0.1:${port}`, token: 'replay' };
    const speeds: number[] = [];
    const cpuSpeeds: number[] = [];
    for (let i = 0; i <= reads; i++) {
      const cpu = process.cpuUsage();
      const run = await rawRun(target, 'replay', 'flood', { idleTimeoutMs: 30_000 }).finished;
      const used = process.cpuUsage(cpu);
      if (run.events !== tally.events) throw new Error(`ceiling: replay read ${run.events} events, recorded ${tally.events}`);
      if (i === 0) continue; // the first read warms up
      speeds.push(run.bytes / 1e3 / run.endMs);
      cpuSpeeds.push(run.bytes / (used.user + used.system));
    }
    return { recordedFrom: sourceName, mb: tally.bytes / 1e6, mbPerSec: median(speeds), cpuMbPerSec: median(cpuSpeeds), reads: speeds };
  } finally {
    child.kill('SIGTERM');
  }
}
