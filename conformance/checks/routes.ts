/**
 * ROUTE: what a daemon answers outside its routes. Unknown paths and unknown ids get the JSON 404
 * envelope, never an HTML page, a redirect, or an SSE stream.
 */
import { expectErrorCases } from '../cases.js';
import { readRun, startRun } from '../events.js';
import { expectValid } from '../expect.js';
import type { Check } from '../types.js';

const UNKNOWN_RUN = 'run_00000000000000000000000000000000';

export const routeChecks: Check[] = [
  {
    id: 'ROUTE-001',
    area: 'ROUTE',
    level: 'MUST',
    rule: 'An unknown path (with a valid token) answers 404 with the not_found error envelope.',
    reference: 'ADR-0010 §8; 130-unknown-route-404.txt; 132-root-path.txt',
    capabilities: [],
    profile: 'any',
    run: (ctx) =>
      expectErrorCases(ctx, [
        { method: 'GET', path: '/v1/nope', status: 404, code: 'not_found' },
        { method: 'GET', path: '/', status: 404, code: 'not_found' },
        { method: 'POST', path: '/v2/status', body: {}, status: 404, code: 'not_found' },
      ]),
  },
  {
    id: 'ROUTE-002',
    area: 'ROUTE',
    level: 'SHOULD',
    rule: 'Paths match exactly: a trailing slash gets 404, not a redirect or the route.',
    reference: '131-status-trailing-slash.txt',
    capabilities: [],
    profile: 'any',
    run: (ctx) => expectErrorCases(ctx, [{ method: 'GET', path: '/v1/status/', status: 404, code: 'not_found' }]),
  },
  {
    id: 'ROUTE-003',
    area: 'ROUTE',
    level: 'MUST',
    rule: 'GET /v1/runs/{id}/events for an unknown run answers a 404 JSON envelope, not an event stream.',
    reference: 'ADR-0010 §8; 127-events-unknown-run-404.txt',
    capabilities: ['events'],
    profile: 'any',
    run: (ctx) => expectErrorCases(ctx, [{ method: 'GET', path: `/v1/runs/${UNKNOWN_RUN}/events`, headers: { Accept: 'text/event-stream' }, status: 404, code: 'not_found' }]),
  },
  {
    id: 'ROUTE-004',
    area: 'ROUTE',
    level: 'MUST',
    rule: 'A permission decision for an unknown run answers 404 not_found.',
    reference: 'ADR-0010 §6; 100-decision-unknown-run-404.txt',
    capabilities: ['permissions'],
    profile: 'any',
    run: (ctx) =>
      expectErrorCases(ctx, [
        { method: 'POST', path: `/v1/runs/${UNKNOWN_RUN}/permissions/perm_00000000000000000000000000000000/decision`, body: { allow: true }, status: 404, code: 'not_found' },
      ]),
  },
  {
    id: 'ROUTE-005',
    area: 'ROUTE',
    level: 'SHOULD',
    rule: 'A session id can never be empty or contain "/": /v1/sessions//runs and /v1/sessions/a%2Fb/runs answer 404.',
    reference: '067-run-start-session-encoded-slash-404.txt; 069-run-start-empty-session-404.txt',
    capabilities: ['runs'],
    profile: 'any',
    run: (ctx) =>
      expectErrorCases(ctx, [
        { method: 'POST', path: '/v1/sessions//runs', body: { text: ctx.prompts.hello }, status: 404, code: 'not_found' },
        { method: 'POST', path: '/v1/sessions/a%2Fb/runs', body: { text: ctx.prompts.hello }, status: 404, code: 'not_found' },
      ]),
  },
  {
    id: 'ROUTE-006',
    area: 'ROUTE',
    level: 'MUST',
    rule: 'Without the sessions capability the ADR-0010 session lookup routes answer 404; with it they answer 200.',
    reference: 'ADR-0010 §9; 133-sessions-lookup-not-implemented.txt',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      if (!ctx.capabilities.has('sessions')) {
        await expectErrorCases(ctx, [{ method: 'GET', path: `/v1/sessions/${encodeURIComponent(ctx.unique('s'))}`, status: 404, code: 'not_found' }]);
        return;
      }
      const session = ctx.unique('s');
      await readRun(ctx, await startRun(ctx, session, ctx.prompts.hello));
      const path = `/v1/sessions/${encodeURIComponent(session)}`;
      expectValid('getSession', await ctx.http.request({ path }), 200);
      expectValid('listSessionMessages', await ctx.http.request({ path: `${path}/messages` }), 200);
      expectValid('listSessions', await ctx.http.request({ path: '/v1/sessions' }), 200);
    },
  },
];
