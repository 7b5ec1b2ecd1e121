/**
 * What both MSW entries (Node `glue-conformance/msw`, browser `glue-conformance/msw/browser`)
 * share: the options every entry takes, and turning them into one catch-all handler under the
 * client's base URL that hands each request to the reference daemon core. Browser-safe (no node:
 * module). msw's `http.all` comes from the entry, so each entry's typings name the `HttpHandler`
 * of the msw build its consumer resolves (the CommonJS typings twin, scripts/cjs-typings.mjs).
 */
import type { MockHost } from '../../reference-server/host.js';
import { createReferenceServer, type ReferenceServer } from '../../reference-server/server.js';
import { parseBaseUrl, stripPrefix } from './base-url.js';

export interface MswEntryOptions {
  /** Where the client thinks the daemon is, e.g. `http://glue.test` or `${location.origin}/glue` (a path prefix is stripped before routing). */
  baseUrl: string;
  /** The bearer token the daemon accepts. */
  token: string;
  /** A host with no optional interfaces (only the base capabilities). */
  minimal?: boolean;
  /** Keep run transcripts and serve the ADR-0010 session lookup (capability `sessions`). Default false, as Go. */
  sessions?: boolean;
  /** Your own host instead of the scriptable mock host. */
  host?: MockHost;
  /** Permission decision timeout (default 10 min, as Go). */
  permissionTimeoutMs?: number;
}

/** msw's `http.all`, as the entry imports it. */
type All<H> = (path: string, resolver: (info: { request: Request }) => Promise<Response>) => H;

/** The handlers to spread into `setupServer(...)` / `setupWorker(...)`, plus the server behind them. */
export function mswHandlers<H>(options: MswEntryOptions, loadHost: () => MockHost, all: All<H>): H[] & { readonly server: ReferenceServer } {
  const base = parseBaseUrl(options.baseUrl);
  const server = createReferenceServer({ token: options.token, host: options.host ?? loadHost(), permissionTimeoutMs: options.permissionTimeoutMs });
  const prefix = base.pathname.replace(/\/+$/, '');
  const handler = all(`${base.origin}${prefix}/*`, ({ request }) => server.handle(prefix ? stripPrefix(request, prefix) : request));
  return Object.assign([handler], { server });
}
