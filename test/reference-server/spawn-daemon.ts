/**
 * Spawns `glue-mock-daemon` (the per-run build, else the sources through tsx) for the CLI tests, with every wait
 * bounded and the child killed in cleanup no matter how a test ends.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/protocol/package-root.js';
import { cliArgv } from '../support/cli-entry.js';

export const WAIT_MS = 15_000;

export interface SpawnedDaemon {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout/stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout holds `count` complete lines. */
  lines(count: number): Promise<string[]>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const spawned = new Set<ChildProcessWithoutNullStreams>();
const tempDirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'glue-mock-daemon-'));
  tempDirs.push(dir);
  return dir;
}

/** Kills children still running and removes temp dirs; call from afterEach. */
export async function cleanupDaemons(): Promise<void> {
  for (const child of spawned) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  spawned.clear();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * Runs the CLI with `args`. The environment is reduced to PATH plus `env`, and the user config dir
 * points into a temp dir, so a test never reads a real token or writes the real metadata file.
 */
export function spawnDaemon(args: string[], env: Record<string, string> = {}): SpawnedDaemon {
  const child = spawn(process.execPath, [...cliArgv('glue-mock-daemon'), ...args], {
    cwd: packageRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: tempDir(), XDG_CONFIG_HOME: tempDir(), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  spawned.add(child);
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, signal });
    });
  });
  const lines = (count: number): Promise<string[]> =>
    within(
      (async () => {
        for (;;) {
          const complete = out.split('\n').slice(0, -1);
          if (complete.length >= count) return complete.slice(0, count);
          if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(`glue-mock-daemon exited (${child.exitCode ?? child.signalCode}) before printing ${count} lines; stderr: ${err}`);
          }
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      })(),
      `${count} startup lines`,
    );
  return { child, stdout: () => out, stderr: () => err, lines, exit };
}
