/**
 * The run routes: start (201, the run executes in the background), events (SSE replay + follow;
 * a reader leaving cancels the run, as in Go), cancel (202, also for finished runs) and the
 * permission decision, whose checks run in Go's order: run → owner (before the body is parsed,
 * so invalid JSON from another client is 403) → JSON → remember_for → pending request.
 */
import type { DaemonContext } from './daemon-context.js';
import type { RunInput } from './host.js';
import { decodeBody } from './read-body.js';
import { defaultDenyReason, rememberScopes } from './permission-broker.js';
import type { DaemonRequest, DaemonResponse } from './exchange.js';
import { errorReply, jsonReply, messages, tooBusy } from './responses.js';
import { executeRun } from './run-executor.js';
import { RunFeed, sseHeaders } from './sse.js';
import { trimHeaderValue } from './auth.js';

const startRunSpec = {
  text: 'string',
  skill: 'string',
  arguments: 'stringMap',
  client_id: 'string',
  role: 'string',
  model: 'string',
  max_turns: 'int',
  options: 'anyMap',
} as const;

const decisionSpec = { allow: 'bool', reason: 'string', remember_for: 'string' } as const;

/** Go's `url.PathEscape` for one segment: unreserved characters and `$&+:=@` stay as they are. */
function pathEscape(segment: string): string {
  return encodeURIComponent(segment).replace(/%(24|26|2B|3A|3D|40)/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

export async function handleStartRun(ctx: DaemonContext, request: DaemonRequest, sessionId: string): Promise<DaemonResponse> {
  const decoded = await decodeBody(request, ctx.limits.maxBodyBytes, startRunSpec);
  if (!decoded.ok) return decoded.response;
  const req = decoded.value;
  const text = req.text.trim();
  const skill = req.skill.trim();
  if (!text && !skill) return errorReply(400, 'invalid_request', 'text or skill is required');
  if (text && skill) return errorReply(400, 'invalid_request', 'choose only one of text or skill');
  if (ctx.runs.activeCount() >= ctx.limits.maxActiveRuns) return tooBusy(messages.tooManyRuns);

  const run = ctx.runs.create({ sessionId, clientId: req.client_id, now: ctx.now, eventId: ctx.ids.event }, ctx.ids.run);
  const input: RunInput = { runId: run.id, sessionId, clientId: req.client_id };
  if (text) input.text = text;
  if (skill) {
    input.skill = skill;
    if (req.arguments !== undefined) input.arguments = req.arguments;
  }
  if (req.role.trim()) input.role = req.role;
  if (req.model.trim()) input.model = req.model;
  if (req.max_turns > 0) input.maxTurns = req.max_turns;

  // One settled handler for both outcomes (never rejects), not a catch and a finally chain per run.
  const forget = (): void => {
    ctx.executions.delete(execution);
  };
  const execution: Promise<void> = executeRun(ctx, run, input).then(forget, forget);
  ctx.executions.add(execution);

  return jsonReply(201, { run_id: run.id, session_id: sessionId, events_url: `/v1/runs/${pathEscape(run.id)}/events` });
}

export function handleRunEvents(ctx: DaemonContext, runId: string): DaemonResponse {
  const run = ctx.runs.get(runId);
  if (!run) return errorReply(404, 'not_found', messages.runNotFound);
  if (ctx.streams.open >= ctx.limits.maxOpenStreams) return tooBusy(messages.tooManyStreams);
  ctx.streams.open++;
  const events = new RunFeed(run, {
    onDisconnect: () => run.cancel(),
    onEnd: () => ctx.streams.ended(),
  });
  return { status: 200, headers: sseHeaders, events };
}

export function handleCancelRun(ctx: DaemonContext, runId: string): DaemonResponse {
  const run = ctx.runs.get(runId);
  if (!run) return errorReply(404, 'not_found', messages.runNotFound);
  if (!ctx.faults.has('cancel-ignored')) run.cancel();
  // A Go map: keys come out sorted.
  return jsonReply(202, { canceled: true, run_id: runId });
}

export async function handleDecision(
  ctx: DaemonContext,
  request: DaemonRequest,
  runId: string,
  permissionId: string,
): Promise<DaemonResponse> {
  const run = ctx.runs.get(runId);
  if (!run) return errorReply(404, 'not_found', messages.runNotFound);
  const clientId = trimHeaderValue(request.header('x-glue-client-id') ?? '');
  if (clientId && run.clientId && clientId !== run.clientId) {
    return errorReply(403, 'forbidden', 'permission decision belongs to another client');
  }
  const decoded = await decodeBody(request, ctx.limits.maxBodyBytes, decisionSpec);
  if (!decoded.ok) return decoded.response;
  const rememberFor = decoded.value.remember_for.trim();
  if (!(rememberScopes as readonly string[]).includes(rememberFor)) {
    return errorReply(400, 'invalid_request', 'invalid remember_for');
  }
  const allow = decoded.value.allow;
  const reason = !allow && decoded.value.reason.trim() === '' ? defaultDenyReason : decoded.value.reason;
  if (!ctx.broker.decide(run, permissionId, { allow, reason, rememberFor })) {
    return errorReply(404, 'not_found', messages.permissionNotFound);
  }
  return jsonReply(200, { permission_id: permissionId, accepted: true });
}
