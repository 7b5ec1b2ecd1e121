/**
 * GRANT: remembered permission decisions (ADR-0010 §6 remember_for) as the Go daemon keeps them:
 * only allow decisions with a scope are stored, keyed per owner (client), listed under
 * /v1/permissions and deletable; a matching later request is not asked at all.
 */
import { expectErrorCases } from '../cases.js';
import { expectValid, fail, show } from '../expect.js';
import { answer, deleteGrants, expectRunDone, grantsOf, pendingPermission, runAgain, type Grant } from '../permissions.js';
import type { Check, CheckContext } from '../types.js';

const NEEDS = ['runs', 'events', 'permissions', 'permission_grants'] as const;

/** Allows one request of a fresh client with `scope` and returns what the daemon stored. */
async function rememberedGrant(ctx: CheckContext, scope: string): Promise<{ session: string; clientId: string; grant: Grant; tool: unknown; action: unknown; target: unknown }> {
  const session = ctx.unique('s');
  const clientId = ctx.unique('c');
  const pending = await pendingPermission(ctx, { session, clientId });
  const request = pending.request.payload['request'] as Record<string, unknown> | undefined;
  await answer(ctx, pending, { allow: true, remember_for: scope });
  await expectRunDone(pending.stream);
  const { grants, result } = await grantsOf(ctx, clientId);
  const grant = grants.find((g) => g.scope === scope);
  if (!grant) fail(`expected GET /v1/permissions to list a ${show(scope)} grant for client ${show(clientId)}, got ${show(grants)}`, result.exchange);
  return { session, clientId, grant, tool: request?.['tool'], action: request?.['action'], target: request?.['target'] };
}

async function withCleanup(ctx: CheckContext, body: (track: (clientId: string) => void) => Promise<void>): Promise<void> {
  const clients: string[] = [];
  try {
    await body((clientId) => clients.push(clientId));
  } finally {
    for (const clientId of clients) await deleteGrants(ctx, clientId);
  }
}

function expectAsked(asked: boolean, want: boolean, why: string, exchange: Parameters<typeof fail>[1]): void {
  if (asked !== want) fail(want ? `expected a permission_request (${why}), but the tool ran without asking` : `expected no permission_request (${why}), but the daemon asked again`, exchange);
}

/**
 * The prerequisite of every "is still asked" rule: the grant does cover its own client in its own
 * session. Without it, a daemon that ignores grants altogether would pass those rules.
 */
async function expectGrantApplies(ctx: CheckContext, session: string, clientId: string): Promise<void> {
  const again = await runAgain(ctx, session, clientId);
  expectAsked(again.asked, false, 'first, the grant must cover its own client in its own session', again.stream.exchange);
}

export const grantChecks: Check[] = [
  {
    id: 'GRANT-001',
    area: 'GRANT',
    level: 'MUST',
    rule: 'An allow with remember_for "session" is listed as a session grant of that client, and the client\'s next request for the same tool in that session is not asked.',
    reference: 'ADR-0010 §6; 086-permissions-after-session-grant.txt; 089-events-permission-second-auto-allowed.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    run: (ctx) =>
      withCleanup(ctx, async (track) => {
        const { session, clientId, grant, tool, action } = await rememberedGrant(ctx, 'session');
        track(clientId);
        if (grant.session_id !== session || grant.tool !== tool || grant.action !== action) {
          fail(`expected the grant to name session ${show(session)}, tool ${show(tool)}, action ${show(action)}, got ${show(grant)}`);
        }
        const again = await runAgain(ctx, session, clientId);
        expectAsked(again.asked, false, 'a session grant covers it', again.stream.exchange);
        if (again.events.at(-1)?.type !== 'run_done') fail(`expected the remembered run to end with run_done, got ${again.stream.typeList()}`, again.stream.exchange);
      }),
  },
  {
    id: 'GRANT-002',
    area: 'GRANT',
    level: 'MUST',
    rule: 'Grants are per client: another client in the same session is still asked.',
    reference: 'ADR-0010 §6 (requests go to the owning client); 091-events-permission-other-client-prompted.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    run: (ctx) =>
      withCleanup(ctx, async (track) => {
        const { session, clientId } = await rememberedGrant(ctx, 'session');
        track(clientId);
        await expectGrantApplies(ctx, session, clientId);
        const again = await runAgain(ctx, session, ctx.unique('other'));
        expectAsked(again.asked, true, "another client's grant does not apply", again.stream.exchange);
      }),
  },
  {
    id: 'GRANT-003',
    area: 'GRANT',
    level: 'MUST',
    rule: 'DELETE /v1/permissions/{id} answers 200 with the deleted grant, the grant is no longer listed, and the daemon asks again.',
    reference: '114-permission-grant-delete-existing.txt; 117-permissions-after-delete.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    run: (ctx) =>
      withCleanup(ctx, async (track) => {
        const { session, clientId, grant } = await rememberedGrant(ctx, 'session');
        track(clientId);
        await expectGrantApplies(ctx, session, clientId);
        const result = await ctx.http.request({ method: 'DELETE', path: `/v1/permissions/${encodeURIComponent(grant.id)}` });
        const body = expectValid('deletePermissionGrant', result, 200);
        const deleted = body['permission'] as Record<string, unknown> | undefined;
        if (deleted?.['id'] !== grant.id) fail(`expected the deleted grant ${show(grant.id)} in the answer, got ${show(body)}`, result.exchange);
        const after = await grantsOf(ctx, clientId);
        if (after.grants.some((g) => g.id === grant.id)) fail(`grant ${show(grant.id)} is still listed after DELETE`, after.result.exchange);
        const again = await runAgain(ctx, session, clientId);
        expectAsked(again.asked, true, 'its grant was deleted', again.stream.exchange);
      }),
  },
  {
    id: 'GRANT-004',
    area: 'GRANT',
    level: 'MUST',
    rule: 'DELETE /v1/permissions/{id} for an unknown grant answers 404 not_found.',
    reference: '115-permission-grant-delete-unknown-404.txt',
    capabilities: ['permission_grants'],
    profile: 'any',
    run: (ctx) => expectErrorCases(ctx, [{ method: 'DELETE', path: '/v1/permissions/grant_conformance0000', status: 404, code: 'not_found' }]),
  },
  {
    id: 'GRANT-005',
    area: 'GRANT',
    level: 'MUST',
    rule: 'An allow with remember_for "never" stores no grant: the next request is asked again.',
    reference: 'ADR-0010 §6; 102-decision-same-client-allow.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    run: (ctx) =>
      withCleanup(ctx, async (track) => {
        const session = ctx.unique('s');
        const clientId = ctx.unique('c');
        track(clientId);
        const pending = await pendingPermission(ctx, { session, clientId });
        await answer(ctx, pending, { allow: true, remember_for: 'never' });
        await expectRunDone(pending.stream);
        const { grants, result } = await grantsOf(ctx, clientId);
        if (grants.length > 0) fail(`expected no grant after remember_for never, got ${show(grants)}`, result.exchange);
        const again = await runAgain(ctx, session, clientId);
        expectAsked(again.asked, true, 'nothing was remembered', again.stream.exchange);
      }),
  },
  {
    id: 'GRANT-006',
    area: 'GRANT',
    level: 'MUST',
    rule: 'A session grant does not apply in another session of the same client.',
    reference: 'ADR-0010 §6 (remember_for session)',
    capabilities: [...NEEDS],
    profile: 'scripted',
    run: (ctx) =>
      withCleanup(ctx, async (track) => {
        const { session, clientId } = await rememberedGrant(ctx, 'session');
        track(clientId);
        await expectGrantApplies(ctx, session, clientId);
        const again = await runAgain(ctx, ctx.unique('s'), clientId);
        expectAsked(again.asked, true, 'a session grant stays in its session', again.stream.exchange);
      }),
  },
  {
    id: 'GRANT-007',
    area: 'GRANT',
    level: 'MUST',
    rule: 'A "forever" grant is listed with scope forever and covers the same client\'s request in another session.',
    reference: 'ADR-0010 §6; 182-minimal-decision-allow-forever.txt; 183-minimal-permissions-forever-grant.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    run: (ctx) =>
      withCleanup(ctx, async (track) => {
        const { clientId } = await rememberedGrant(ctx, 'forever');
        track(clientId);
        const again = await runAgain(ctx, ctx.unique('s'), clientId);
        expectAsked(again.asked, false, 'a forever grant covers every session', again.stream.exchange);
      }),
  },
  {
    id: 'GRANT-008',
    area: 'GRANT',
    level: 'MUST',
    rule: 'A "session_target" grant is listed with its target and covers the same request in that session.',
    reference: 'ADR-0010 §6; 112-decision-two-permissions-second-session-target.txt; 113-permissions-list-two-grants.txt',
    capabilities: [...NEEDS],
    profile: 'scripted',
    run: (ctx) =>
      withCleanup(ctx, async (track) => {
        const { session, clientId, grant, target } = await rememberedGrant(ctx, 'session_target');
        track(clientId);
        if (grant.target !== target) fail(`expected the grant's target ${show(target)}, got ${show(grant.target)}`);
        const again = await runAgain(ctx, session, clientId);
        expectAsked(again.asked, false, 'a session_target grant covers the same target', again.stream.exchange);
      }),
  },
];
