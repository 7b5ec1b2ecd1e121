/**
 * Watches fixture directories and calls `reload` after a burst of changes settles (`--watch`).
 * Bounded: one reload at a time, changes during a reload coalesce into one more; a watcher that
 * fails (directory removed, watch limit) is re-armed on a slow timer instead of spinning.
 */
import { watch, type FSWatcher } from 'node:fs';

export interface WatchOptions {
  /** Quiet time after the last change before reloading (editors write in several steps). */
  debounceMs?: number;
  /** How often a lost watcher is retried. */
  retryMs?: number;
  /** A watcher could not be set up or failed; the reason, once per failure. */
  onWatchError?: (dir: string, error: Error) => void;
}

export interface DirWatcher {
  close(): void;
}

export function watchDirs(dirs: readonly string[], reload: () => Promise<void> | void, options: WatchOptions = {}): DirWatcher {
  const debounceMs = options.debounceMs ?? 150;
  const retryMs = options.retryMs ?? 2_000;
  const watchers = new Map<string, FSWatcher>();
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;

  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await reload();
      } while (again && !closed);
    } finally {
      running = false;
    }
  };
  const changed = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), debounceMs);
  };
  const arm = (dir: string): void => {
    if (closed || watchers.has(dir)) return;
    try {
      const watcher = watch(dir, { persistent: false }, changed);
      watcher.on('error', (error) => {
        watcher.close();
        watchers.delete(dir);
        options.onWatchError?.(dir, error);
        changed();
        setTimeout(() => arm(dir), retryMs).unref();
      });
      watchers.set(dir, watcher);
    } catch (error) {
      options.onWatchError?.(dir, error as Error);
      setTimeout(() => {
        arm(dir);
        // The directory is back: load what it holds now.
        if (watchers.has(dir)) changed();
      }, retryMs).unref();
    }
  };
  for (const dir of dirs) arm(dir);

  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
