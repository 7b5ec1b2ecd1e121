/**
 * `--wait DUR`: poll `GET /v1/health` until the daemon answers 200 or the budget is spent, so a CI
 * job that starts the daemon in the background does not race its bind. Every attempt is bounded
 * by what is left of the budget; the pause between attempts is injected for tests.
 */
import { createHttpClient, describeError } from '../protocol/http-client.js';

export interface WaitOptions {
  baseUrl: string;
  /** Whole budget, first attempt to last. */
  timeoutMs: number;
  /** Pause between attempts. Default 250 ms. */
  intervalMs?: number;
  fetch?: typeof fetch;
  /** Injected sleep and clock (tests). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type WaitOutcome = { ready: true; attempts: number } | { ready: false; attempts: number; last: string };

const ATTEMPT_CAP_MS = 2_000;

export async function waitForHealth(options: WaitOptions): Promise<WaitOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const interval = options.intervalMs ?? 250;
  const deadline = now() + options.timeoutMs;
  let attempts = 0;
  let last = 'no attempt made';
  for (;;) {
    const left = deadline - now();
    if (left <= 0) return { ready: false, attempts, last };
    attempts += 1;
    // No token: health is the one unauthenticated route, and the token must not travel early.
    const http = createHttpClient({ baseUrl: options.baseUrl, timeoutMs: Math.max(1, Math.min(left, ATTEMPT_CAP_MS)), maxBodyBytes: 64 * 1024, ...(options.fetch ? { fetch: options.fetch } : {}) });
    try {
      const result = await http.request({ path: '/v1/health', auth: 'none' });
      if (result.status === 200) return { ready: true, attempts };
      last = `GET /v1/health answered ${result.status}`;
      // A 404 will not turn into a 200 by waiting: the base URL is probably wrong.
      if (result.status === 404) return { ready: false, attempts, last };
    } catch (error) {
      last = describeError(error);
    }
    const pause = Math.min(interval, deadline - now());
    if (pause > 0) await sleep(pause);
  }
}
