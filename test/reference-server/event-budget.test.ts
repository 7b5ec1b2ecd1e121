/**
 * The total budget of all runs' events (limits.maxEventLogBytes; issue 11: one turn is capped,
 * but thousands of runs can be active at once). With a small budget injected and the mock host's
 * waits on a test-controlled gate, two concurrent `slow` runs cross it taking turns: the one that
 * streams the crossing event ends `run_error` naming the limit (after its loop's error and
 * loop_end); once it finished, it is evicted to make room and the other streams to its end.
 */
import { describe, expect, it } from 'vitest';
import { createReferenceServer, createSequentialIds, loadMockHost } from '../../reference-server/index.js';
import { canceled, type MockHostClock } from '../../reference-server/mock-host/delay.js';
import { validateEvent } from '../../src/protocol/validator.js';
import { json, parseSse, request, token, until } from './helpers.js';

function setup(maxEventLogBytes?: number) {
  const gates: Array<() => void> = [];
  const clock: MockHostClock = {
    sleep: (_ms, signal) =>
      new Promise((resolve, reject) => {
        if (signal.aborted) return reject(canceled());
        // As the real clock: the abort listener goes when the wait ends (a slow run waits on one
        // signal many times; kept listeners made node warn of a leak past 10).
        const onAbort = (): void => reject(canceled());
        signal.addEventListener('abort', onAbort, { once: true });
        gates.push(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      }),
  };
  const server = createReferenceServer({
    token,
    host: loadMockHost({ clock }),
    ids: createSequentialIds(),
    limits: maxEventLogBytes === undefined ? {} : { maxEventLogBytes },
  });
  // One wait at a time, the oldest first: the runs take turns, and what one delta sets off (a
  // failure, the run's end) settles before the next.
  const step = (): void => gates.shift()?.();
  return { server, gates, step };
}

async function startSlow(server: ReturnType<typeof setup>['server'], session: string) {
  const response = await request(server, 'POST', `/v1/sessions/${session}/runs`, { body: { text: 'slow', client_id: 'cli:budget' } });
  expect(response.status).toBe(201);
  const run = (await json(response)) as { run_id: string; events_url: string };
  let text: string | undefined;
  const read = request(server, 'GET', run.events_url)
    .then((r) => r.text())
    .then((t) => (text = t));
  return { ...run, read, done: () => text !== undefined, bytes: () => Buffer.byteLength(text ?? ''), events: () => parseSse(text ?? '') };
}

/** Opens the waiting gates one by one until all runs have ended. */
async function drive(harness: ReturnType<typeof setup>, runs: Array<{ done(): boolean }>): Promise<void> {
  for (let i = 0; i < 400 && !runs.every((run) => run.done()); i++) {
    await until(() => harness.gates.length > 0 || runs.every((run) => run.done()), 'a run to wait or end');
    harness.step();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('total budget of all runs\' events (limits.maxEventLogBytes)', () => {
  it('stops the run that crosses it with a run error naming the limit; finished runs make room first', async () => {
    const probe = setup();
    const alone = await startSlow(probe.server, 'probe');
    await drive(probe, [alone]);
    const oneRun = alone.bytes();
    expect(alone.events().at(-1)?.event).toBe('run_done');

    const budget = Math.round(oneRun * 1.5);
    const harness = setup(budget);
    const a = await startSlow(harness.server, 'a');
    const b = await startSlow(harness.server, 'b');
    await drive(harness, [a, b]);
    const [failed, other] = a.events().at(-1)?.event === 'run_error' ? [a, b] : [b, a];
    const events = failed.events();
    expect(events.slice(-3).map((e) => e.event)).toEqual(['error', 'loop_end', 'run_error']);
    const error = (events.at(-1)?.data.payload as { error: { code: string; message: string; retryable: boolean } }).error;
    expect(error.code).toBe('internal');
    expect(error.message).toMatch(new RegExp(`^daemon: the events of all runs hold \\d+ bytes, more than the limit of ${budget} bytes \\(2 active runs; finished runs were evicted first\\): this run is stopped$`));
    expect(events.at(-3)?.data.payload).toEqual({ type: 'error', error: error.message });
    for (const e of [...events, ...other.events()]) expect(validateEvent(e.data)).toEqual({ ok: true });
    // The other run streamed all 50 deltas, because the failed one was evicted once it finished.
    expect(other.events().filter((e) => e.event === 'text_delta')).toHaveLength(50);
    expect(other.events().at(-1)?.event).toBe('run_done');
    expect((await request(harness.server, 'GET', failed.events_url)).status).toBe(404);
    expect((await request(harness.server, 'GET', other.events_url)).status).toBe(200);
  });

  it('by default (1 GiB) concurrent runs are not stopped', async () => {
    const harness = setup();
    const runs = [await startSlow(harness.server, 'a'), await startSlow(harness.server, 'b'), await startSlow(harness.server, 'c')];
    await drive(harness, runs);
    for (const run of runs) expect(run.events().at(-1)?.event).toBe('run_done');
  });
});
