/**
 * The permission broker (Go's `decidePermission` and the decision handler's back half):
 * a remembered grant answers at once and silently; otherwise a `permission_request` event goes out
 * and the tool waits for the owner's decision, the timeout (deny with a model-visible reason) or
 * the run's cancellation. Only allow decisions with a remember scope are stored.
 */
import type { PermissionAnswer, PermissionAsk } from './host.js';
import { RunFailure } from './host.js';
import type { GrantStore, GrantSubject, RememberScope } from './grants.js';
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
      id = freshId('permission', this.options.permissionId, (candidate) => run.pending.has(candidate) || run.isExpired(candidate));
    } catch (error) {
      return Promise.reject(error);
    }
    const expiresAt = addMilliseconds(this.options.now(), this.options.timeoutMs);
    const payload: Record<string, unknown> = { permission_id: id, request, expires_at: formatGoTime(expiresAt) };

    return new Promise<PermissionAnswer>((resolve, reject) => {
      const waiting = new WaitingRequest(this.options, run, id, subject, resolve, reject);
      run.pending.set(id, waiting);
      run.signal.addEventListener('abort', waiting, { once: true });
      if (!faults.has('permission-never-times-out')) {
        waiting.timer = setTimeout(WaitingRequest.expire, faults.has('permission-timeout-early') ? this.options.timeoutMs * 0.7 : this.options.timeoutMs, waiting);
      }
      run.emit('permission_request', payload);
    });
  }

  /** Resolve a pending request; false when there is none (unknown, answered, timed out). */
  decide(run: Run, permissionId: string, decision: Decision): boolean {
    const pending = run.pending.get(permissionId);
    if (!pending) return this.options.faults.has('decision-after-timeout-accepted') && run.isExpired(permissionId);
    pending.settle(decision);
    return true;
  }

  /** Shutdown: every pending request is denied with a model-visible reason. */
  denyAll(run: Run, reason: string): void {
    for (const pending of [...run.pending.values()]) pending.settle({ allow: false, reason, rememberFor: '' });
  }
}

const canceled = (): RunFailure => new RunFailure('canceled', 'context canceled');

/**
 * One permission request waiting for its decision. One object is the pending entry, the run's
 * abort listener (`handleEvent`) and the timer's argument, instead of a closure for each (memory
 * per parked run).
 */
class WaitingRequest implements EventListenerObject {
  timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: PermissionBrokerOptions,
    private readonly run: Run,
    private readonly id: string,
    private readonly subject: GrantSubject,
    private readonly resolve: (answer: PermissionAnswer) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /** The timeout: deny with a model-visible reason. */
  static expire(this: void, waiting: WaitingRequest): void {
    waiting.cleanup();
    waiting.run.markExpired(waiting.id);
    const allow = waiting.options.faults.has('permission-timeout-allows');
    waiting.answer({ allow, reason: allow ? '' : timeoutReason, rememberFor: '' });
  }

  /** The run was canceled. */
  handleEvent(): void {
    this.cleanup();
    this.reject(canceled());
  }

  settle(decision: Decision): void {
    this.cleanup();
    if (!decision.allow || !isRememberScope(decision.rememberFor)) {
      this.answer(decision);
      return;
    }
    // As Go's decidePermission: the tool goes on only once the grant is stored; a grant that
    // cannot be stored (write error, store full) fails the run with that error instead of
    // being acknowledged and lost (the grant is then not kept either).
    let persisted: Promise<void>;
    try {
      persisted = this.options.grants.remember(this.subject, decision.rememberFor, this.options.now()).persisted;
    } catch (error) {
      persisted = Promise.reject(error);
    }
    persisted.then(
      () => this.answer(decision),
      (error: unknown) => {
        this.options.onStoreError(this.run, error);
        this.reject(new RunFailure('internal', error instanceof Error ? error.message : String(error)));
      },
    );
  }

  private cleanup(): void {
    this.run.pending.delete(this.id);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.run.signal.removeEventListener('abort', this);
  }

  private answer(decision: Decision): void {
    if (!decision.allow && this.options.faults.has('deny-aborts-run')) {
      this.reject(new RunFailure('internal', decision.reason));
      return;
    }
    this.resolve({ allow: decision.allow, reason: decision.reason });
  }
}

export const rememberScopes = ['', 'never', 'session', 'session_target', 'forever'] as const;

export function isRememberScope(value: string): value is RememberScope {
  return value === 'session' || value === 'session_target' || value === 'forever';
}
