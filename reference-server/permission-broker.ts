/**
 * The permission broker (Go's `decidePermission` and the decision handler's back half):
 * a remembered grant answers at once and silently; otherwise a `permission_request` event goes out
 * and the tool waits for the owner's decision, the timeout (deny with a model-visible reason) or
 * the run's cancellation. Only allow decisions with a remember scope are stored.
 */
import type { PermissionAnswer, PermissionAsk } from './host.js';
import { RunFailure } from './host.js';
import type { GrantStore, RememberScope } from './grants.js';
import type { FaultSwitch } from './internal-faults.js';
import type { Run } from './run.js';
import { addMilliseconds, formatGoTime } from './go-time.js';
import { freshId } from './ids.js';

export const timeoutReason = 'permission denied: daemon permission request timed out';
export const defaultDenyReason = 'permission denied by daemon client';
export const shutdownDenyReason = 'permission denied: daemon shutting down';

export interface Decision {
  allow: boolean;
  reason: string;
  /** '' or 'never' store nothing. */
  rememberFor: string;
}

export interface PermissionBrokerOptions {
  grants: GrantStore;
  timeoutMs: number;
  now: () => Date;
  permissionId: () => string;
  faults: FaultSwitch;
  /** Remembering a grant failed (store write error or store full): logged; the run then fails with it. */
  onStoreError(run: Run, error: unknown): void;
}

export class PermissionBroker {
  constructor(private readonly options: PermissionBrokerOptions) {}

  ask(run: Run, ask: PermissionAsk): Promise<PermissionAnswer> {
    const { grants, faults } = this.options;
    const canceled = (): RunFailure => new RunFailure('canceled', 'context canceled');
    if (run.signal.aborted) return Promise.reject(canceled());

    // glue falls back to the raw argument JSON when the tool has no target.
    const target = ask.target !== '' ? ask.target : JSON.stringify(ask.args ?? null);
    const request = { tool: ask.tool, action: ask.action, target, args: ask.args, session_id: run.sessionId };
    const subject = { clientId: run.clientId, runSessionId: run.sessionId, sessionId: run.sessionId, tool: ask.tool, action: ask.action, target };

    if (!faults.has('grant-ignored') && grants.allows(subject, faults.has('grant-shared-across-clients'))) {
      return Promise.resolve({ allow: true, reason: '' });
    }

    let id: string;
    try {
      id = freshId('permission', this.options.permissionId, (candidate) => run.pending.has(candidate) || run.expired.has(candidate));
    } catch (error) {
      return Promise.reject(error);
    }
    const expiresAt = addMilliseconds(this.options.now(), this.options.timeoutMs);
    const payload: Record<string, unknown> = { permission_id: id, request, expires_at: formatGoTime(expiresAt) };

    return new Promise<PermissionAnswer>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = (): void => {
        run.pending.delete(id);
        if (timer !== undefined) clearTimeout(timer);
        run.signal.removeEventListener('abort', onAbort);
      };
      const answer = (decision: Decision): void => {
        if (!decision.allow && faults.has('deny-aborts-run')) {
          reject(new RunFailure('internal', decision.reason));
          return;
        }
        resolve({ allow: decision.allow, reason: decision.reason });
      };
      const onAbort = (): void => {
        cleanup();
        reject(canceled());
      };
      run.pending.set(id, {
        settle: (decision) => {
          cleanup();
          if (!decision.allow || !isRememberScope(decision.rememberFor)) {
            answer(decision);
            return;
          }
          // As Go's decidePermission: the tool goes on only once the grant is stored; a grant that
          // cannot be stored (write error, store full) fails the run with that error instead of
          // being acknowledged and lost (the grant is then not kept either).
          let persisted: Promise<void>;
          try {
            persisted = grants.remember(subject, decision.rememberFor, this.options.now()).persisted;
          } catch (error) {
            persisted = Promise.reject(error);
          }
          persisted.then(
            () => answer(decision),
            (error: unknown) => {
              this.options.onStoreError(run, error);
              reject(new RunFailure('internal', error instanceof Error ? error.message : String(error)));
            },
          );
        },
      });
      run.signal.addEventListener('abort', onAbort, { once: true });
      if (!faults.has('permission-never-times-out')) {
        timer = setTimeout(() => {
          cleanup();
          run.expired.add(id);
          const allow = faults.has('permission-timeout-allows');
          answer({ allow, reason: allow ? '' : timeoutReason, rememberFor: '' });
        }, faults.has('permission-timeout-early') ? this.options.timeoutMs * 0.7 : this.options.timeoutMs);
      }
      run.emit('permission_request', payload);
    });
  }

  /** Resolve a pending request; false when there is none (unknown, answered, timed out). */
  decide(run: Run, permissionId: string, decision: Decision): boolean {
    const pending = run.pending.get(permissionId);
    if (!pending) return this.options.faults.has('decision-after-timeout-accepted') && run.expired.has(permissionId);
    pending.settle(decision);
    return true;
  }

  /** Shutdown: every pending request is denied with a model-visible reason. */
  denyAll(run: Run, reason: string): void {
    for (const pending of [...run.pending.values()]) pending.settle({ allow: false, reason, rememberFor: '' });
  }
}

export const rememberScopes = ['', 'never', 'session', 'session_target', 'forever'] as const;

export function isRememberScope(value: string): value is RememberScope {
  return value === 'session' || value === 'session_target' || value === 'forever';
}
