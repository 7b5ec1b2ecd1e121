/** CLI-CANCEL: a client that gives up on a run cancels it, and never waits forever. */
import { describeOutcome, expectFailure, fail, isCancel, isEventsGet, summarizeRequests } from '../judge.js';
import type { ClientCase, Judgement } from '../types.js';

/** The stall cases' deadline: a client's idle bound must be shorter. */
export const STALL_DEADLINE_MS = 12_000;

/**
 * The run's DELETE, sent by the client itself. With `onItsOwn`, a DELETE that arrived only after
 * the kit's deadline fired does not count: the kit terminated the client (SIGTERM), and a client
 * that cancels on SIGTERM has still not given up by itself.
 */
function expectCancel(j: Judgement, why: string, onItsOwn = false): void {
  const runId = j.facts.runIds[0];
  const cancels = j.requests.filter((r) => isCancel(r) && runId !== undefined && decodeURIComponent(r.path.split('?')[0] ?? '') === `/v1/runs/${runId}`);
  const counted = onItsOwn ? cancels.filter((r) => r.afterDeadline !== true) : cancels;
  if (counted.length > 0) return;
  if (cancels.length > 0) fail(`${why}: expected DELETE /v1/runs/${runId ?? '{run}'} before the case deadline; the client sent it only once the kit had terminated it at the deadline (at ${cancels[0]?.atMs ?? 0} ms), so it never gave up by itself`);
  fail(`${why}: expected DELETE /v1/runs/${runId ?? '{run}'}, the client sent ${summarizeRequests(j.requests)} and ${describeOutcome(j.outcome)}`);
}

const stall = { stream: { stopAfter: { type: 'text_delta', then: 'stall' as const } } };

export const cancelCases: ClientCase[] = [
  {
    id: 'CLI-CANCEL-001',
    area: 'CLI-CANCEL',
    level: 'SHOULD',
    rule: 'Interrupted (SIGINT) while a run streams, the client cancels it with DELETE /v1/runs/{id} before it exits.',
    reference: 'ADR-0010 §7; 124-cancel-run-delete.txt',
    prompt: 'slow',
    interruptWhen: (requests) => requests.some(isEventsGet),
    judge(j) {
      if (j.outcome.timedOut) fail(`interrupted, the client did not exit: it ${describeOutcome(j.outcome)}`);
      expectCancel(j, 'interrupted while streaming');
    },
  },
  {
    id: 'CLI-CANCEL-002',
    area: 'CLI-CANCEL',
    level: 'SHOULD',
    rule: `A stream that stalls (open, no bytes) makes the client give up with a failing exit: its idle wait is bounded (under ${STALL_DEADLINE_MS / 1000} s).`,
    reference: 'ADR-0010 §5 (no keep-alive frames: silence is all a client sees of a dead daemon)',
    timeoutMs: STALL_DEADLINE_MS,
    slow: true,
    daemon: stall,
    judge: (j) => expectFailure(j, 'the stream stalled after one text_delta'),
  },
  {
    id: 'CLI-CANCEL-003',
    area: 'CLI-CANCEL',
    level: 'SHOULD',
    rule: 'A client that gives up on a stalled stream cancels the run with DELETE /v1/runs/{id}.',
    reference: 'ADR-0010 §7',
    timeoutMs: STALL_DEADLINE_MS,
    slow: true,
    daemon: stall,
    judge: (j) => expectCancel(j, 'the client gave up on a stalled stream', true),
  },
];
