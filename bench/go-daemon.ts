/**
 * The real Go daemon (../shared/go-daemon, when present) as a bench and test target, started the
 * way its README says: `run-full.sh` / `run-minimal.sh PORT TOKEN TIMEOUT` print the pid; RSS comes
 * from /proc/PID/status.
 * Its temp folder (metadata and grant files, log) lives under our own .tmp and is removed on close.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { processRss, type DaemonProcess } from './daemon-process.js';

/** ../shared/go-daemon relative to the repo root, or undefined when this checkout has no shared/. */
export function goDaemonDir(root: string): string | undefined {
  const dir = resolve(root, '..', 'shared', 'go-daemon');
  return existsSync(join(dir, 'run-full.sh')) ? dir : undefined;
}

/** A port that was free a moment ago (run-full.sh needs a number, not :0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface GoDaemonOptions {
  /** The minimal host (`run-minimal.sh`: daemon.Host only) instead of the full one. */
  minimal?: boolean;
  /** Default: 256 random bits in hex. */
  token?: string;
}

export async function startGoDaemon(dir: string, tmpRoot: string, permissionTimeout: string, options: GoDaemonOptions = {}): Promise<DaemonProcess> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const script = options.minimal === true ? 'run-minimal.sh' : 'run-full.sh';
  const tmp = await mkdtemp(join(tmpRoot, 'go-'));
  // The free port can be taken before the daemon binds it (other tests bind :0 all the time); the
  // script's health probe then reaches the other server and still prints our (exiting) pid.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const pid = await new Promise<number>((resolvePid, reject) => {
      // The script takes the token on its command line (its contract); it is never printed here.
      execFile(join(dir, script), [String(port), token, permissionTimeout], { env: { ...process.env, TMPDIR: tmp }, timeout: 20_000 }, (error, stdout, stderr) => {
        const pid = Number(stdout.trim());
        if (error || !Number.isInteger(pid) || pid <= 0) reject(new Error(`bench: the Go daemon did not start: ${(error?.message ?? '').split(token).join('<token>')} ${stderr.split(token).join('<token>').slice(-1000)}`));
        else resolvePid(pid);
      });
    });
    if (await ownsPort(tmp, port, pid)) {
      return {
        url: `http://127.0.0.1:${port}`,
        token,
        pid,
        rss: () => processRss(pid),
        async close() {
          await stopPid(pid);
          await rm(tmp, { recursive: true, force: true });
        },
      };
    }
    await stopPid(pid);
    if (attempt === 3) throw new Error(`bench: the Go daemon did not get a port of its own in 3 attempts (last: ${port})`);
  }
}

/** The daemon wrote its metadata file (only after it listens): base_url on `port`, its pid. Waits ≤ 5 s. */
async function ownsPort(tmp: string, port: number, pid: number): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (alive(pid) && Date.now() < deadline) {
    for (const entry of readdirSync(tmp).filter((name) => name.includes(`-${port}.`))) {
      try {
        const meta = JSON.parse(readFileSync(join(tmp, entry, 'meta', 'daemon.json'), 'utf8')) as { base_url?: unknown; pid?: unknown };
        if (meta.pid === pid && meta.base_url === `http://127.0.0.1:${port}`) return true;
      } catch {
        // not written yet
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** Running and not a zombie (the script's background child is reparented; its reaper may be slow). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true; // not Linux: kill(0) is all we have
  }
}

/** SIGTERM (Go's graceful shutdown, up to 5 s for open streams), SIGKILL after 8 s. */
async function stopPid(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 8_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}
