/** Public entry of the reference server: the daemon as a web-standard handler, plus its host boundary. */
export { defaultLimits, defaultPermissionTimeoutMs } from './server.js';
export { createReferenceServer } from './file-backed-server.js';
export type {
  ReferenceServer,
  ReferenceServerLimits,
  ReferenceServerOptions,
  ReferenceServerStats,
  PermissionStoreIO,
} from './server.js';
export { INTERNAL_FAULTS } from './internal-faults.js';
export type { InternalFault } from './internal-faults.js';
export { createSequentialIds, randomIds } from './ids.js';
export type { IdSource } from './ids.js';
export type { RuntimeInfoInput } from './diagnostics.js';
export { RunFailure } from './host.js';
export type {
  Agent,
  AgentIO,
  LoopEvent,
  MockHost,
  PermissionAnswer,
  PermissionAsk,
  RunInput,
  RunResult,
} from './host.js';
// The scriptable mock host and the node:http adapter, so package users need only this entry.
export { defaultCatalogsDir, defaultScenariosDir, formatIssue, loadMockHost, MockHostLoadError } from './mock-host/index.js';
export type { LoadIssue, LoadMockHostOptions, MockHostClock } from './mock-host/index.js';
export { serveNode } from './serve-node.js';
export type { FetchHandler, NodeServer, ServeNodeOptions } from './serve-node.js';
