/**
 * All runs the daemon knows, by id. Go keeps every run for the daemon's lifetime and replays any
 * of them; here memory stays bounded by what matters, the bytes a finished run holds: once the
 * encoded events of finished runs (plus a fixed per-run overhead) pass `maxBytes` (default
 * 256 MiB; a `flood` run repeats the whole text in every delta, so one run can hold hundreds of
 * MB), the oldest finished runs are evicted. An optional count cap (`retention`) and age cap
 * (`ttlMs`) are off by default. Eviction is lazy (on lookup and start), only re-examined after a
 * run finished or was first streamed (or the oldest one aged out), and uses the injected clock.
 */
import { Run } from './run.js';
import type { RunInit } from './run.js';
import { freshId } from './ids.js';

/** Memory a finished run holds besides its encoded events (objects, maps, its id strings), counted against the byte cap. */
export const RUN_OVERHEAD_BYTES = 2048;

export interface RunRegistryOptions {
  /** Finished runs a reader has streamed kept at most (Infinity: no count cap). */
  retention: number;
  maxBytes: number;
  /** How long a finished run stays (Infinity: for the daemon's lifetime, as Go). */
  ttlMs: number;
  now: () => Date;
}

export class RunRegistry {
  private readonly runs = new Map<string, Run>();
  private finished = 0;
  private dirty = false;
  private oldestFinishedAtMs = Infinity;

  constructor(private readonly options: RunRegistryOptions) {}

  create(init: Omit<RunInit, 'id' | 'onChange'>, newId: () => string): Run {
    this.prune();
    const id = freshId('run', newId, (candidate) => this.runs.has(candidate));
    const run = new Run({
      ...init,
      id,
      onChange: (what) => {
        if (what === 'finished') this.finished++;
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
    return this.runs.size - this.finished;
  }

  retainedCount(): number {
    this.prune();
    return this.finished;
  }

  clear(): void {
    this.runs.clear();
    this.finished = 0;
    this.oldestFinishedAtMs = Infinity;
  }

  private prune(): void {
    const nowMs = this.options.now().getTime();
    const aged = nowMs - this.oldestFinishedAtMs >= this.options.ttlMs;
    if (!this.dirty && !aged) return;
    this.dirty = false;
    const finished: Run[] = [];
    for (const run of this.runs.values()) {
      if (!run.done) continue;
      if (nowMs - run.finishedAtMs >= this.options.ttlMs) this.forget(run);
      else finished.push(run);
    }
    finished.sort((a, b) => a.finishedAtMs - b.finishedAtMs);
    // The count cap only takes runs some reader has streamed: a run nobody has read yet (a client
    // that starts hundreds of runs, then reads them) must still replay, as Go's would.
    let count = finished.filter((run) => run.streamed).length;
    let bytes = finished.reduce((sum, run) => sum + run.bytes + RUN_OVERHEAD_BYTES, 0);
    for (const run of finished) {
      const overCount = count > this.options.retention && run.streamed;
      if (overCount || bytes > this.options.maxBytes) {
        this.forget(run);
        if (run.streamed) count--;
        bytes -= run.bytes + RUN_OVERHEAD_BYTES;
        continue;
      }
      if (count <= this.options.retention) break;
    }
    this.oldestFinishedAtMs = finished.find((run) => this.runs.has(run.id))?.finishedAtMs ?? Infinity;
  }

  private forget(run: Run): void {
    if (this.runs.delete(run.id)) this.finished--;
  }
}
