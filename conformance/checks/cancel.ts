/**
 * CANCEL: ADR-0010 §7. `DELETE /v1/runs/{id}` cancels the run context, the stream ends with
 * run_error code canceled, and unknown runs get 404. A reader leaving also cancels the run.
 */
import { expectErrorCases } from '../cases.js';
import { decide, isTerminal, openEvents, startRun, startScenario, type EventStream, type ReceivedEvent } from '../events.js';
import { CheckInconclusive, expectEqual, expectValid, fail, isObject, show } from '../expect.js';
import { isErrorResult } from '../permissions.js';
import { timeNs } from '../time.js';
import type { Check, CheckContext } from '../types.js';

function cancelRun(ctx: CheckContext, runId: string) {
  return ctx.http.request({ method: 'DELETE', path: `/v1/runs/${encodeURIComponent(runId)}` });
}

function expectCanceled(stream: EventStream, events: ReceivedEvent[]): void {
  const last = events.at(-1);
  if (last?.type !== 'run_error') fail(`expected the canceled run to end with run_error, got ${stream.typeList()}`, stream.exchange);
  const error = last.payload['error'];
  const code = isObject(error) ? error['code'] : undefined;
  if (code !== 'canceled') fail(`expected run_error code "canceled", got ${show(code)}`, stream.exchange);
  if (events.filter(isTerminal).length !== 1) fail(`expected one terminal event, got ${stream.typeList()}`, stream.exchange);
}

export const cancelChecks: Check[] = [
  {
    id: 'CANCEL-001',
    area: 'CANCEL',
    level: 'MUST',
    rule: 'DELETE /v1/runs/{id} answers 202 {"canceled":true,"run_id":…}, and the run\'s stream still ends with exactly one terminal event.',
    reference: 'ADR-0010 §7; 124-cancel-run-delete.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const run = await startRun(ctx, ctx.unique('s'), ctx.prompts.hello);
      const result = await cancelRun(ctx, run.runId);
      const body = expectValid('cancelRun', result, 202);
      expectEqual(body['canceled'], true, 'canceled', result.exchange);
      expectEqual(body['run_id'], run.runId, 'run_id', result.exchange);
      const stream = await openEvents(ctx, run.eventsPath);
      const events = await stream.readToEnd();
      const last = events.at(-1);
      if (events.filter(isTerminal).length !== 1 || !last || !isTerminal(last)) {
        fail(`expected the canceled run's stream to end with one terminal event, got ${stream.typeList()}`, stream.exchange);
      }
    },
  },
  {
    id: 'CANCEL-002',
    area: 'CANCEL',
    level: 'MUST',
    rule: 'Canceling a streaming run ends its stream with run_error code canceled, and the stream closes.',
    reference: 'ADR-0010 §7; 123-events-slow-canceled.txt',
    capabilities: ['runs', 'events'],
    profile: 'scripted',
    tags: ['timing'],
    async run(ctx) {
      const run = await startScenario(ctx, 'slow', ctx.unique('s'));
      const stream = await openEvents(ctx, run.eventsPath);
      await stream.until('text_delta', 'the slow run streaming');
      expectValid('cancelRun', await cancelRun(ctx, run.runId), 202);
      expectCanceled(stream, await stream.readToEnd());
    },
  },
  {
    id: 'CANCEL-003',
    area: 'CANCEL',
    level: 'MUST',
    rule: 'DELETE /v1/runs/{id} for an unknown run answers 404 not_found.',
    reference: 'ADR-0010 §8; 126-cancel-unknown-run-404.txt',
    capabilities: ['runs'],
    profile: 'any',
    run: (ctx) => expectErrorCases(ctx, [{ method: 'DELETE', path: '/v1/runs/run_00000000000000000000000000000000', status: 404, code: 'not_found' }]),
  },
  {
    id: 'CANCEL-004',
    area: 'CANCEL',
    level: 'SHOULD',
    rule: 'DELETE on a run that already finished still answers 202.',
    reference: '125-cancel-run-delete-again-after-finish.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const run = await startRun(ctx, ctx.unique('s'), ctx.prompts.hello);
      await (await openEvents(ctx, run.eventsPath)).readToEnd();
      expectValid('cancelRun', await cancelRun(ctx, run.runId), 202);
    },
  },
  {
    id: 'CANCEL-005',
    area: 'CANCEL',
    level: 'MUST',
    rule: 'Canceling a run while its permission request is pending ends it with run_error canceled, and the tool never runs.',
    reference: 'ADR-0010 §6 ("If the run is canceled … the run ends as canceled")',
    capabilities: ['runs', 'events', 'permissions'],
    profile: 'scripted',
    async run(ctx) {
      const run = await startScenario(ctx, 'permission', ctx.unique('s'));
      const stream = await openEvents(ctx, run.eventsPath);
      const request = await stream.until('permission_request');
      const sentAtNs = BigInt(Date.now()) * 1_000_000n;
      expectValid('cancelRun', await cancelRun(ctx, run.runId), 202);
      const events = await stream.readToEnd();
      const expires = timeNs(request.payload['expires_at']);
      if (events.at(-1)?.type !== 'run_error' && expires !== undefined && sentAtNs > expires) {
        // Not a protocol fault: the request timed out before the check could cancel (a loaded machine).
        throw new CheckInconclusive(`the permission request expired (expires_at ${show(request.payload['expires_at'])}) before the check sent its cancel, so the run rightly went on; give the daemon a longer permission timeout (and --permission-timeout)`, stream.exchange);
      }
      expectCanceled(stream, events);
      const ran = events.find((e) => e.type === 'tool_end' && e.seq !== undefined && request.seq !== undefined && e.seq > request.seq && !isErrorResult(e));
      if (ran) fail(`the tool ran after its run was canceled (${ran.type} seq ${ran.seq})`, stream.exchange);
      // The request is gone with the run.
      const late = await decide(ctx, run.runId, String(request.payload['permission_id']), { allow: true });
      if (late.status === 200) fail('a decision for the canceled run\'s permission request was still accepted', late.exchange);
    },
  },
  {
    id: 'CANCEL-006',
    area: 'CANCEL',
    level: 'SHOULD',
    rule: 'When a reader disconnects, the run is canceled: a later reader sees it end with run_error canceled.',
    reference: 'ADR-0010 §7 ("disconnecting the owner SSE stream also cancels the run"); 135-events-slow-disconnect-after-1s.txt; 139-events-replay-after-disconnect.txt',
    capabilities: ['runs', 'events'],
    profile: 'scripted',
    tags: ['timing'],
    async run(ctx) {
      const run = await startScenario(ctx, 'slow', ctx.unique('s'));
      const first = await openEvents(ctx, run.eventsPath);
      await first.until('text_delta', 'the slow run streaming');
      await first.cancel();
      const replay = await openEvents(ctx, run.eventsPath);
      expectCanceled(replay, await replay.readToEnd());
    },
  },
];

