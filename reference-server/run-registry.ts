/**
 * All runs the daemon knows, by id. Go keeps every run for the daemon's lifetime and replays any
 * of them; here memory stays bounded by what matters, the bytes a finished run holds: once the
 * encoded events of finished runs (plus a fixed per-run overhead) pass `maxBytes` (default
 * 256 MiB; a `flood` run repeats the whole text in every delta, so one run can hold hundreds of
 * MB), the oldest finished runs are evicted. An optional count cap (`retention`) and age cap
 * (`ttlMs`) are off by default. Eviction is lazy (on lookup and start) and uses the injected
 * clock; the finished runs are kept in finish order with running totals (finished-runs.ts), so
 * it costs O(1) per run evicted, not a scan of every run.
 *
 * A total budget (`maxHeldBytes`, default 1 GiB) covers the encoded events of every run, active
 * ones included (one run holds its flood's text once, but thousands of runs can be active at once):
 * past it the finished runs are evicted first, oldest first, and while the active runs alone
 * still hold more, the run executor stops the run that is streaming (see run-executor.ts).
 */
import { Run } from './run.js';
import type { RunInit } from './run.js';
import { freshId } from './ids.js';
import { FinishedRuns, type FinishedEntry } from './finished-runs.js';

/** Memory a finished run holds besides its encoded events (objects, maps, its id strings), counted against the byte cap. */
export const RUN_OVERHEAD_BYTES = 2048;

export interface RunRegistryOptions {
  /** Finished runs a reader has streamed kept at most (Infinity: no count cap). */
  retention: number;
  maxBytes: number;
  /** How long a finished run stays (Infinity: for the daemon's lifetime, as Go). */
  ttlMs: number;
  /** Encoded events of all runs, active and finished, held at most (see overBudget). */
  maxHeldBytes: number;
  now: () => Date;
}

export class RunRegistry {
  private readonly runs = new Map<string, Run>();
  private readonly finished = new FinishedRuns();
  /** A run finished or was first streamed since the last prune (the caps may be exceeded). */
  private dirty = false;
  /** Encoded event bytes of every run in `runs` (each Run adds its frames; forget subtracts). */
  private readonly held = { bytes: 0 };

  constructor(private readonly options: RunRegistryOptions) {}

  create(init: Omit<RunInit, 'id' | 'onChange'>, newId: () => string): Run {
    this.prune();
    const id = freshId('run', newId, (candidate) => this.runs.has(candidate));
    let entry: FinishedEntry | undefined;
    // A literal, not a spread of `init`: one fixed shape per run start.
    const run: Run = new Run({
      id,
      sessionId: init.sessionId,
      clientId: init.clientId,
      now: init.now,
      eventId: init.eventId,
      held: this.held,
      onChange: (what) => {
        if (what === 'finished') entry = this.finished.add(id, run.finishedAtMs, run.bytes + RUN_OVERHEAD_BYTES, run.streamed);
        else if (entry) this.finished.markStreamed(entry);
        this.dirty = true;
      },
    });
    this.runs.set(id, run);
    return run;
  }

  get(id: string): Run | undefined {
    this.prune();
    return this.runs.get(id);
  }

  all(): Run[] {
    return [...this.runs.values()];
  }

  activeCount(): number {
    return this.runs.size - this.finished.count;
  }

  retainedCount(): number {
    this.prune();
    return this.finished.count;
  }

  /** Bytes the retained finished runs hold (encoded events + RUN_OVERHEAD_BYTES each), as of the last prune. */
  retainedBytes(): number {
    return this.finished.bytes;
  }

  /** Bytes the encoded events of all runs hold (active and retained). */
  heldBytes(): number {
    return this.held.bytes;
  }

  /**
   * Whether the event logs of all runs hold more than `maxHeldBytes`, after evicting finished
   * runs (oldest first) to make room: then only the active runs' events are left over it.
   */
  overBudget(): boolean {
    const max = this.options.maxHeldBytes;
    if (this.held.bytes <= max) return false;
    for (let oldest = this.finished.oldest(); oldest && this.held.bytes > max; oldest = this.finished.oldest()) this.forget(oldest);
    return this.held.bytes > max;
  }

  /** Why the run that streamed last is stopped (overBudget() was true). */
  budgetProblem(): string {
    return (
      `daemon: the events of all runs hold ${this.held.bytes} bytes, more than the limit of ${this.options.maxHeldBytes} bytes ` +
      `(${this.activeCount()} active runs; finished runs were evicted first): this run is stopped`
    );
  }

  clear(): void {
    this.runs.clear();
    this.finished.clear();
    this.held.bytes = 0;
    this.dirty = false;
  }

  private prune(): void {
    const { ttlMs, maxBytes, retention } = this.options;
    if (ttlMs !== Infinity) {
      const nowMs = this.options.now().getTime();
      for (let oldest = this.finished.oldest(); oldest && nowMs - oldest.finishedAtMs >= ttlMs; oldest = this.finished.oldest()) this.forget(oldest);
    }
    if (!this.dirty) return;
    this.dirty = false;
    // Oldest first: while the bytes are over the cap any run goes; then, while more streamed runs
    // are kept than the count cap, the oldest streamed one. The count cap only takes runs some
    // reader has streamed: a run nobody has read yet (a client that starts hundreds of runs, then
    // reads them) must still replay, as Go's would.
    for (;;) {
      const victim = this.finished.bytes > maxBytes ? this.finished.oldest() : this.finished.streamedCount > retention ? this.finished.oldestStreamed() : undefined;
      if (!victim) return;
      this.forget(victim);
    }
  }

  private forget(entry: FinishedEntry): void {
    this.finished.evict(entry);
    if (this.runs.delete(entry.id)) this.held.bytes -= entry.bytes - RUN_OVERHEAD_BYTES;
  }
}
