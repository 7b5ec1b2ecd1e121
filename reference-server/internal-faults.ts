/**
 * Internal fault hooks: deliberate protocol violations deep inside the daemon, for the kit's own
 * sensitivity tests (each fault must make the named conformance checks fail). All are off unless
 * named in `ReferenceServerOptions.faults`. Faults that only rewrite HTTP traffic live outside the
 * core, as wrappers around `handle()`.
 */
export const INTERNAL_FAULTS = {
  'permission-timeout-allows': 'an unanswered permission request is allowed, not denied, when it times out',
  'permission-never-times-out': 'permission requests wait for a decision forever',
  'permission-timeout-early': 'an unanswered permission request is denied at 70 % of the timeout, before its expires_at',
  'decision-after-timeout-accepted': 'a decision on a request that already timed out returns 200 instead of 404',
  'grant-ignored': 'remembered grants are never consulted, so every request is asked again',
  'grant-shared-across-clients': 'remembered grants match regardless of the client that made them',
  'sessions-not-serialised': 'runs of one session run at the same time instead of one after the other',
  'deny-aborts-run': 'a denial ends the run with run_error instead of letting the model see the reason',
  'cancel-ignored': 'DELETE /v1/runs/{id} answers 202 but the run keeps going',
} as const;

export type InternalFault = keyof typeof INTERNAL_FAULTS;

export interface FaultSwitch {
  has(fault: InternalFault): boolean;
}

export function faultSwitch(faults: ReadonlySet<string> | undefined): FaultSwitch {
  const set = faults ?? new Set<string>();
  return { has: (fault) => set.has(fault) };
}
