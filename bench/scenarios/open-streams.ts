/**
 * Daemon memory with N streams open at once: N `permission` runs, each with a reader parked on its
 * pending permission request. Per-stream cost = (RSS with N open − RSS before) / N, so it covers the
 * run, its event log, the socket and the stream together. Measured cold and warm (see below).
 */
import { round } from '../stats.js';
import { openEvents, startRun, type Target } from '../run-client.js';
import { tallyStream } from '../sse-tally.js';

export interface OpenStreamsResult {
  streams: number;
  opened: number;
  rssBeforeMb: number;
  rssOpenMb: number;
  /** Warm figure (the goal): RSS with N open − RSS after an earlier batch of N was released, over N. */
  perStreamKb: number;
  /** Cold figure: the first batch of N, from a daemon that had served 20 streams. */
  coldPerStreamKb: number;
  problems: string[];
}

const PARK_TIMEOUT_MS = 60_000;

export async function benchOpenStreams(target: Target & { rss(): Promise<number> }, streams: number): Promise<OpenStreamsResult> {
  // Cold: from a daemon that has served a few streams. The delta includes one-time growth of the
  // V8 heap (young generation, code), which is not a per-stream cost.
  await parkStreams(target, 20, 'warm').then((parked) => parked.release());
  await settle();
  const rssCold = await steadyRss(target);
  const first = await parkStreams(target, streams, 'cold');
  await settle();
  const rssFirst = await steadyRss(target);
  await first.release();
  // Warm: the same load again, after the first batch was released; the delta is what N open
  // streams hold in a daemon that has already grown to serve them.
  await settle();
  const rssBefore = await steadyRss(target);
  const parked = await parkStreams(target, streams, 'open');
  await settle();
  const rssOpen = await steadyRss(target);
  await parked.release();
  return {
    streams,
    opened: parked.opened,
    rssBeforeMb: round(rssBefore / 2 ** 20),
    rssOpenMb: round(rssOpen / 2 ** 20),
    perStreamKb: round((rssOpen - rssBefore) / 1024 / Math.max(1, parked.opened)),
    coldPerStreamKb: round((rssFirst - rssCold) / 1024 / Math.max(1, first.opened)),
    problems: [...first.problems, ...parked.problems].slice(0, 10),
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

/** The lowest of a few RSS samples: garbage not yet collected is not memory a stream holds. */
async function steadyRss(target: { rss(): Promise<number> }): Promise<number> {
  let low = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    low = Math.min(low, await target.rss());
  }
  return low;
}
