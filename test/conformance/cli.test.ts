import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/glue-conformance.js';
import { cliArgv } from '../support/cli-entry.js';
import { parseXmlElements } from './xml-well-formed.js';
import { startDaemon, type TestDaemon } from './support.js';

const FINAL_LINE = /^(\d+) passed, (\d+) failed, (\d+) skipped$/;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns the CLI with a hard bound, so a hanging CLI fails the test instead of stalling it. */
function runCli(args: string[], env: Record<string, string> = {}, boundMs = 25_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliArgv('glue-conformance'), ...args], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...process.env, NO_COLOR: '1', GLUE_DAEMON_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI still running after ${boundMs} ms: ${stdout.slice(-500)} ${stderr.slice(-500)}`));
    }, boundMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';

describe('glue-conformance CLI', () => {
  let daemon: TestDaemon;
  let dir: string;
  beforeAll(async () => {
    daemon = await startDaemon();
    dir = mkdtempSync(join(tmpdir(), 'glue-conformance-cli-'));
  });
  afterAll(() => daemon.close());

  it('--embedded runs the scripted suite against the reference daemon and exits 0', async () => {
    const out = await runCli(['--embedded']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const match = FINAL_LINE.exec(lastLine(out.stdout));
    expect(match, lastLine(out.stdout)).not.toBeNull();
    expect(match?.[2]).toBe('0');
    expect(out.stdout).toContain('profile scripted');
    // The embedded host keeps sessions, so the optional lookup is exercised too.
    expect(out.stdout).toMatch(/SESS +6 passed, 0 failed, 0 skipped/);
  });

  it('writes JUnit XML and JSON reports that parse, and never the token', async () => {
    const junit = join(dir, 'report.xml');
    const json = join(dir, 'report.json');
    const out = await runCli(['--url', daemon.url, '--reporter', 'junit', '--out', junit, `--reporter=json=${json}`, '--only', 'HEALTH,AUTH,SSE'], { GLUE_DAEMON_TOKEN: daemon.token });
    expect(out.code).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    const elements = parseXmlElements(xml);
    expect(elements[0]).toBe('testsuites');
    expect(elements.filter((e) => e === 'testsuite')).toHaveLength(3);
    expect(xml).toContain('<skipped message="needs the scripted profile (--profile scripted)"/>');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { summary: { failed: number; total: number } };
    expect(report.summary.failed).toBe(0);
    for (const text of [xml, readFileSync(json, 'utf8'), out.stdout, out.stderr]) expect(text).not.toContain(daemon.token);
    expect(FINAL_LINE.test(lastLine(out.stdout))).toBe(true);
  });

  it('sends a machine report to stdout and the console report to stderr', async () => {
    const out = await runCli(['--url', daemon.url, '--token', daemon.token, '--reporter', 'json', '--only', 'HEALTH']);
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as { results: unknown[] };
    expect(report.results).toHaveLength(2);
    expect(FINAL_LINE.test(lastLine(out.stderr))).toBe(true);
  });

  it('reads url and token from a metadata file', async () => {
    const path = join(dir, 'daemon.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, `${JSON.stringify({ version: 1, base_url: daemon.url, token: daemon.token, pid: 1 }, null, 2)}\n`);
    const out = await runCli(['--metadata', path, '--only', 'STATUS', '--quiet']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toMatch(FINAL_LINE);
  });

  it('exits 1 when a MUST check fails and shows the redacted exchange', async () => {
    const broken = await startDaemon({
      wrap: (next, token) => async (request) => {
        if (new URL(request.url).pathname === '/v1/health') return Response.json({ ok: true, version: 2 });
        // Accepting the token in the Basic scheme breaks AUTH-003.
        if (request.headers.get('authorization') === `Basic ${token}`) {
          const headers = new Headers(request.headers);
          headers.set('authorization', `Bearer ${token}`);
          return next(new Request(request.url, { method: request.method, headers }));
        }
        return next(request);
      },
    });
    try {
      const out = await runCli(['--url', broken.url, '--token', broken.token, '--only', 'HEALTH-001,AUTH-003']);
      expect(out.code).toBe(1);
      expect(out.stdout).toContain('✗ HEALTH-001 MUST');
      expect(out.stdout).toContain('/version: must be 1 (got 2)');
      expect(out.stdout).toContain('> Authorization: Basic <token>');
      expect(out.stdout).not.toContain(broken.token);
      expect(lastLine(out.stdout)).toBe('0 passed, 2 failed, 0 skipped');
    } finally {
      await broken.close();
    }
  });

  it('--list prints the checks without a daemon', async () => {
    const out = await runCli(['--list', '--only', 'PERM']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^PERM-001 /m);
    expect(lastLine(out.stdout)).toBe('11 checks');
  });

  it.each([
    [['--bogus']],
    [['--profile', 'weird', '--embedded']],
    [['--level', 'may', '--embedded']],
    [['--only', 'NOPE-001', '--embedded']],
    [['--skip', 'nope', '--embedded']],
    [['--timeout', 'soon', '--embedded']],
    [['--permission-timeout', '0', '--embedded']],
    [['--concurrency', '0', '--embedded']],
    [['--scenario-prompt', 'nope=x', '--embedded']],
    [['--out', 'x.xml', '--embedded']],
    [['--reporter', 'tap', '--embedded']],
    [['--embedded', '--url', 'http://127.0.0.1:9']],
    [['--url', 'http://127.0.0.1:9']],
    [['--url', 'not a url', '--token', 'conformance-test-token']],
    [['--metadata', '/nonexistent/glue/daemon.json']],
  ])('exits 2 on a usage error: %j', async (args) => {
    const io = captureIo();
    const code = await main(args, io);
    expect(code).toBe(2);
    expect(io.err()).toMatch(/^glue-conformance: /);
    expect(io.out()).toBe('');
  });

  it('without --url, --metadata or --embedded reads the default metadata file, or says what to pass', async () => {
    const io = captureIo();
    const code = await main([], { ...io, env: { GLUE_DAEMON_TOKEN: '', XDG_CONFIG_HOME: join(dir, 'no-such-config'), HOME: join(dir, 'no-such-home') } });
    expect(code).toBe(2);
    expect(io.err()).toMatch(/no daemon given: pass --url and --token, --metadata PATH, or --embedded/);
  });

  it('exits 2 on a usage error when spawned too', async () => {
    const out = await runCli(['--bogus']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('unknown flag --bogus');
  });

  it('passes against a spawned glue-mock-daemon (scripted profile)', async () => {
    const token = 'conformance-spawned-token-0123456789';
    const daemonProcess = spawn(process.execPath, [...cliArgv('glue-mock-daemon'), '--listen', '127.0.0.1:0', '--token', token, '--permission-timeout', '1s', '--metadata', ''], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`glue-mock-daemon did not start: ${text}`)), 15_000);
        daemonProcess.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const match = /^base_url: (\S+)$/m.exec(text);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const out = await runCli(['--url', url, '--token', token, '--profile', 'scripted', '--permission-timeout', '1s', '--quiet']);
      expect(out.stdout.trim()).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/);
      expect(out.code).toBe(0);
    } finally {
      daemonProcess.kill('SIGTERM');
    }
  });

  it('exits 2 quickly when nothing listens at the URL', async () => {
    const port = await freePort();
    const started = Date.now();
    const out = await runCli(['--url', `http://127.0.0.1:${port}`, '--token', 'conformance-test-token']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('cannot reach the daemon');
    expect(out.stderr).not.toContain('conformance-test-token');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('exits 2 within the --timeout bound when the daemon accepts but never answers', async () => {
    const sockets: import('node:net').Socket[] = [];
    const hole: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    const port = (hole.address() as import('node:net').AddressInfo).port;
    try {
      const out = await runCli(['--url', `http://127.0.0.1:${port}`, '--token', 'conformance-test-token', '--timeout', '1s']);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('no complete response within 1000 ms');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hole.close(resolve));
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as import('node:net').AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** In-process stdout/stderr for main(). */
function captureIo() {
  let out = '';
  let err = '';
  const sink = (append: (text: string) => void) => ({ write: (chunk: string | Uint8Array) => (append(String(chunk)), true) }) as unknown as NodeJS.WritableStream;
  return {
    stdout: sink((t) => (out += t)),
    stderr: sink((t) => (err += t)),
    env: { GLUE_DAEMON_TOKEN: '' },
    out: () => out,
    err: () => err,
  };
}
