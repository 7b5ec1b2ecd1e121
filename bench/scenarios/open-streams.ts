/**
 * Daemon memory with N streams open at once: N `permission` runs whose raw readers are parked on
 * the pending permission request. Per stream = (RSS with N open − RSS before) / N: the run, its
 * event log, the socket and the stream together. Cold: the first batch (includes one-time heap
 * growth); warm: a second batch after the first was released.
 */
import type { DaemonProcess } from '../daemon-process.js';
import { rawRun } from '../raw-client.js';

export interface OpenStreamsSample {
  /** KB per open stream, warm (a daemon that already grew to serve N). */
  perStreamKb: number;
  coldPerStreamKb: number;
  rssOpenMb: number;
}

const PARK_TIMEOUT_MS = 60_000;
let counter = 0;

export async function openStreamsSample(target: DaemonProcess, streams: number): Promise<OpenStreamsSample> {
  await (await park(target, 20)).release();
  const rssIdle = await steadyRss(target);
  const cold = await park(target, streams);
  const rssCold = await steadyRss(target);
  await cold.release();
  const rssBefore = await steadyRss(target);
  const warm = await park(target, streams);
  const rssOpen = await steadyRss(target);
  await warm.release();
  return {
    perStreamKb: (rssOpen - rssBefore) / 1024 / streams,
    coldPerStreamKb: (rssCold - rssIdle) / 1024 / streams,
    rssOpenMb: rssOpen / 2 ** 20,
  };
}

async function park(target: DaemonProcess, count: number): Promise<{ release(): Promise<void> }> {
  const tag = `park-${counter++}`;
  const runs = Array.from({ length: count }, (_, i) => rawRun(target, `${tag}-${i}`, 'permission', { idleTimeoutMs: PARK_TIMEOUT_MS, parkOn: 'permission_request' }));
  try {
    await Promise.all(runs.map((r) => r.parked));
  } catch (error) {
    for (const r of runs) r.close();
    throw new Error(`open streams: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    async release() {
      // Disconnecting a reader cancels its run (Go semantics), which frees it.
      for (const r of runs) r.close();
      await Promise.allSettled(runs.map((r) => r.finished));
      await new Promise((r) => setTimeout(r, 300));
    },
  };
}

/** The lowest of a few RSS samples after a pause: garbage not yet collected is not held memory. */
export async function steadyRss(target: { rss(): Promise<number> }): Promise<number> {
  await new Promise((r) => setTimeout(r, 300));
  let low = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 150));
    low = Math.min(low, await target.rss());
  }
  return low;
}
