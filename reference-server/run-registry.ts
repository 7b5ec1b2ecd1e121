/**
 * All runs the daemon knows, by id. Go keeps every run for the daemon's lifetime; here finished
 * runs are evicted, oldest first, once there are more than `retention` of them, once their events
 * take more than `maxBytes` (a `flood` run repeats the whole text in every delta, so one run can
 * hold hundreds of MB), or once they have been finished for `ttlMs`. Eviction is lazy (on lookup
 * and start) and uses the injected clock, so it needs no timers.
 */
import { Run } from './run.js';
import type { RunInit } from './run.js';
import { freshId } from './ids.js';

export interface RunRegistryOptions {
  retention: number;
  maxBytes: number;
  ttlMs: number;
  now: () => Date;
}

export class RunRegistry {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly options: RunRegistryOptions) {}

  create(init: Omit<RunInit, 'id'>, newId: () => string): Run {
    this.prune();
    const id = freshId('run', newId, (candidate) => this.runs.has(candidate));
    const run = new Run({ ...init, id });
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
    let count = 0;
    for (const run of this.runs.values()) if (!run.done) count++;
    return count;
  }

  retainedCount(): number {
    this.prune();
    return this.runs.size - this.activeCount();
  }

  clear(): void {
    this.runs.clear();
  }

  private prune(): void {
    const nowMs = this.options.now().getTime();
    const finished: Run[] = [];
    // The count cap only takes runs some reader has streamed: a run nobody has read yet (a client
    // that starts hundreds of runs, then reads them) must still replay, as Go's would. Unread runs
    // are bounded by the byte cap and the TTL.
    let count = 0;
    let bytes = 0;
    for (const run of this.runs.values()) {
      if (!run.done) continue;
      if (nowMs - run.finishedAtMs >= this.options.ttlMs) {
        this.runs.delete(run.id);
        continue;
      }
      finished.push(run);
      if (run.streamed) count++;
      bytes += run.bytes;
    }
    // Under both caps nothing goes, so the oldest-first order is not needed (this runs on every lookup).
    if (count <= this.options.retention && bytes <= this.options.maxBytes) return;
    finished.sort((a, b) => a.finishedAtMs - b.finishedAtMs);
    for (const run of finished) {
      const overCount = count > this.options.retention && run.streamed;
      if (!overCount && bytes <= this.options.maxBytes) {
        if (count <= this.options.retention) break;
        continue;
      }
      this.runs.delete(run.id);
      if (run.streamed) count--;
      bytes -= run.bytes;
    }
  }
}
