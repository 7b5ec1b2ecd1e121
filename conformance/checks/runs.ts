/**
 * RUN: starting runs (ADR-0010 §4). A start answers 201 with the run id, the decoded session id and
 * the relative events URL; same-session runs are serialised by the session lock; a provider
 * failure ends the run with run_error and the error envelope.
 */
import type { Exchange } from '../../src/protocol/http-client.js';
import { decide, eventsPath, openEvents, runsPath, startRun, startScenario, type ReceivedEvent } from '../events.js';
import { CheckSkip, ERROR_CODES, expectValid, fail, isObject, show } from '../expect.js';
import { timeNs } from '../time.js';
import type { Check } from '../types.js';

export const runChecks: Check[] = [
  {
    id: 'RUN-001',
    area: 'RUN',
    level: 'MUST',
    rule: 'POST /v1/sessions/{id}/runs answers 201 with run_id, the session_id and events_url /v1/runs/{run_id}/events.',
    reference: 'ADR-0010 §4; 048-run-start-text.txt',
    capabilities: ['runs'],
    profile: 'any',
    async run(ctx) {
      const session = ctx.unique('s');
      const result = await ctx.http.request({ method: 'POST', path: runsPath(session), body: { text: ctx.prompts.hello, client_id: ctx.unique('c') } });
      const body = expectValid('startRun', result, 201);
      if (body['session_id'] !== session) fail(`expected session_id ${show(session)}, got ${show(body['session_id'])}`, result.exchange);
      const runId = String(body['run_id']);
      if (body['events_url'] !== eventsPath(runId)) fail(`expected events_url ${show(eventsPath(runId))}, got ${show(body['events_url'])}`, result.exchange);
    },
  },
  {
    id: 'RUN-002',
    area: 'RUN',
    level: 'MUST',
    rule: 'Session ids are percent-decoded: a run started at /v1/sessions/chan%3A42/runs belongs to session "chan:42", in the answer and in every envelope.',
    reference: 'ADR-0010 §4 (telegram:<chat_id>); 065-run-start-session-encoded-colon.txt; 066-events-session-encoded-colon.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const session = `${ctx.unique('chan')}:42 x`;
      const run = await startRun(ctx, session, ctx.prompts.hello);
      if (run.result.json && isObject(run.result.json) && run.result.json['session_id'] !== session) {
        fail(`expected session_id ${show(session)} for ${runsPath(session)}, got ${show(run.result.json['session_id'])}`, run.result.exchange);
      }
      const stream = await openEvents(ctx, run.eventsPath);
      for (const e of await stream.readToEnd()) {
        if (e.envelope['session_id'] !== session) fail(`expected session_id ${show(session)} in ${e.type}, got ${show(e.envelope['session_id'])}`, stream.exchange);
      }
    },
  },
  {
    id: 'RUN-003',
    area: 'RUN',
    level: 'MUST',
    rule: 'Every started run gets its own run id, also within one session.',
    reference: 'ADR-0010 §4',
    capabilities: ['runs'],
    profile: 'any',
    async run(ctx) {
      const session = ctx.unique('s');
      const a = await startRun(ctx, session, ctx.prompts.hello);
      const b = await startRun(ctx, session, ctx.prompts.hello);
      if (a.runId === b.runId) fail(`two runs got the same run_id ${show(a.runId)}`, b.result.exchange);
    },
  },
  {
    id: 'RUN-004',
    area: 'RUN',
    level: 'MUST',
    rule: 'Runs in one session are serialised: a second run starts at once (201) but its loop begins only after the first run\'s loop ended.',
    reference: 'ADR-0010 §4 ("same-session runs are serialized"); 151-events-serial-hello-waits-for-previous-run.txt',
    capabilities: ['runs', 'events'],
    profile: 'scripted',
    slow: true,
    tags: ['timing'],
    async run(ctx) {
      const session = ctx.unique('s');
      const first = await startScenario(ctx, 'slow', session);
      const firstStream = await openEvents(ctx, first.eventsPath);
      await firstStream.until('text_delta', 'the slow run streaming');
      const second = await startScenario(ctx, 'hello', session);
      const secondStream = await openEvents(ctx, second.eventsPath);
      await secondStream.until('run_start');
      // Observe, not just compare clocks: while the first run visibly keeps streaming, the queued
      // run must stay silent after run_start. Two more deltas of the first run give a non-serialising
      // daemon ample time to deliver the second run's loop_start.
      let early: ReceivedEvent | undefined;
      const afterStart = secondStream.next().then((event) => (early = event));
      afterStart.catch(() => undefined);
      for (let i = 0; i < 2; i++) {
        const event = await firstStream.until((e) => e.type === 'text_delta' || e.type === 'run_done' || e.type === 'run_error', 'the slow run streaming');
        if (event.type !== 'text_delta') break;
      }
      await new Promise((resolve) => setImmediate(resolve));
      if (early !== undefined && !firstStream.events.some((e) => e.type === 'loop_end' || e.type === 'run_done' || e.type === 'run_error')) {
        fail(`the second run emitted ${show(early.type)} while the first run of its session was still streaming: ${secondStream.typeList()}`, secondStream.exchange);
      }
      await ctx.http.request({ method: 'DELETE', path: `/v1/runs/${encodeURIComponent(first.runId)}` });
      await afterStart;
      const [a, b] = await Promise.all([firstStream.readToEnd(), secondStream.readToEnd()]);
      const firstLoopEnd = a.find((e) => e.type === 'loop_end') ?? a.at(-1);
      const secondLoopStart = b.find((e) => e.type === 'loop_start');
      if (!secondLoopStart) fail(`the second run never started its loop: ${secondStream.typeList()}`, secondStream.exchange);
      const end = timeNs(firstLoopEnd?.envelope['time']);
      const start = timeNs(secondLoopStart.envelope['time']);
      if (end === undefined || start === undefined) fail('cannot compare the runs: envelope times are not RFC 3339', secondStream.exchange);
      if (start < end) {
        fail(`the second run's loop_start (${show(secondLoopStart.envelope['time'])}) came before the first run's ${firstLoopEnd?.type} (${show(firstLoopEnd?.envelope['time'])})`, secondStream.exchange);
      }
    },
  },
  {
    id: 'RUN-005',
    area: 'RUN',
    level: 'MUST',
    rule: 'A provider failure ends the run with one run_error whose payload.error has a code, a message and retryable.',
    reference: 'ADR-0010 §8 ("run_error SSE events use the same shape in payload.error"); 119-events-fail.txt',
    capabilities: ['runs', 'events'],
    profile: 'scripted',
    async run(ctx) {
      const run = await startScenario(ctx, 'fail', ctx.unique('s'));
      const stream = await openEvents(ctx, run.eventsPath);
      const events = await stream.readToEnd();
      const last = events.at(-1);
      if (last?.type !== 'run_error') fail(`expected the run to end with run_error, got ${stream.typeList()}`, stream.exchange);
      if (events.some((e) => e.type === 'run_done')) fail(`a failed run must not emit run_done: ${stream.typeList()}`, stream.exchange);
      const error = last.payload['error'];
      if (!isObject(error)) fail(`expected run_error.payload.error to be an object, got ${show(error)}`, stream.exchange);
      if (typeof error['code'] !== 'string' || !(ERROR_CODES as readonly string[]).includes(error['code']) || error['code'] === 'canceled') {
        fail(`expected run_error code internal or provider_error, got ${show(error['code'])}`, stream.exchange);
      }
      if (typeof error['message'] !== 'string' || error['message'] === '') fail(`expected a run_error message, got ${show(error['message'])}`, stream.exchange);
      if (typeof error['retryable'] !== 'boolean') fail(`expected a boolean run_error retryable, got ${show(error['retryable'])}`, stream.exchange);
    },
  },
  {
    id: 'RUN-006',
    area: 'RUN',
    level: 'MUST',
    rule: 'active_runs in /v1/status counts a run that is waiting on a permission request, and stops counting it once it ended.',
    reference: '083-status-while-permission-pending.txt; 156-status-at-end.txt',
    capabilities: ['runs', 'events', 'permissions', 'status'],
    profile: 'scripted',
    // Other checks' runs would move the count: only this check's own run may explain a change.
    exclusive: true,
    async run(ctx) {
      const activeRuns = async (): Promise<{ count: number; exchange: Exchange }> => {
        const result = await ctx.http.request({ path: '/v1/status' });
        const count = expectValid('getStatus', result, 200)['active_runs'];
        if (typeof count !== 'number') fail(`expected a number active_runs, got ${show(count)}`, result.exchange);
        return { count, exchange: result.exchange };
      };
      const before = await activeRuns();
      const run = await startScenario(ctx, 'permission', ctx.unique('s'));
      const stream = await openEvents(ctx, run.eventsPath);
      const request = await stream.until('permission_request');
      const during = await activeRuns();
      await decide(ctx, run.runId, String(request.payload['permission_id']), { allow: false });
      await stream.readToEnd();
      const after = await activeRuns();
      // A run of an earlier check may still wind down meanwhile, so the count may only drop on its own:
      // this run must add exactly one against the count before it started or after it ended.
      const counted = during.count - before.count === 1 || during.count - after.count === 1;
      if (!counted) {
        fail(`expected active_runs to count this run while its permission request is pending: ${before.count} before it started, ${during.count} while pending, ${after.count} after it ended`, during.exchange);
      }
      if (after.count > before.count) {
        fail(`expected active_runs to stop counting the run once its stream ended: ${before.count} before it started, ${during.count} while pending, ${after.count} after it ended`, after.exchange);
      }
    },
  },
  {
    id: 'RUN-007',
    area: 'RUN',
    level: 'SHOULD',
    rule: 'run_start carries the client_id the run was started with.',
    reference: '049-events-hello.txt; 082-events-permission-allow-session.txt',
    capabilities: ['runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const clientId = ctx.unique('c');
      const run = await startRun(ctx, ctx.unique('s'), ctx.prompts.hello, { clientId });
      const stream = await openEvents(ctx, run.eventsPath);
      const start = await stream.until('run_start');
      await stream.readToEnd();
      if (start.payload['client_id'] !== clientId) fail(`expected run_start.payload.client_id ${show(clientId)}, got ${show(start.payload['client_id'])}`, stream.exchange);
    },
  },
  {
    id: 'RUN-008',
    area: 'RUN',
    level: 'SHOULD',
    rule: 'A run started with a listed skill (and no text) answers 201, and its run_start names the skill.',
    reference: '052-run-start-skill.txt; 053-events-skill.txt',
    capabilities: ['runs', 'events', 'skills'],
    profile: 'scripted',
    async run(ctx) {
      const listed = await ctx.http.request({ path: '/v1/skills' });
      const skills = expectValid('listSkills', listed, 200)['skills'];
      const first = Array.isArray(skills) ? skills[0] : undefined;
      const name = isObject(first) ? first['name'] : undefined;
      if (typeof name !== 'string') throw new CheckSkip('the daemon lists no skill to run');
      const result = await ctx.http.request({ method: 'POST', path: runsPath(ctx.unique('s')), body: { skill: name, arguments: { conformance: 'yes' } } });
      const body = expectValid('startRun', result, 201);
      const stream = await openEvents(ctx, eventsPath(String(body['run_id'])));
      const start = await stream.until('run_start');
      await stream.readToEnd();
      if (start.payload['skill'] !== name) fail(`expected run_start.payload.skill ${show(name)}, got ${show(start.payload['skill'])}`, stream.exchange);
    },
  },
];
