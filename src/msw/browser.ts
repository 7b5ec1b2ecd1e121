/**
 * MSW v2 handlers for browsers (`glue-conformance/msw/browser`, with `setupWorker` from
 * `msw/browser`): the same reference daemon core as `glue-conformance/msw`, with no Node module
 * on the import graph (no node:fs, node:crypto). Scenarios and catalogs are passed as data (YAML
 * text or parsed objects, e.g. imported with your bundler); the package defaults are bundled.
 */
import { http, type HttpHandler } from 'msw';
import type { MockHost } from '../../reference-server/host.js';
import { createReferenceServer, type ReferenceServer } from '../../reference-server/server.js';
import { loadMockHostFromSources, type FixtureSource } from '../../reference-server/mock-host/from-sources.js';
import { parseBaseUrl, stripPrefix } from './base-url.js';

export type { FixtureSource } from '../../reference-server/mock-host/from-sources.js';
export { MockHostLoadError } from '../../reference-server/mock-host/load-issue.js';

export interface BrowserGlueHandlersOptions {
  /** Where the client thinks the daemon is, e.g. `http://glue.test` or `${location.origin}/glue`. */
  baseUrl: string;
  /** The bearer token the daemon accepts. */
  token: string;
  /** Your scenarios, over the bundled defaults (same name replaces): `{ name, text }` YAML or `{ name, value }`. */
  scenarios?: readonly FixtureSource[];
  /** Your catalogs, merged over the bundled defaults. */
  catalogs?: readonly FixtureSource[];
  /** `false`: only your scenarios and catalogs. Default `true`. */
  includeDefaults?: boolean;
  minimal?: boolean;
  /** Keep run transcripts and serve the ADR-0010 session lookup. Default false, as Go. */
  sessions?: boolean;
  /** Multiply every scenario delay (0 = no waiting). */
  delayScale?: number;
  /** Your own host instead of the scriptable mock host. */
  host?: MockHost;
  /** Permission decision timeout (default 10 min, as Go). */
  permissionTimeoutMs?: number;
}

export type BrowserGlueHandlers = HttpHandler[] & { readonly server: ReferenceServer };

export function createGlueHandlers(options: BrowserGlueHandlersOptions): BrowserGlueHandlers {
  const base = parseBaseUrl(options.baseUrl);
  const server = createReferenceServer({
    token: options.token,
    host:
      options.host ??
      loadMockHostFromSources({
        scenarios: options.scenarios,
        catalogs: options.catalogs,
        includeDefaults: options.includeDefaults,
        minimal: options.minimal,
        sessions: options.sessions,
        delayScale: options.delayScale,
      }),
    permissionTimeoutMs: options.permissionTimeoutMs,
  });
  const prefix = base.pathname.replace(/\/+$/, '');
  const handler = http.all(`${base.origin}${prefix}/*`, ({ request }) => server.handle(prefix ? stripPrefix(request, prefix) : request));
  return Object.assign([handler], { server });
}
