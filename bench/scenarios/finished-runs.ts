/**
 * The daemon's resident memory after N finished `hello` runs (each read to its end, 50 at a time),
 * from a fresh daemon: what a long-lived daemon holds for runs it keeps for late readers. RSS is
 * also split into the process's own pages and its executable's (node's binary alone keeps about
 * 35 MB of its pages resident, more than Go's whole daemon after these runs).
 */
import { processRssSplit, type DaemonProcess } from '../daemon-process.js';
import { rawRun } from '../raw-client.js';
import { MB, rssAround } from './rss.js';
import { sessionTag } from './session-tag.js';

export interface FinishedRunsSample {
  rssMb: number;
  rssIdleMb: number;
  growthMb: number;
  /** Of `rssMb`, the process's own pages (RssAnon) and those of the files it maps (RssFile: its executable). */
  anonMb: number;
  fileMb: number;
}

const BATCH = 50;

export async function finishedRunsSample(target: DaemonProcess, runs: number): Promise<FinishedRunsSample> {
  const tag = sessionTag('finished');
  const { before, held } = await rssAround(target, async () => {
    for (let done = 0; done < runs; done += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, runs - done) }, (_, i) => rawRun(target, `${tag}-${done + i}`, 'hello', { idleTimeoutMs: 30_000 }).finished);
      for (const run of await Promise.all(batch)) if (run.problem) throw new Error(`finished runs: ${run.problem}`);
    }
  });
  const split = await processRssSplit(target.pid);
  return { rssMb: held / MB, rssIdleMb: before / MB, growthMb: (held - before) / MB, anonMb: split.anon / MB, fileMb: split.file / MB };
}
