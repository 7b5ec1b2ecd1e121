import { RunFailure } from '../host.js';

/** What the engine waits with; tests inject one that resolves at once or on demand. */
export interface MockHostClock {
  /** Resolves after `ms`; rejects with the cancel failure as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The failure a canceled run ends with (the Go loop reports `context canceled`). */
export function canceled(): RunFailure {
  return new RunFailure('canceled', 'context canceled');
}

export const realClock: MockHostClock = {
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(canceled());
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(canceled());
      };
      // setTimeout fires at once for delays past 2^31-1 ms; cap them (about 24 days) instead.
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, Math.min(ms, 2_147_483_647));
      signal.addEventListener('abort', onAbort, { once: true });
    });
  },
};
