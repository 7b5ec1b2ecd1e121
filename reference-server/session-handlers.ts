/**
 * Beyond Go: the optional ADR-0010 §9 session lookup (capability `sessions`), served only when the
 * host implements it. Errors follow the daemon's conventions: `limit` as on /v1/memories, an
 * unknown session is 404 `session not found`, a host error is 500 `internal` with its text.
 */
import type { DaemonContext } from './daemon-context.js';
import { nonNegativeIntQuery } from './catalog-handlers.js';
import type { DaemonRequest, DaemonResponse } from './exchange.js';
import { errorReply, jsonReply } from './responses.js';
import { goTimestamp } from './go-time.js';

const defaultSessionLimit = 20;

const hostError = (error: unknown): DaemonResponse =>
  errorReply(500, 'internal', error instanceof Error ? error.message : String(error));
const notFound = (): DaemonResponse => errorReply(404, 'not_found', 'session not found');

/** SessionInfo in a fixed field order; optional fields only when set. */
function sessionInfo(value: unknown): Record<string, unknown> {
  const e = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { id: typeof e.id === 'string' ? e.id : '' };
  if (typeof e.title === 'string' && e.title) out.title = e.title;
  if (typeof e.message_count === 'number') out.message_count = e.message_count;
  if (e.created_at !== undefined) out.created_at = goTimestamp(e.created_at);
  if (e.updated_at !== undefined) out.updated_at = goTimestamp(e.updated_at);
  return out;
}

export async function handleSessions(ctx: DaemonContext, params: URLSearchParams): Promise<DaemonResponse> {
  const limit = nonNegativeIntQuery(params, 'limit');
  if (limit === undefined) return errorReply(400, 'invalid_request', 'limit must be non-negative');
  const query = (params.get('query') ?? '').trim();
  const max = limit > 0 ? limit : defaultSessionLimit;
  try {
    const sessions = (await ctx.host.sessionList?.({ query, limit: max })) ?? [];
    return jsonReply(200, { sessions: sessions.slice(0, max).map(sessionInfo) });
  } catch (error) {
    return hostError(error);
  }
}

export async function handleSessionGet(ctx: DaemonContext, id: string): Promise<DaemonResponse> {
  try {
    const session = await ctx.host.sessionGet?.({ id: id.trim() });
    return session ? jsonReply(200, sessionInfo(session)) : notFound();
  } catch (error) {
    return hostError(error);
  }
}

export async function handleSessionMessages(ctx: DaemonContext, id: string): Promise<DaemonResponse> {
  try {
    const messages = await ctx.host.sessionMessages?.({ id: id.trim() });
    return messages ? jsonReply(200, { session_id: id.trim(), messages }) : notFound();
  } catch (error) {
    return hostError(error);
  }
}
