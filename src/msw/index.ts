/**
 * MSW v2 handlers for client unit tests: every request under `baseUrl` goes to the same
 * `createReferenceServer` handler the node adapter serves, so a client sees the same statuses,
 * bodies and SSE streams in-process as over HTTP. No second mock implementation exists.
 *
 * @note The reference server keeps state (runs, grants, permission timers). Call
 * `handlers.server.shutdown()` (or `close()`) in `afterAll` so no timer outlives the test file.
 */
import { http, type HttpHandler } from 'msw';
import type { ReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { mswHandlers, type MswEntryOptions } from './handlers.js';

export interface GlueHandlersOptions extends MswEntryOptions {
  /** Scenario YAML directory for the mock host (default: the bundled fixtures). */
  scenariosDir?: string;
  /** Catalog YAML directory for the mock host (default: the bundled fixtures). */
  catalogsDir?: string;
}

/** The handlers to spread into `setupServer(...)`, plus the server behind them. */
export type GlueHandlers = HttpHandler[] & { readonly server: ReferenceServer };

export function createGlueHandlers(options: GlueHandlersOptions): GlueHandlers {
  return mswHandlers(options, () => loadMockHost({ scenariosDir: options.scenariosDir, catalogsDir: options.catalogsDir, minimal: options.minimal, sessions: options.sessions }), http.all);
}
