/** The daemon's shared state, handed to every route handler. */
import type { MockHost } from './host.js';
import type { IdSource } from './ids.js';
import type { FaultSwitch } from './internal-faults.js';
import type { GrantStore } from './grants.js';
import type { PermissionBroker } from './permission-broker.js';
import type { RecentErrors } from './diagnostics.js';
import type { RunRegistry } from './run-registry.js';
import type { SessionQueue } from './session-queue.js';

export interface ResolvedLimits {
  maxBodyBytes: number;
  maxActiveRuns: number;
  maxOpenStreams: number;
}

export interface DaemonContext {
  host: MockHost;
  runs: RunRegistry;
  sessions: SessionQueue;
  broker: PermissionBroker;
  grants: GrantStore;
  errors: RecentErrors;
  faults: FaultSwitch;
  ids: IdSource;
  now: () => Date;
  limits: ResolvedLimits;
  runtime: Record<string, unknown>;
  streams: { open: number; ended: () => void };
  /** Pending run executions, so shutdown can wait for them. */
  executions: Set<Promise<void>>;
}
