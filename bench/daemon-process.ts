/**
 * Starts `glue-mock-daemon` as a child process on loopback, the way a client developer runs it,
 * and reads its base URL from the startup lines. The token travels in the environment, not argv,
 * and is never printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliSource } from './build.js';

export interface DaemonProcess {
  url: string;
  token: string;
  pid: number;
  /** Resident set size of the daemon process, in bytes. */
  rss(): Promise<number>;
  close(): Promise<void>;
}

export interface DaemonOptions {
  root: string;
  permissionTimeout: string;
  /** Extra CLI flags (limits, scenarios…). */
  args?: string[];
  /** Extra node flags for the daemon process (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** The node binary that runs the daemon (default: this process's). */
  node?: string;
  /** Compiled CLI or sources (default: sources through tsx). */
  source?: CliSource;
  startTimeoutMs?: number;
}

/** The node argv that runs one of this package's CLIs, compiled or from source (tsx). */
export function cliArgv(root: string, cli: 'glue-mock-daemon' | 'glue-conformance', source: CliSource = { kind: 'tsx' }): string[] {
  return source.kind === 'build' ? [join(source.dir, 'src', 'cli', `${cli}.js`)] : ['--import', 'tsx', join(root, 'src', 'cli', `${cli}.ts`)];
}

export async function startDaemon(options: DaemonOptions): Promise<DaemonProcess> {
  const token = randomBytes(32).toString('hex');
  const child = spawn(
    options.node ?? process.execPath,
    [...(options.nodeArgs ?? []), ...cliArgv(options.root, 'glue-mock-daemon', options.source), '--listen', '127.0.0.1:0', '--metadata', '', '--permission-timeout', options.permissionTimeout, ...(options.args ?? [])],
    { cwd: options.root, env: { ...process.env, GLUE_DAEMON_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('bench: could not spawn glue-mock-daemon');
  const url = await baseUrl(child, options.startTimeoutMs ?? 20_000);
  return {
    url,
    token,
    pid,
    rss: () => processRss(pid),
    close: () => stopChild(child),
  };
}

function baseUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(`no base_url line within ${timeoutMs} ms`), timeoutMs);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`bench: glue-mock-daemon did not start: ${why}\n${err.slice(-2000)}`));
    }
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^base_url: (\S+)$/m.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal})`));
  });
}

/** SIGTERM, SIGKILL after 8 s; resolves once the child exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
  await exited;
  clearTimeout(timer);
}

/** The port a bench helper process (replay, floor) prints as its first stdout line. */
export function portLine(child: ChildProcess, what: string, timeoutMs = 20_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), timeoutMs);
    child.stdout?.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(Number(chunk.toString().trim()));
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`${what} exited`));
    });
  });
}

/**
 * Resident memory split as Linux counts it (/proc/PID/status): `anon` is the process's own
 * (RssAnon: heap, stacks), `file` the pages of mapped files it touched (RssFile: its executable and
 * libraries, shared with every process running them). NaN both off Linux.
 */
export async function processRssSplit(pid: number): Promise<{ anon: number; file: number }> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => {
      const kb = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
      return kb === undefined ? Number.NaN : Number(kb) * 1024;
    };
    return { anon: field('RssAnon'), file: field('RssFile') };
  } catch {
    return { anon: Number.NaN, file: Number.NaN };
  }
}

/** VmRSS from /proc on Linux; `ps` elsewhere. */
export async function processRss(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux: fall through
  }
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile('ps', ['-o', 'rss=', '-p', String(pid)], (error, stdout) => {
      if (error) reject(error);
      else resolve(Number(stdout.trim()) * 1024);
    });
  });
}

/**
 * User + system CPU ticks of a process from its /proc/PID/stat line (fields 14 and 15). The
 * command name (field 2, in parentheses) may hold spaces and parentheses: count after the last ')'.
 */
export function statCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isInteger(utime) && Number.isInteger(stime) ? utime + stime : Number.NaN;
}

/** /proc reports CPU time in USER_HZ ticks: 1/100 s on Linux (what `getconf CLK_TCK` prints). */
const USER_HZ = 100;

/** CPU time the serving process used so far, in ms (10 ms resolution); NaN off Linux or without a pid. */
export async function processCpuMs(target: { pid?: number }): Promise<number> {
  if (target.pid === undefined) return Number.NaN;
  try {
    return (statCpuTicks(await readFile(`/proc/${target.pid}/stat`, 'utf8')) * 1000) / USER_HZ;
  } catch {
    return Number.NaN;
  }
}

/** `glue-mock-daemon --help`, to learn which flags this checkout's daemon has. */
export function daemonHelp(root: string, source?: CliSource): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cliArgv(root, 'glue-mock-daemon', source), '--help'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', () => resolve(''));
    // 'close', not 'exit': the help text can still be in the pipe when the process has exited.
    child.once('close', () => resolve(out));
  });
}
