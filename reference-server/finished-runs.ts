/**
 * The bookkeeping of finished runs kept for replay, O(1) amortised per run: a queue in finish
 * order (the byte cap and the age cap take its head), a heap of the streamed ones by finish order
 * (the count cap takes its top; a late reader streams a run after it finished, so that one is
 * not appended at the end) and running totals. Entries of evicted runs are skipped lazily.
 */

/** One finished run as the registry keeps it. */
export interface FinishedEntry {
  readonly id: string;
  /** Finish order (1, 2, …). */
  readonly seq: number;
  readonly finishedAtMs: number;
  /** Its encoded events plus the per-run overhead. */
  readonly bytes: number;
  streamed: boolean;
  evicted: boolean;
}

export class FinishedRuns {
  /** Retained finished runs, streamed runs among them, and their bytes. */
  count = 0;
  streamedCount = 0;
  bytes = 0;

  private readonly order: FinishedEntry[] = [];
  private head = 0;
  private readonly streamed: FinishedEntry[] = [];
  private seq = 0;

  add(id: string, finishedAtMs: number, bytes: number, streamed: boolean): FinishedEntry {
    const entry: FinishedEntry = { id, seq: ++this.seq, finishedAtMs, bytes, streamed, evicted: false };
    this.order.push(entry);
    this.count++;
    this.bytes += bytes;
    if (streamed) this.pushStreamed(entry);
    return entry;
  }

  /** A reader opened a stream on a run that had already finished. */
  markStreamed(entry: FinishedEntry): void {
    if (entry.streamed || entry.evicted) return;
    entry.streamed = true;
    this.pushStreamed(entry);
  }

  /** The oldest retained finished run. */
  oldest(): FinishedEntry | undefined {
    while (this.head < this.order.length && this.order[this.head]!.evicted) this.head++;
    // Drop the consumed prefix once it is most of the array (amortised O(1)).
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
    return this.order[this.head];
  }

  /** The oldest retained finished run a reader has streamed. */
  oldestStreamed(): FinishedEntry | undefined {
    while (this.streamed.length > 0 && this.streamed[0]!.evicted) this.popStreamed();
    return this.streamed[0];
  }

  evict(entry: FinishedEntry): void {
    if (entry.evicted) return;
    entry.evicted = true;
    this.count--;
    this.bytes -= entry.bytes;
    if (entry.streamed) this.streamedCount--;
  }

  clear(): void {
    for (const entry of this.order) entry.evicted = true;
    this.order.length = 0;
    this.streamed.length = 0;
    this.head = 0;
    this.count = 0;
    this.streamedCount = 0;
    this.bytes = 0;
  }

  // A binary min-heap by seq. Runs streamed before they finish (the usual case) arrive in
  // increasing seq, so pushing them costs one comparison.
  private pushStreamed(entry: FinishedEntry): void {
    this.streamedCount++;
    const heap = this.streamed;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.seq <= entry.seq) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private popStreamed(): void {
    const heap = this.streamed;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.seq < heap[left]!.seq ? right : left;
      if (heap[child]!.seq >= last.seq) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
