/**
 * Permission helpers for the scripted profile: a run parked on its permission request, answering
 * it as the owner, and re-running to see whether the daemon asks again (remembered grants).
 */
import type { HttpResult } from '../src/protocol/http-client.js';
import { decide, openEvents, startScenario, type EventStream, type ReceivedEvent, type StartedRun } from './events.js';
import { CheckInconclusive, expectValid, fail, isObject, show } from './expect.js';
import { timeNs } from './time.js';
import type { CheckContext, ScenarioName } from './types.js';

export interface PendingPermission {
  run: StartedRun;
  stream: EventStream;
  request: ReceivedEvent;
  permissionId: string;
}

/** Starts a permission-gated scenario and reads up to its first permission_request. */
export async function pendingPermission(
  ctx: CheckContext,
  options: { session?: string; clientId?: string; scenario?: ScenarioName } = {},
): Promise<PendingPermission> {
  const run = await startScenario(ctx, options.scenario ?? 'permission', options.session ?? ctx.unique('s'), {
    ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
  });
  const stream = await openEvents(ctx, run.eventsPath);
  const request = await stream.until('permission_request');
  const permissionId = request.payload['permission_id'];
  if (typeof permissionId !== 'string' || permissionId === '') fail(`expected a permission_id in permission_request, got ${show(permissionId)}`, stream.exchange);
  return { run, stream, request, permissionId };
}

/** Answers as the run's owner (its client id in X-Glue-Client-ID) and expects 200 accepted. */
export async function answer(ctx: CheckContext, pending: PendingPermission, body: Record<string, unknown>): Promise<HttpResult> {
  const result = await decide(ctx, pending.run.runId, pending.permissionId, body, pending.run.clientId);
  const expires = timeNs(pending.request.payload['expires_at']);
  if (result.status === 404 && expires !== undefined && BigInt(Date.now()) * 1_000_000n > expires) {
    // Not a protocol fault: the check was slower than the daemon's timeout (a loaded machine).
    throw new CheckInconclusive(`the permission request expired (expires_at ${show(pending.request.payload['expires_at'])}) before the check could answer it, so the daemon rightly answered 404; give the daemon a longer permission timeout (and --permission-timeout)`, result.exchange);
  }
  const json = expectValid('decidePermission', result, 200);
  if (json['accepted'] !== true) fail(`expected accepted true, got ${show(json['accepted'])}`, result.exchange);
  if (json['permission_id'] !== pending.permissionId) fail(`expected permission_id ${show(pending.permissionId)}, got ${show(json['permission_id'])}`, result.exchange);
  return result;
}

/** The tool_end that follows the permission request (same tool call). */
export function toolEndAfter(events: readonly ReceivedEvent[], request: ReceivedEvent): ReceivedEvent | undefined {
  return events.find((e) => e.type === 'tool_end' && (e.seq ?? 0) > (request.seq ?? 0));
}

export function resultText(event: ReceivedEvent): string {
  const result = event.payload['tool_result'];
  const content = isObject(result) ? result['content'] : undefined;
  if (!Array.isArray(content)) return '';
  return content.map((part: unknown) => (isObject(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('');
}

export function isErrorResult(event: ReceivedEvent): boolean {
  const result = event.payload['tool_result'];
  return isObject(result) && result['is_error'] === true;
}

/** Reads to the end and requires the run to have finished with run_done. */
export async function expectRunDone(stream: EventStream): Promise<ReceivedEvent[]> {
  const events = await stream.readToEnd();
  if (events.at(-1)?.type !== 'run_done') fail(`expected the run to continue to run_done, got ${stream.typeList()}`, stream.exchange);
  return events;
}

/**
 * Runs the permission scenario again and reports whether the daemon asked. A request that does
 * come is denied so the run can finish (never left pending until the daemon's timeout).
 */
export async function runAgain(ctx: CheckContext, session: string, clientId: string | undefined): Promise<{ asked: boolean; stream: EventStream; events: ReceivedEvent[] }> {
  const run = await startScenario(ctx, 'permission', session, clientId !== undefined ? { clientId } : {});
  const stream = await openEvents(ctx, run.eventsPath);
  let asked = false;
  for (let event = await stream.next(); event !== undefined; event = await stream.next()) {
    if (event.type === 'permission_request') {
      asked = true;
      await decide(ctx, run.runId, String(event.payload['permission_id']), { allow: false }, clientId);
    }
    if (event.type === 'run_done' || event.type === 'run_error') break;
  }
  const events = await stream.readToEnd();
  return { asked, stream, events };
}

export interface Grant {
  id: string;
  scope: unknown;
  client_id?: unknown;
  session_id?: unknown;
  tool?: unknown;
  action?: unknown;
  target?: unknown;
}

/** The daemon's grants for one client id (validated against the spec). */
export async function grantsOf(ctx: CheckContext, clientId: string): Promise<{ grants: Grant[]; result: HttpResult }> {
  const result = await ctx.http.request({ path: '/v1/permissions' });
  const body = expectValid('listPermissionGrants', result, 200);
  const list = Array.isArray(body['permissions']) ? body['permissions'] : [];
  const grants = list.filter((g): g is Grant => isObject(g) && g['client_id'] === clientId && typeof g['id'] === 'string');
  return { grants, result };
}

/** Best-effort cleanup so a user's daemon does not keep the suite's grants. */
export async function deleteGrants(ctx: CheckContext, clientId: string): Promise<void> {
  try {
    const { grants } = await grantsOf(ctx, clientId);
    for (const grant of grants) await ctx.http.request({ method: 'DELETE', path: `/v1/permissions/${encodeURIComponent(grant.id)}` });
  } catch {
    // The check's own verdict matters, not the cleanup.
  }
}
