/**
 * MSW v2 handlers for client unit tests: every request under `baseUrl` goes to the same
 * `createReferenceServer` handler the node adapter serves, so a client sees the same statuses,
 * bodies and SSE streams in-process as over HTTP. No second mock implementation exists.
 *
 * @note The reference server keeps state (runs, grants, permission timers). Call
 * `handlers.server.shutdown()` (or `close()`) in `afterAll` so no timer outlives the test file.
 */
import { http, type HttpHandler } from 'msw';
import { createReferenceServer, type MockHost, type ReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { parseBaseUrl, stripPrefix } from './base-url.js';

export interface GlueHandlersOptions {
  /** Where the client thinks the daemon is, e.g. `http://glue.test` (a path prefix is stripped before routing). */
  baseUrl: string;
  /** The bearer token the daemon accepts. */
  token: string;
  /** Scenario YAML directory for the mock host (default: the bundled fixtures). */
  scenariosDir?: string;
  /** Catalog YAML directory for the mock host (default: the bundled fixtures). */
  catalogsDir?: string;
  /** A host with no optional interfaces (only the base capabilities). */
  minimal?: boolean;
  /** Keep run transcripts and serve the ADR-0010 session lookup (capability `sessions`). Default false, as Go. */
  sessions?: boolean;
  /** Your own host instead of the scriptable mock host. */
  host?: MockHost;
  /** Permission decision timeout (default 10 min, as Go). */
  permissionTimeoutMs?: number;
}

/** The handlers to spread into `setupServer(...)`, plus the server behind them. */
export type GlueHandlers = HttpHandler[] & { readonly server: ReferenceServer };

export function createGlueHandlers(options: GlueHandlersOptions): GlueHandlers {
  const base = parseBaseUrl(options.baseUrl);
  const server = createReferenceServer({
    token: options.token,
    host:
      options.host ??
      loadMockHost({ scenariosDir: options.scenariosDir, catalogsDir: options.catalogsDir, minimal: options.minimal, sessions: options.sessions }),
    permissionTimeoutMs: options.permissionTimeoutMs,
  });
  const prefix = base.pathname.replace(/\/+$/, '');
  const handler = http.all(`${base.origin}${prefix}/*`, ({ request }) => server.handle(prefix ? stripPrefix(request, prefix) : request));
  return Object.assign([handler], { server });
}
