/**
 * SESS: the optional ADR-0010 §9 session lookup (capability `sessions`; Glue v1.11.0 does not
 * serve it). Clients render history and switch sessions from these answers, so the list, one
 * session and its transcript must match the spec and what the runs actually produced.
 */
import type { HttpResult } from '../../src/protocol/http-client.js';
import { expectErrorCases } from '../cases.js';
import { readRun, startRun } from '../events.js';
import { CheckSkip, deepEqual, expectEqual, expectValid, fail, isObject, show } from '../expect.js';
import type { Check, CheckContext } from '../types.js';

const REFERENCE = 'ADR-0010 §9; openapi listSessions, getSession, listSessionMessages (x-glue-optional)';
/** The spec's default page when `limit` is 0 or blank. */
const DEFAULT_LIMIT = 20;
/** Other clients of the daemon may update sessions; a limit comparison retries until two full lists agree. */
const STABLE_ATTEMPTS = 5;

const sessionPath = (id: string): string => `/v1/sessions/${encodeURIComponent(id)}`;

async function listSessions(ctx: CheckContext, search = ''): Promise<{ sessions: unknown[]; result: HttpResult }> {
  const result = await ctx.http.request({ path: `/v1/sessions${search}` });
  const body = expectValid('listSessions', result, 200);
  const sessions = body['sessions'];
  if (!Array.isArray(sessions)) fail(`expected sessions to be an array, got ${show(sessions)}`, result.exchange);
  return { sessions, result };
}

/** Runs one prompt to its end and returns run_done's `new_messages`; a run_error leaves nothing to compare. */
async function completedRun(ctx: CheckContext, session: string, text: string): Promise<unknown[]> {
  const stream = await readRun(ctx, await startRun(ctx, session, text));
  const done = stream.events.find((e) => e.type === 'run_done');
  if (!done) throw new CheckSkip(`the run ${show(text)} did not end with run_done (${stream.typeList()}), so there is no transcript to compare`);
  const added = done.payload['new_messages'];
  return Array.isArray(added) ? added : [];
}

/** A message as a line, for comparing transcripts: role, text parts, tool calls by name. */
function summary(message: unknown): string {
  if (!isObject(message)) return show(message);
  const parts = Array.isArray(message['content']) ? message['content'] : [];
  const shown = parts.map((part) => {
    if (!isObject(part)) return show(part);
    if (part['type'] === 'text') return show(part['text']);
    const call = part['tool_call'];
    return `${String(part['type'])}${isObject(call) ? `:${String(call['name'])}` : ''}`;
  });
  return `${String(message['role'])}: ${shown.join(' + ')}`;
}

const userLine = (text: string): string => `user: ${show(text)}`;

export const sessionChecks: Check[] = [
  {
    id: 'SESS-001',
    area: 'SESS',
    level: 'MUST',
    rule: 'GET /v1/sessions answers 200 with a session list the spec allows, and a query that matches nothing answers sessions [] (never null).',
    reference: REFERENCE,
    capabilities: ['sessions'],
    profile: 'any',
    async run(ctx) {
      await listSessions(ctx);
      const query = ctx.unique('zq9-no-such-session');
      const { sessions, result } = await listSessions(ctx, `?query=${encodeURIComponent(query)}`);
      if (sessions.length > 0) fail(`expected no session to match ${show(query)}, got ${show(sessions)}`, result.exchange);
    },
  },
  {
    id: 'SESS-002',
    area: 'SESS',
    level: 'MUST',
    rule: 'After a run in a new session ended, GET /v1/sessions/{id} answers 200 with that session id (percent-decoded) and GET /v1/sessions?query={id} lists it.',
    reference: REFERENCE,
    capabilities: ['sessions', 'runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const session = `${ctx.unique('sess')}:42`;
      await readRun(ctx, await startRun(ctx, session, ctx.prompts.hello));
      const one = await ctx.http.request({ path: sessionPath(session) });
      const info = expectValid('getSession', one, 200);
      if (info['id'] !== session) fail(`expected id ${show(session)} from GET ${sessionPath(session)}, got ${show(info['id'])}`, one.exchange);
      const { sessions, result } = await listSessions(ctx, `?query=${encodeURIComponent(session)}`);
      if (!sessions.some((entry) => isObject(entry) && entry['id'] === session)) {
        fail(`expected GET /v1/sessions?query=… to list session ${show(session)}, got ${show(sessions)}`, result.exchange);
      }
    },
  },
  {
    id: 'SESS-003',
    area: 'SESS',
    level: 'MUST',
    rule: "GET /v1/sessions/{id}/messages is the session's transcript in order: each run's user text, then that run's run_done new_messages; message_count, when sent, counts them.",
    reference: `${REFERENCE}; glue.Session.Prompt`,
    capabilities: ['sessions', 'runs', 'events'],
    profile: 'any',
    async run(ctx) {
      const session = ctx.unique('sess');
      const text = ctx.prompts.hello;
      // Two runs: the second must be appended after the first, not replace it.
      const expected: string[] = [];
      for (let i = 0; i < 2; i++) expected.push(userLine(text), ...(await completedRun(ctx, session, text)).map(summary));
      const path = `${sessionPath(session)}/messages`;
      const result = await ctx.http.request({ path });
      const body = expectValid('listSessionMessages', result, 200);
      if (body['session_id'] !== session) fail(`expected session_id ${show(session)} from GET ${path}, got ${show(body['session_id'])}`, result.exchange);
      const messages = Array.isArray(body['messages']) ? body['messages'] : [];
      expectEqual(messages.map(summary), expected, `the transcript of two ${show(text)} runs`, result.exchange);
      const one = await ctx.http.request({ path: sessionPath(session) });
      const info = expectValid('getSession', one, 200);
      if (info['message_count'] !== undefined && info['message_count'] !== messages.length) {
        fail(`expected message_count ${messages.length} (the transcript's length), got ${show(info['message_count'])}`, one.exchange);
      }
    },
  },
  {
    id: 'SESS-004',
    area: 'SESS',
    level: 'MUST',
    rule: 'A session that does not exist answers 404 not_found on GET /v1/sessions/{id} and GET /v1/sessions/{id}/messages.',
    reference: `${REFERENCE}; ADR-0010 §8`,
    capabilities: ['sessions'],
    profile: 'any',
    run(ctx) {
      const path = sessionPath(ctx.unique('never-used'));
      return expectErrorCases(ctx, [
        { method: 'GET', path, status: 404, code: 'not_found' },
        { method: 'GET', path: `${path}/messages`, status: 404, code: 'not_found' },
      ]);
    },
  },
  {
    id: 'SESS-005',
    area: 'SESS',
    level: 'MUST',
    rule: `GET /v1/sessions?limit=N returns at most N sessions, the first N of the list; limit=0 and no limit both mean the daemon default (${DEFAULT_LIMIT}).`,
    reference: REFERENCE,
    capabilities: ['sessions', 'runs', 'events'],
    profile: 'any',
    // Other checks' runs reorder the list: alone, the lists it compares stay still.
    exclusive: true,
    async run(ctx) {
      // Two sessions of our own, so a limit of 1 has something to cut.
      for (const label of ['a', 'b']) await readRun(ctx, await startRun(ctx, ctx.unique(`sess-${label}`), ctx.prompts.hello));
      for (let attempt = 1; attempt <= STABLE_ATTEMPTS; attempt++) {
        const full = await listSessions(ctx);
        if (full.sessions.length > DEFAULT_LIMIT) fail(`expected at most ${DEFAULT_LIMIT} sessions without a limit, got ${full.sessions.length}`, full.result.exchange);
        const one = await listSessions(ctx, '?limit=1');
        if (one.sessions.length !== 1) fail(`expected exactly 1 session for limit=1 (at least 2 exist), got ${one.sessions.length}`, one.result.exchange);
        const zero = await listSessions(ctx, '?limit=0');
        const again = await listSessions(ctx);
        if (!deepEqual(full.sessions, again.sessions)) continue;
        expectEqual(one.sessions, full.sessions.slice(0, 1), 'the limit=1 list (the first entry of the full list)', one.result.exchange);
        expectEqual(zero.sessions, full.sessions, 'the limit=0 list (the same as no limit)', zero.result.exchange);
        return;
      }
      throw new CheckSkip(`the session list kept changing while the check ran alone (${STABLE_ATTEMPTS} attempts: another client is using the daemon), so the limit lists could not be compared`);
    },
  },
  {
    id: 'SESS-006',
    area: 'SESS',
    level: 'MUST',
    rule: 'GET /v1/sessions with a negative or non-numeric limit answers 400 invalid_request.',
    reference: `${REFERENCE}; as /v1/memories (026-memories-limit-negative.txt, 027-memories-limit-abc.txt)`,
    capabilities: ['sessions'],
    profile: 'any',
    run: (ctx) =>
      expectErrorCases(ctx, [
        { method: 'GET', path: '/v1/sessions?limit=-1', status: 400, code: 'invalid_request' },
        { method: 'GET', path: '/v1/sessions?limit=abc', status: 400, code: 'invalid_request' },
      ]),
  },
];
