/**
 * `--watch`: the mock host reloaded whenever its scenario or catalog directories change. A reload
 * that does not load keeps the last good host and reports every problem; a good one says so.
 */
import { resolve } from 'node:path';
import type { MockHost } from '../host.js';
import { MockHostLoadError, createSessionStore, loadMockHost, type LoadMockHostOptions } from '../mock-host/index.js';
import { createReloadableHost } from './reloadable-host.js';
import { watchDirs, type WatchOptions } from './watch-dirs.js';

export interface WatchedHost {
  host: MockHost;
  close(): void;
}

/** One line (or block) about a reload, for the console. */
export type ReloadReport = { ok: true; message: string } | { ok: false; message: string };

/** Loads once (throwing `MockHostLoadError` as `loadMockHost` does), then reloads on every change. */
export function watchMockHost(options: LoadMockHostOptions, report: (event: ReloadReport) => void, watchOptions: WatchOptions = {}): WatchedHost {
  // Transcripts outlive reloads: the session lookup is about the daemon's history, not the files.
  const shared: LoadMockHostOptions = options.sessions ? { ...options, sessionStore: options.sessionStore ?? createSessionStore() } : options;
  const reloadable = createReloadableHost(loadMockHost(shared));
  const dirs = [options.scenariosDir, options.catalogsDir].filter((dir): dir is string => dir !== undefined).map((dir) => resolve(dir));
  const watcher = watchDirs(
    dirs,
    () => {
      try {
        reloadable.swap(loadMockHost(shared));
        report({ ok: true, message: `reloaded scenarios and catalogs from ${dirs.join(', ')}` });
      } catch (error) {
        const reason = error instanceof MockHostLoadError ? error.message : String((error as Error)?.message ?? error);
        report({ ok: false, message: `kept the last good scenarios and catalogs: ${reason}` });
      }
    },
    {
      ...watchOptions,
      onWatchError: (dir, error) => {
        report({ ok: false, message: `cannot watch ${dir} (${error.message}); retrying` });
        watchOptions.onWatchError?.(dir, error);
      },
    },
  );
  return { host: reloadable.host, close: () => watcher.close() };
}
