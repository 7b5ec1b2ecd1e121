/**
 * The default fixtures reproduce the captured fake host: for every captured run stream, the mock
 * host's agent (wrapped as the daemon wraps it) yields the same event types in the same order and
 * the same payloads key for key and value for value (times and permission ids aside), and every
 * event validates against the spec.
 */
import { describe, expect, it } from 'vitest';
import { RunFailure } from '../../reference-server/host.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import type { MockHostClock } from '../../reference-server/mock-host/index.js';
import { validateEvent } from '../../src/protocol/validator.js';
import { capturedRuns, envelopeOf, normalizePayload, replayRun } from './capture-runs.js';

/** Delays pass at once; an aborted run's wait rejects as the real clock's would. */
const instantClock: MockHostClock = {
  sleep: (_ms, signal) => (signal.aborted ? Promise.reject(new RunFailure('canceled', 'context canceled')) : Promise.resolve()),
};

const runs = capturedRuns();

describe('default fixtures reproduce the captured runs', () => {
  it('finds the captured runs to compare', () => {
    // hello, skill, echo, role, unknown role/skill, read, max_turns, permission flows, fail,
    // cancels, flood and the minimal-mode runs all have a start request and a finished stream.
    expect(runs.length).toBeGreaterThanOrEqual(25);
  });

  it.each(runs.map((run) => [run.file, run] as const))('%s', async (_file, run) => {
    const host = loadMockHost({ minimal: run.file.includes('minimal'), clock: instantClock });
    const events = await replayRun(host, run);
    expect(events.map((event) => event.type)).toEqual(run.events.map((event) => event.type));
    // JSON text comparison also pins the key order Go's encoder produced.
    expect(events.map((event) => JSON.stringify(normalizePayload(event.payload)))).toEqual(
      run.events.map((event) => JSON.stringify(normalizePayload(event.payload))),
    );
    events.forEach((event, index) => {
      const result = validateEvent(envelopeOf(event, index + 1, run));
      expect(result, `${event.type} (seq ${index + 1})`).toEqual({ ok: true });
    });
  });
});
