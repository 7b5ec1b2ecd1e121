/**
 * MSW v2 handlers for browsers (`glue-conformance/msw/browser`, with `setupWorker` from
 * `msw/browser`): the same reference daemon core as `glue-conformance/msw`, with no Node module
 * on the import graph (no node:fs, node:crypto). Scenarios and catalogs are passed as data (YAML
 * text or parsed objects, e.g. imported with your bundler); the package defaults are bundled.
 */
import { http, type HttpHandler } from 'msw';
import type { ReferenceServer } from '../../reference-server/server.js';
import { loadMockHostFromSources, type FixtureSource } from '../../reference-server/mock-host/from-sources.js';
import { mswHandlers, type MswEntryOptions } from './handlers.js';

export type { FixtureSource } from '../../reference-server/mock-host/from-sources.js';
export { MockHostLoadError } from '../../reference-server/mock-host/load-issue.js';

export interface BrowserGlueHandlersOptions extends MswEntryOptions {
  /** Your scenarios, over the bundled defaults (same name replaces): `{ name, text }` YAML or `{ name, value }`. */
  scenarios?: readonly FixtureSource[];
  /** Your catalogs, merged over the bundled defaults. */
  catalogs?: readonly FixtureSource[];
  /** `false`: only your scenarios and catalogs. Default `true`. */
  includeDefaults?: boolean;
  /** Multiply every scenario delay (0 = no waiting). */
  delayScale?: number;
}

export type BrowserGlueHandlers = HttpHandler[] & { readonly server: ReferenceServer };

export function createGlueHandlers(options: BrowserGlueHandlersOptions): BrowserGlueHandlers {
  const load = (): ReturnType<typeof loadMockHostFromSources> =>
    loadMockHostFromSources({
      scenarios: options.scenarios,
      catalogs: options.catalogs,
      includeDefaults: options.includeDefaults,
      minimal: options.minimal,
      sessions: options.sessions,
      delayScale: options.delayScale,
    });
  return mswHandlers(options, load, http.all);
}
