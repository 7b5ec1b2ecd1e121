/**
 * `/v1/diagnostics` state: the runtime block (Go's DiagnosticInfo, in struct order with omitempty)
 * and the ten most recent run errors, newest first.
 */
import type { DiagnosticError, RuntimeInfo } from '../src/protocol/types.js';
import { formatGoTime } from './go-time.js';

/** What a host program tells the daemon about itself: Go's DiagnosticInfo fields, all optional (`started_at` is the daemon's own). */
export type RuntimeInfoInput = Partial<Omit<RuntimeInfo, 'started_at'>>;

const maxRecentErrors = 10;

export type RecentError = DiagnosticError;

export function runtimeBlock(input: RuntimeInfoInput, startedAt: Date): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: keyof RuntimeInfoInput): void => {
    const value = input[key];
    if (typeof value === 'string' && value !== '') out[key] = value;
  };
  put('name');
  out.started_at = formatGoTime(startedAt);
  put('listen_addr');
  put('metadata_path');
  put('token_source');
  put('provider');
  put('model');
  put('store_type');
  put('store_path');
  put('settings_path');
  put('identity_path');
  out.coding_enabled = input.coding_enabled === true;
  put('coding_work_dir');
  put('permission_remember_path');
  return out;
}

export class RecentErrors {
  private entries: RecentError[] = [];

  record(time: Date, context: { runId: string; sessionId: string; clientId: string }, message: string): void {
    const error = message.trim();
    if (!error) return;
    // Built key by key: Go's struct order with omitempty.
    const entry: Record<string, string> = { time: formatGoTime(time) };
    if (context.runId) entry.run_id = context.runId;
    if (context.sessionId) entry.session_id = context.sessionId;
    if (context.clientId) entry.client_id = context.clientId;
    entry.error = error;
    this.entries = [entry as unknown as RecentError, ...this.entries].slice(0, maxRecentErrors);
  }

  list(): RecentError[] {
    return [...this.entries];
  }
}
