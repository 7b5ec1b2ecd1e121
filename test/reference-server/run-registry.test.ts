/**
 * RunRegistry's bookkeeping of finished runs (finish-ordered queue, heap of streamed runs, running
 * byte total) against the rule it implements, checked directly and against a model: the former
 * implementation, which rescanned and sorted every finished run on each prune (ties in finish time
 * now go by finish order, not start order).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RUN_OVERHEAD_BYTES, RunRegistry } from '../../reference-server/run-registry.js';
import type { Run } from '../../reference-server/run.js';

function registry(limits: { retention?: number; maxBytes?: number; ttlMs?: number } = {}) {
  let now = Date.parse('2026-12-01T12:00:00Z');
  let n = 0;
  const runs = new RunRegistry({ retention: limits.retention ?? Infinity, maxBytes: limits.maxBytes ?? Infinity, ttlMs: limits.ttlMs ?? Infinity, maxHeldBytes: Infinity, now: () => new Date(now) });
  let e = 0;
  const start = (): Run => runs.create({ sessionId: 's', clientId: 'c', now: () => new Date(now), eventId: () => `evt_${++e}` }, () => `run_${++n}`);
  return { runs, start, advance: (ms: number) => (now += ms) };
}

/** A run with `events` events of the same size, finished. */
function finishRun(run: Run, events = 1): Run {
  for (let i = 0; i < events; i++) run.emit('text_delta', { delta: 'x' });
  run.finish();
  return run;
}

const kept = (runs: RunRegistry, all: Run[]): string[] => all.filter((run) => runs.get(run.id)).map((run) => run.id);

describe('RunRegistry bookkeeping of finished runs', () => {
  it('evicts by finish order (not start order) once the bytes pass the cap, and keeps the byte total exact', () => {
    const probe = registry();
    const size = finishRun(probe.start()).bytes + RUN_OVERHEAD_BYTES;
    const { runs, start } = registry({ maxBytes: 3 * size });
    const [a, b, c, d] = [start(), start(), start(), start()];
    for (const run of [c!, a!, d!]) finishRun(run);
    expect(runs.retainedCount()).toBe(3);
    expect(runs.retainedBytes()).toBe(3 * size);
    finishRun(b!);
    // c finished first, so it goes first although a and b started before it.
    expect(kept(runs, [a!, b!, c!, d!])).toEqual(['run_1', 'run_2', 'run_4']);
    expect(runs.retainedBytes()).toBe(3 * size);
    expect(runs.activeCount()).toBe(0);
  });

  it('the count cap takes the oldest streamed run, skips unstreamed ones, and orders a late reader by finish time', () => {
    const { runs, start } = registry({ retention: 1 });
    const a = finishRun(start()); // never streamed
    const b = finishRun(start());
    const c = start();
    c.streamed = true;
    finishRun(c);
    expect(runs.retainedCount()).toBe(3); // one streamed run: within the cap
    b.streamed = true; // a late reader: b finished before c
    expect(runs.retainedCount()).toBe(2);
    expect(kept(runs, [a, b, c])).toEqual([a.id, c.id]);
    a.streamed = true;
    expect(kept(runs, [a, b, c])).toEqual([c.id]);
    expect(runs.retainedBytes()).toBe(c.bytes + RUN_OVERHEAD_BYTES);
  });

  it('with both caps passed at once, the byte cap goes first (oldest of all), then the count cap (oldest streamed)', () => {
    const probe = registry();
    const size = finishRun(probe.start()).bytes + RUN_OVERHEAD_BYTES;
    const { runs, start } = registry({ retention: 1, maxBytes: 2 * size });
    const [a, b, c] = [start(), start(), start()];
    finishRun(a); // never streamed
    for (const run of [b, c]) {
      run.streamed = true;
      finishRun(run);
    }
    // Bytes: a goes (the oldest); then two streamed runs for a cap of one: b goes.
    expect(kept(runs, [a, b, c])).toEqual([c.id]);
  });

  it('forgets finished runs once they are ttlMs old on the injected clock, oldest first, never an active one', () => {
    const { runs, start, advance } = registry({ ttlMs: 1_000 });
    const a = finishRun(start());
    advance(400);
    const b = finishRun(start());
    const active = start();
    advance(599);
    expect(runs.retainedCount()).toBe(2);
    advance(1);
    expect(runs.get(a.id)).toBeUndefined();
    expect(runs.get(b.id)).toBe(b);
    advance(400);
    expect(runs.retainedCount()).toBe(0);
    expect(runs.retainedBytes()).toBe(0);
    expect(runs.get(active.id)).toBe(active);
    expect(runs.activeCount()).toBe(1);
  });

  it('keeps exactly the runs the former rescan-and-sort implementation kept (model check)', () => {
    type Op = { kind: 'start' } | { kind: 'finish'; pick: number; events: number } | { kind: 'stream'; pick: number } | { kind: 'advance'; ms: number } | { kind: 'lookup' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant<Op>({ kind: 'start' }),
      fc.record({ kind: fc.constant('finish' as const), pick: fc.nat(), events: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('stream' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 300 }) }),
      fc.constant<Op>({ kind: 'lookup' }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 4, maxLength: 60 }),
        fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(Infinity)),
        // Around one to four runs' worth of bytes, where evictions by either cap interleave.
        fc.oneof(fc.integer({ min: 2_048, max: 9_000 }), fc.constant(Infinity)),
        fc.option(fc.integer({ min: 1, max: 1_000 }), { nil: Infinity }),
        (ops, retention, maxBytes, ttlMs) => {
          const { runs, start, advance } = registry({ retention, maxBytes, ttlMs });
          let nowMs = 0;
          const model = new Map<string, { run: Run; finishedAt: number; seq: number }>();
          let finishes = 0;
          const all: Run[] = [];
          const modelPrune = (): void => {
            const finished = [...model.values()].filter((m) => m.run.done);
            for (const m of finished) if (nowMs - m.finishedAt >= ttlMs) model.delete(m.run.id);
            const live = finished.filter((m) => model.has(m.run.id)).sort((x, y) => x.finishedAt - y.finishedAt || x.seq - y.seq);
            let count = live.filter((m) => m.run.streamed).length;
            let bytes = live.reduce((sum, m) => sum + m.run.bytes + RUN_OVERHEAD_BYTES, 0);
            for (const m of live) {
              if ((count > retention && m.run.streamed) || bytes > maxBytes) {
                model.delete(m.run.id);
                if (m.run.streamed) count--;
                bytes -= m.run.bytes + RUN_OVERHEAD_BYTES;
                continue;
              }
              if (count <= retention) break;
            }
          };
          for (const o of ops) {
            const candidates = all.filter((run) => model.has(run.id));
            if (o.kind === 'start') {
              modelPrune();
              const run = start();
              all.push(run);
              model.set(run.id, { run, finishedAt: 0, seq: 0 });
            } else if (o.kind === 'finish') {
              const open = candidates.filter((r) => !r.done);
              const run = open[o.pick % Math.max(1, open.length)];
              if (run) {
                finishRun(run, o.events);
                Object.assign(model.get(run.id)!, { finishedAt: nowMs, seq: ++finishes });
              }
            } else if (o.kind === 'stream') {
              const run = candidates[o.pick % Math.max(1, candidates.length)];
              if (run) run.streamed = true;
            } else if (o.kind === 'advance') {
              advance(o.ms);
              nowMs += o.ms;
            } else {
              modelPrune();
              expect(runs.retainedCount()).toBe([...model.values()].filter((m) => m.run.done).length);
            }
          }
          modelPrune();
          expect(kept(runs, all)).toEqual(all.filter((run) => model.has(run.id)).map((run) => run.id));
          const bytes = [...model.values()].filter((m) => m.run.done).reduce((sum, m) => sum + m.run.bytes + RUN_OVERHEAD_BYTES, 0);
          expect(runs.retainedBytes()).toBe(bytes);
          // The total of all runs' events (the budget of run-executor.ts) follows the evictions.
          expect(runs.heldBytes()).toBe(runs.all().reduce((sum, run) => sum + run.bytes, 0));
        },
      ),
      { numRuns: 800 },
    );
  });
});
