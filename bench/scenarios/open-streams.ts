/**
 * Daemon memory with N streams open at once: N `permission` runs whose raw readers are parked on
 * the pending permission request. Per stream = (RSS with N open − RSS before) / N: the run, its
 * event log, the socket and the stream together. Cold: the first batch (includes one-time heap
 * growth); warm: a second batch after the first was released.
 */
import type { DaemonProcess } from '../daemon-process.js';
import { rawRun } from '../raw-client.js';
import { MB, rssAround } from './rss.js';
import { sessionTag } from './session-tag.js';

export interface OpenStreamsSample {
  /** KB per open stream, warm (a daemon that already grew to serve N). */
  perStreamKb: number;
  coldPerStreamKb: number;
  rssOpenMb: number;
}

const PARK_TIMEOUT_MS = 60_000;

export async function openStreamsSample(target: DaemonProcess, streams: number): Promise<OpenStreamsSample> {
  await (await park(target, 20)).release();
  const parkAll = async (): Promise<() => Promise<void>> => {
    const parked = await park(target, streams);
    return () => parked.release();
  };
  const cold = await rssAround(target, parkAll);
  const warm = await rssAround(target, parkAll);
  return {
    perStreamKb: (warm.held - warm.before) / 1024 / streams,
    coldPerStreamKb: (cold.held - cold.before) / 1024 / streams,
    rssOpenMb: warm.held / MB,
  };
}

async function park(target: DaemonProcess, count: number): Promise<{ release(): Promise<void> }> {
  const tag = sessionTag('park');
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
