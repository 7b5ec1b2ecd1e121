/**
 * Daemon memory with N streams open at once: N `permission` runs, each with a reader parked on its
 * pending permission request. Per-stream cost = (RSS with N open − RSS before) / N, so it covers the
 * run, its event log, the socket and the stream together.
 */
import { round } from '../stats.js';
import { openEvents, startRun, type Target } from '../run-client.js';
import { tallyStream } from '../sse-tally.js';

export interface OpenStreamsResult {
  streams: number;
  opened: number;
  rssBeforeMb: number;
  rssOpenMb: number;
  perStreamKb: number;
  problems: string[];
}

const PARK_TIMEOUT_MS = 60_000;

export async function benchOpenStreams(target: Target & { rss(): Promise<number> }, streams: number): Promise<OpenStreamsResult> {
  // Warm up the same path once, so the baseline already holds compiled code and pools.
  await parkStreams(target, 20, 'warm').then((parked) => parked.release());
  await settle();
  const rssBefore = await target.rss();
  const parked = await parkStreams(target, streams, 'open');
  await settle();
  const rssOpen = await target.rss();
  await parked.release();
  return {
    streams,
    opened: parked.opened,
    rssBeforeMb: round(rssBefore / 2 ** 20),
    rssOpenMb: round(rssOpen / 2 ** 20),
    perStreamKb: round((rssOpen - rssBefore) / 1024 / Math.max(1, parked.opened)),
    problems: parked.problems.slice(0, 10),
  };
}

/** Opens `count` streams and resolves once each has delivered its `permission_request`. */
async function parkStreams(target: Target, count: number, tag: string): Promise<{ opened: number; problems: string[]; release(): Promise<void> }> {
  const controllers: AbortController[] = [];
  const readers: Promise<unknown>[] = [];
  const problems: string[] = [];
  let opened = 0;
  const parkedAll = await Promise.allSettled(
    Array.from({ length: count }, async (_, i) => {
      const controller = new AbortController();
      controllers.push(controller);
      const { eventsUrl } = await startRun(target, `${tag}-${i}`, 'permission');
      const body = await openEvents(target, eventsUrl, controller.signal);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no permission_request within ${PARK_TIMEOUT_MS} ms`)), PARK_TIMEOUT_MS);
        const reading = tallyStream(body, {
          startedAt: performance.now(),
          idleTimeoutMs: PARK_TIMEOUT_MS * 2,
          onType: {
            type: 'permission_request',
            callback: () => {
              clearTimeout(timer);
              resolve();
            },
          },
        }).catch(() => undefined); // aborted on release
        readers.push(reading);
      });
      opened += 1;
    }),
  );
  for (const result of parkedAll) if (result.status === 'rejected') problems.push(String(result.reason));
  return {
    opened,
    problems,
    async release() {
      // Disconnecting a reader cancels its run (Go semantics), which frees it.
      for (const c of controllers) c.abort();
      await Promise.allSettled(readers);
    },
  };
}

/** Lets the daemon finish writing and its allocator settle before sampling RSS. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 500));
