/**
 * PERM: the permission flow of ADR-0010 §6 (scripted profile: the `permission` scenario calls a
 * permission-gated tool). The daemon brokers each request to the run's owner and waits; a denial
 * or a timeout is model-visible and the run goes on; only the owner may answer.
 */
import { expectErrorCases } from '../cases.js';
import { decide, decisionPath, type EventStream } from '../events.js';
import { expectError, fail, isObject, show } from '../expect.js';
import { answer, expectRunDone, isErrorResult, pendingPermission, resultText, toolEndAfter } from '../permissions.js';
import { diffMs, resolutionMs, UTC_RFC3339 } from '../time.js';
import type { Check } from '../types.js';

const NEEDS = ['runs', 'events', 'permissions'] as const;

/**
 * Two clock readings a daemon takes back to back (expires_at, then the event's time; the timer
 * start, then the denial) may lie this far apart on a loaded machine: a descheduled thread or a
 * GC pause. It is 5 % of a 1 s timeout, so a timer 30 % off never passes.
 */
const SCHEDULING_SLACK_MS = 50;

/** The tolerance for comparing two of the stream's timestamps: two clock steps plus scheduling. */
function clockSlackMs(stream: EventStream, extra: readonly unknown[] = []): number {
  return 2 * resolutionMs([...stream.events.map((e) => e.envelope['time']), ...extra]) + SCHEDULING_SLACK_MS;
}

export const permissionChecks: Check[] = [
  {
    id: 'PERM-001',
    area: 'PERM',
    level: 'MUST',
    rule: 'permission_request carries permission_id, request {tool, action, target, args, session_id} and a later expires_at, between the tool_start and tool_end of its tool call.',
    reference: 'ADR-0010 §6; 082-events-permission-allow-session.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    async run(ctx) {
      const pending = await pendingPermission(ctx, { clientId: ctx.unique('c') });
      const { stream, request, run } = pending;
      const body = request.payload['request'];
      if (!isObject(body)) fail(`expected payload.request to be an object, got ${show(body)}`, stream.exchange);
      for (const key of ['tool', 'action', 'target']) {
        if (typeof body[key] !== 'string') fail(`expected payload.request.${key} to be a string, got ${show(body[key])}`, stream.exchange);
      }
      if (body['tool'] === '') fail('expected a non-empty payload.request.tool', stream.exchange);
      if (!isObject(body['args'])) fail(`expected payload.request.args to be a JSON object, got ${show(body['args'])}`, stream.exchange);
      if (body['session_id'] !== run.sessionId) fail(`expected payload.request.session_id ${show(run.sessionId)}, got ${show(body['session_id'])}`, stream.exchange);
      const expires = request.payload['expires_at'];
      if (typeof expires !== 'string' || !UTC_RFC3339.test(expires)) fail(`expected an RFC 3339 UTC expires_at, got ${show(expires)}`, stream.exchange);
      const ahead = diffMs(String(request.envelope['time']), expires);
      if (ahead === undefined || ahead <= 0) fail(`expected expires_at ${show(expires)} after the event time ${show(request.envelope['time'])}`, stream.exchange);
      const toolStart = stream.events.filter((e) => e.type === 'tool_start').at(-1);
      if (!toolStart || toolStart.payload['tool_name'] !== body['tool']) {
        fail(`expected a tool_start for ${show(body['tool'])} before permission_request, got ${stream.typeList()}`, stream.exchange);
      }
      await answer(ctx, pending, { allow: true });
      const events = await expectRunDone(stream);
      const end = toolEndAfter(events, request);
      if (!end || end.payload['tool_call_id'] !== toolStart.payload['tool_call_id']) fail(`expected the tool_end of ${show(toolStart.payload['tool_call_id'])} after permission_request, got ${stream.typeList()}`, stream.exchange);
    },
  },
  {
    id: 'PERM-002',
    area: 'PERM',
    level: 'MUST',
    rule: "expires_at is the request time plus the daemon's permission timeout.",
    reference: 'ADR-0010 §6; 082-events-permission-allow-session.txt (expires_at = +2 s)',
    capabilities: [...NEEDS],
    profile: 'scripted',
    needsPermissionTimeout: true,
    tags: ['timing'],
    async run(ctx) {
      const pending = await pendingPermission(ctx, { clientId: ctx.unique('c') });
      const ahead = diffMs(String(pending.request.envelope['time']), String(pending.request.payload['expires_at']));
      await answer(ctx, pending, { allow: false });
      await pending.stream.readToEnd();
      const want = ctx.permissionTimeoutMs ?? 0;
      // Both times come from the daemon's clock a moment apart: only its resolution and scheduling separate them.
      const slack = clockSlackMs(pending.stream, [pending.request.payload['expires_at']]);
      if (ahead === undefined || Math.abs(ahead - want) > slack) {
        fail(`expected expires_at ${want} ms after the event time (±${slack} ms: two clock steps plus ${SCHEDULING_SLACK_MS} ms scheduling), got ${ahead === undefined ? 'no comparable times' : `${Math.round(ahead)} ms`}`, pending.stream.exchange);
      }
    },
  },
  {
    id: 'PERM-003',
    area: 'PERM',
    level: 'MUST',
    rule: 'An allow decision from the owner answers 200 {"permission_id","accepted":true}; the tool runs and the run ends with run_done.',
    reference: 'ADR-0010 §6; 084-decision-allow-remember-session.txt; 102-decision-same-client-allow.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    async run(ctx) {
      const pending = await pendingPermission(ctx, { clientId: ctx.unique('c') });
      await answer(ctx, pending, { allow: true, remember_for: 'never' });
      const events = await expectRunDone(pending.stream);
      const end = toolEndAfter(events, pending.request);
      if (!end) fail(`expected a tool_end after the allow decision, got ${pending.stream.typeList()}`, pending.stream.exchange);
      if (isErrorResult(end)) fail(`expected the allowed tool to succeed, got an error result ${show(resultText(end))}`, pending.stream.exchange);
    },
  },
  {
    id: 'PERM-004',
    area: 'PERM',
    level: 'MUST',
    rule: 'A deny decision with a reason gives the tool an error result carrying that reason, and the run continues to run_done.',
    reference: 'ADR-0010 §6 ("denies with a model-visible reason"); 091-events-permission-other-client-prompted.txt; 092-decision-deny-with-reason.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    async run(ctx) {
      const reason = 'conformance says no';
      const pending = await pendingPermission(ctx, { clientId: ctx.unique('c') });
      await answer(ctx, pending, { allow: false, reason });
      const events = await expectRunDone(pending.stream);
      const end = toolEndAfter(events, pending.request);
      if (!end || !isErrorResult(end)) fail(`expected a tool_end with is_error after the denial, got ${pending.stream.typeList()}`, pending.stream.exchange);
      if (!resultText(end).includes(reason)) fail(`expected the tool result to carry the reason ${show(reason)}, got ${show(resultText(end))}`, pending.stream.exchange);
      // The scripted model quotes the tool result in its answer: the reason reached the model.
      const text = events.at(-1)?.payload['text'];
      if (typeof text !== 'string' || !text.includes(reason)) fail(`expected the model's final text to quote the reason ${show(reason)}, got ${show(text)}`, pending.stream.exchange);
    },
  },
  {
    id: 'PERM-005',
    area: 'PERM',
    level: 'MUST',
    rule: 'A deny decision without a reason still gives the tool an error result with a non-empty text, and the run continues to run_done.',
    reference: 'ADR-0010 §6; 104-events-permission-deny.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    async run(ctx) {
      const pending = await pendingPermission(ctx);
      await answer(ctx, pending, { allow: false });
      const events = await expectRunDone(pending.stream);
      const end = toolEndAfter(events, pending.request);
      if (!end || !isErrorResult(end) || resultText(end).trim() === '') {
        fail(`expected a tool_end with is_error and a reason text, got ${end ? show(end.payload['tool_result']) : pending.stream.typeList()}`, pending.stream.exchange);
      }
    },
  },
  {
    id: 'PERM-006',
    area: 'PERM',
    level: 'MUST',
    rule: 'A decision sent with another X-Glue-Client-ID than the run owner\'s answers 403 forbidden and leaves the request pending for the owner.',
    reference: 'ADR-0010 §6 ("If a non-owner client attempts to answer, the daemon returns 403"); 096-decision-other-client-403.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    async run(ctx) {
      const pending = await pendingPermission(ctx, { clientId: ctx.unique('owner') });
      const other = await decide(ctx, pending.run.runId, pending.permissionId, { allow: true }, ctx.unique('intruder'));
      expectError(other, 403, 'forbidden');
      await answer(ctx, pending, { allow: true });
      const end = toolEndAfter(await expectRunDone(pending.stream), pending.request);
      if (!end || isErrorResult(end)) fail(`expected the owner's allow to run the tool after the 403, got ${end ? show(resultText(end)) : pending.stream.typeList()}`, pending.stream.exchange);
    },
  },
  {
    id: 'PERM-007',
    area: 'PERM',
    level: 'MUST',
    rule: 'A second decision on a request that was already answered answers 404 not_found.',
    reference: '085-decision-repeat-after-resolved-404.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    async run(ctx) {
      const pending = await pendingPermission(ctx, { clientId: ctx.unique('c') });
      await answer(ctx, pending, { allow: false });
      expectError(await decide(ctx, pending.run.runId, pending.permissionId, { allow: true }, pending.run.clientId), 404, 'not_found');
      await expectRunDone(pending.stream);
    },
  },
  {
    id: 'PERM-008',
    area: 'PERM',
    level: 'MUST',
    rule: 'A decision for an unknown permission id of an existing run answers 404 not_found and leaves the real request pending.',
    reference: '099-decision-unknown-permission-404.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    async run(ctx) {
      const pending = await pendingPermission(ctx, { clientId: ctx.unique('c') });
      await expectErrorCases(ctx, [
        { method: 'POST', path: decisionPath(pending.run.runId, 'perm_00000000000000000000000000000000'), body: { allow: true }, headers: { 'X-Glue-Client-ID': pending.run.clientId ?? '' }, status: 404, code: 'not_found' },
      ]);
      await answer(ctx, pending, { allow: false });
      await expectRunDone(pending.stream);
    },
  },
  {
    id: 'PERM-009',
    area: 'PERM',
    level: 'MUST',
    rule: 'A decision with an invalid remember_for or a body that is not JSON answers 400 invalid_request and leaves the request pending.',
    reference: '095-decision-remember-bogus-400.txt; 098-decision-invalid-json-400.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    async run(ctx) {
      const pending = await pendingPermission(ctx, { clientId: ctx.unique('c') });
      const path = decisionPath(pending.run.runId, pending.permissionId);
      const headers = { 'X-Glue-Client-ID': pending.run.clientId ?? '', 'Content-Type': 'application/json' };
      await expectErrorCases(ctx, [
        { method: 'POST', path, body: { allow: true, remember_for: 'conformance-bogus' }, headers, status: 400, code: 'invalid_request' },
        { method: 'POST', path, body: '{"allow":', headers, status: 400, code: 'invalid_request' },
      ]);
      await answer(ctx, pending, { allow: true });
      await expectRunDone(pending.stream);
    },
  },
  {
    id: 'PERM-010',
    area: 'PERM',
    level: 'MUST',
    rule: 'An unanswered request times out at its expires_at as a denial with a model-visible reason, the run continues to run_done, and a decision after the timeout answers 404.',
    reference: 'ADR-0010 §6 ("If the request times out, the daemon denies with a model-visible reason"); 107-events-permission-timeout.txt; 108-decision-after-timeout.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    needsPermissionTimeout: true,
    slow: true,
    tags: ['timing'],
    async run(ctx) {
      const pending = await pendingPermission(ctx, { clientId: ctx.unique('c') });
      const events = await expectRunDone(pending.stream);
      const end = toolEndAfter(events, pending.request);
      if (!end || !isErrorResult(end) || resultText(end).trim() === '') {
        fail(`expected the timed-out tool call to end with an error result and a reason, got ${end ? show(end.payload['tool_result']) : pending.stream.typeList()}`, pending.stream.exchange);
      }
      // The denial must come from the timer, at expires_at: not early, and not long after.
      const expires = pending.request.payload['expires_at'];
      const after = diffMs(String(expires), String(end.envelope['time']));
      const early = clockSlackMs(pending.stream, [expires]);
      const late = Math.max(500, 0.5 * (ctx.permissionTimeoutMs ?? 0));
      if (after === undefined) fail(`cannot compare the denial's time ${show(end.envelope['time'])} with expires_at ${show(expires)}`, pending.stream.exchange);
      if (after < -early) fail(`the request was denied ${Math.round(-after)} ms before its expires_at ${show(expires)} (tolerance ${early} ms)`, pending.stream.exchange);
      if (after > late) fail(`the request was denied ${Math.round(after)} ms after its expires_at ${show(expires)} (at most ${late} ms)`, pending.stream.exchange);
      expectError(await decide(ctx, pending.run.runId, pending.permissionId, { allow: true }, pending.run.clientId), 404, 'not_found');
    },
  },
  {
    id: 'PERM-011',
    area: 'PERM',
    level: 'MUST',
    rule: 'Each permission-gated tool call of a run gets its own permission_request with a distinct permission_id.',
    reference: '110-events-two-permissions.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    async run(ctx) {
      const first = await pendingPermission(ctx, { clientId: ctx.unique('c'), scenario: 'two-permissions' });
      await answer(ctx, first, { allow: true });
      const second = await first.stream.until('permission_request', 'a second permission_request');
      const secondId = second.payload['permission_id'];
      if (typeof secondId !== 'string' || secondId === first.permissionId) fail(`expected a new permission_id, got ${show(secondId)} (first ${show(first.permissionId)})`, first.stream.exchange);
      await answer(ctx, { ...first, request: second, permissionId: secondId }, { allow: true });
      await expectRunDone(first.stream);
    },
  },
];
