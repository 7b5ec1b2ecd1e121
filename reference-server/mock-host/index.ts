/**
 * `loadMockHost`: the scriptable mock host. Scenarios (fixtures/scenarios/*.yaml) script what a
 * run does; catalogs (fixtures/catalogs/*.yaml) supply tools, skills, roles, MCP entries, recall
 * hits and memories. The defaults reproduce the fake host behind the reference captures.
 */
import { resolve } from 'node:path';
import { defaultCatalogsDir, defaultScenariosDir } from './default-dirs.js';
import type { MockHost } from '../host.js';
import { createMockHost } from './create-host.js';
import type { MockHostClock } from './delay.js';
import type { SessionStore } from './session-store.js';
import { loadDefinitions } from './load-definitions.js';

export { createSessionStore } from './session-store.js';
export type { SessionStore } from './session-store.js';

export type { MockHostClock } from './delay.js';
export { MockHostLoadError, formatIssue } from './load-issue.js';
export type { LoadIssue } from './load-issue.js';

export interface LoadMockHostOptions {
  /** Your scenarios; applied on top of the default ones (same name replaces). */
  scenariosDir?: string;
  /** Your catalogs; merged over the default ones (same tool/skill/role/… key replaces). */
  catalogsDir?: string;
  /** `false`: load only the given directories, not the package defaults. Default `true`. */
  includeDefaults?: boolean;
  /** Only the agent, none of the optional host members (Go's `--minimal`). Runs still use the catalogs. */
  minimal?: boolean;
  /** Multiplies every scripted delay; 0 makes `slow` instant. Default 1. */
  delayScale?: number;
  /** Waits between deltas; tests inject a fake. Default: real timers. */
  clock?: MockHostClock;
  /**
   * Beyond Go: keep each session's transcript in memory and serve the ADR-0010 §9 lookup
   * (capability `sessions`), also on a minimal host. Default `false`, as the Go daemon.
   */
  sessions?: boolean;
  /** With `sessions`: keep transcripts in this store, so a reloaded host (`--watch`) keeps them. */
  sessionStore?: SessionStore;
}

export { defaultCatalogsDir, defaultScenariosDir } from './default-dirs.js';

/** Loads and validates the fixtures (throws `MockHostLoadError` naming file:line:column, path and fix). */
export function loadMockHost(options: LoadMockHostOptions = {}): MockHost {
  const definition = loadDefinitions({
    scenarioDirs: dirsFor(defaultScenariosDir(), options.scenariosDir, options.includeDefaults),
    catalogDirs: dirsFor(defaultCatalogsDir(), options.catalogsDir, options.includeDefaults),
  });
  return createMockHost(definition, options);
}

function dirsFor(defaultDir: string, userDir: string | undefined, includeDefaults = true): string[] {
  if (userDir === undefined) return [defaultDir];
  const own = resolve(userDir);
  if (!includeDefaults || own === resolve(defaultDir)) return [own];
  return [defaultDir, own];
}
