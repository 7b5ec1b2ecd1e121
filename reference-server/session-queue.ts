/**
 * Runs in one session execute one at a time, in start order (Go serialises `Session.Prompt`).
 * A queued run can be canceled while it waits; it then leaves the queue without running, and the
 * runs behind it still wait for the one ahead of it.
 */
/** What waits for a turn: its cancel switch, and whether it was canceled without making one (a Run's is made on first use). */
export interface Cancelable {
  readonly signal: AbortSignal;
  readonly aborted: boolean;
}

export class SessionQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Resolves with a release function once it is this run's turn, or undefined if `waiter` is canceled first. */
  async acquire(sessionId: string, waiter: Cancelable): Promise<(() => void) | undefined> {
    const ahead = this.tails.get(sessionId);
    if (ahead === undefined) return this.acquireIdle(sessionId, waiter);
    const signal = waiter.signal;
    const previous = ahead;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.tails.set(sessionId, tail);
    const releaseTurn = (): void => {
      release();
      void tail.then(() => {
        if (this.tails.get(sessionId) === tail) this.tails.delete(sessionId);
      });
    };

    if (signal.aborted) {
      releaseTurn();
      return undefined;
    }
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const outcome = await Promise.race([previous.then(() => 'turn' as const), aborted]);
    if (onAbort) signal.removeEventListener('abort', onAbort);
    if (outcome === 'aborted') {
      releaseTurn();
      return undefined;
    }
    return releaseTurn;
  }

  /**
   * No run of the session is ahead (the usual case: one run per session at a time), so the turn is
   * this run's at once: one promise for whoever queues behind it, no chain, no race with the signal (none is made).
   */
  private acquireIdle(sessionId: string, waiter: Cancelable): (() => void) | undefined {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.tails.set(sessionId, held);
    const releaseTurn = (): void => {
      release();
      // A run queued behind this one replaced the tail; it removes its own.
      if (this.tails.get(sessionId) === held) this.tails.delete(sessionId);
    };
    if (waiter.aborted) {
      releaseTurn();
      return undefined;
    }
    return releaseTurn;
  }
}
