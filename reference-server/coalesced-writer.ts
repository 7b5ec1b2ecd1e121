/**
 * Writes the latest state of something to disk without writing once per change: changes that
 * arrive while a write is in flight are folded into one next write. Ordering guarantee: the
 * promise `changed()` returns settles with the first write that *started after* the call, so it
 * covers that change; writes never overlap, so the last one on disk is the newest state.
 */
export class CoalescedWriter {
  private inFlight: Promise<void> | undefined;
  private next: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | undefined;

  /** `write` persists whatever the state is when it is called. */
  constructor(private readonly write: () => Promise<void>) {}

  /** Record that the state changed; resolves once a write that includes the change succeeded, rejects with its error. */
  changed(): Promise<void> {
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A caller that does not wait must not turn a failed write into an unhandled rejection.
      promise.catch(() => undefined);
      this.next = { promise, resolve, reject };
      if (!this.inFlight) queueMicrotask(() => this.start());
    }
    return this.next.promise;
  }

  /** Resolves when nothing is being written or waiting to be (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.inFlight || this.next) await (this.inFlight ?? this.next?.promise)?.catch(() => undefined);
  }

  private start(): void {
    const batch = this.next;
    if (!batch || this.inFlight) return;
    this.next = undefined;
    let running: Promise<void>;
    try {
      running = this.write();
    } catch (error) {
      running = Promise.reject(error);
    }
    this.inFlight = running.then(batch.resolve, batch.reject).finally(() => {
      this.inFlight = undefined;
      this.start();
    });
  }
}
