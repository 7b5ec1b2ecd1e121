/**
 * Issue 11 (1–6) and 10 (1): what glue-conformance writes is safe to put in a public CI log.
 * - A daemon that echoes the token in headers, Location, JSON bodies and SSE (ids, event names,
 *   data, base64 forms, other letter case) gets it into no output: console, JSON, JUnit.
 * - Terminal escapes from a daemon reach the console only as visible escapes; JSON and JUnit
 *   stay valid.
 * - Huge event type names cost bounded memory and bounded report bytes (measured in a child).
 * - A 100k-deep JSON body is a failure with a message, not a stack overflow.
 * - --metadata at a FIFO, /dev/zero, a directory or a huge file is a quick exit 2.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, mkdirSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/protocol/package-root.js';
import { parseXmlElements } from '../conformance/xml-well-formed.js';
import { runMain } from '../support/run-main.js';
import { startHostileDaemon } from './hostile-daemons.js';

const TOKEN = 'Out-Safety-Token-7f3a9c2e5b1d4086aa';
const dir = mkdtempSync(join(tmpdir(), 'glue-output-safety-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every form of the token an echoing daemon sends (see hostile-daemons.ts echoToken). */
function tokenForms(token: string): string[] {
  const b64 = Buffer.from(`user:${token}`).toString('base64');
  // A cut head of the token counts too (a truncated excerpt or parse error must not show it).
  return [token, token.slice(0, 8), token.toLowerCase(), token.toUpperCase(), encodeURIComponent(token), b64, b64.slice(8, 30), Buffer.from(token).toString('base64').slice(0, 20)];
}

/** Console text with the sink's line wrapping undone. */
const unwrap = (text: string): string => text.replace(/\n +/g, ' ');

function messageOf(json: string, id: string): string {
  const report = JSON.parse(json) as { results: Array<{ id: string; message?: string }> };
  return report.results.find((r) => r.id === id)?.message ?? `(no message for ${id})`;
}

// eslint-disable-next-line no-control-regex
const RAW_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const flags = (url: string): string[] => ['--url', url, '--token', TOKEN, '--profile', 'scripted', '--permission-timeout', '1s', '--timeout', '2s', '--concurrency', '16'];

describe('a daemon echoing the token with terminal escapes', () => {
  it('gets neither the token nor a control byte into any output, and fails STATUS-005', { timeout: 60_000 }, async () => {
    const daemon = await startHostileDaemon('echo-token');
    const jsonPath = join(dir, 'echo.json');
    const junitPath = join(dir, 'echo.xml');
    try {
      const run = await runMain([...flags(daemon.url), '--reporter', 'pretty', '--reporter', `json=${jsonPath}`, '--reporter', `junit=${junitPath}`]);
      expect(run.code, run.stderr).toBe(1);
      // The daemon did receive the token, and it came back in headers, bodies and the stream.
      expect(daemon.requests.some((head) => head.includes(TOKEN))).toBe(true);
      const outputs = { console: run.stdout + run.stderr, json: readFileSync(jsonPath, 'utf8'), junit: readFileSync(junitPath, 'utf8') };
      for (const [where, text] of Object.entries(outputs)) {
        for (const form of tokenForms(TOKEN)) expect(text.toLowerCase().includes(form.toLowerCase()), `${where} holds ${form}`).toBe(false);
      }
      // What was echoed is shown, masked: the exchange excerpts are there.
      expect(outputs.console).toMatch(/< www-authenticate: Bearer realm="\*\*\*"/);
      expect(outputs.console).toMatch(/< location: \/v1\/health\?token=\*\*\*/);
      expect(outputs.console).toMatch(/✗ STATUS-005 MUST /);
      expect(messageOf(outputs.json, 'STATUS-005')).toMatch(/returned the bearer token \(header /);
      // Console: every control byte is a visible escape.
      expect(RAW_CONTROLS.test(outputs.console)).toBe(false);
      expect(outputs.console).toContain('\\x1b]0;pwned\\x07');
      // JSON is valid and faithful (the escapes are in the string values), JUnit well-formed.
      const report = JSON.parse(outputs.json) as { results: Array<{ exchanges: Array<{ responseBody?: string }> }> };
      expect(report.results.some((r) => r.exchanges.some((e) => e.responseBody?.includes('\u001b]0;pwned\u0007')))).toBe(true);
      expect(() => parseXmlElements(outputs.junit)).not.toThrow();
      // eslint-disable-next-line no-control-regex
      expect(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(outputs.junit)).toBe(false);
      expect(outputs.junit).toContain('\\x1b]0;pwned\\x07');
    } finally {
      await daemon.close();
    }
  });

  it('a metadata base_url with user-info is shown as *** in the testing line and report.url', { timeout: 60_000 }, async () => {
    const daemon = await startHostileDaemon('html');
    const metadata = join(dir, 'userinfo.json');
    const withUser = daemon.url.replace('://', `://glue:${TOKEN}@`);
    execFileSync('sh', ['-c', `printf '%s' '${JSON.stringify({ version: 1, base_url: withUser, token: TOKEN, pid: 1 })}' > ${metadata}`]);
    const jsonPath = join(dir, 'userinfo-report.json');
    try {
      const run = await runMain(['--metadata', metadata, '--only', 'HEALTH', '--reporter', 'pretty', '--reporter', `json=${jsonPath}`]);
      expect(run.stdout).toContain(`testing ${daemon.url.replace('://', '://***@')}`);
      const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as { url: string };
      expect(report.url).toBe(daemon.url.replace('://', '://***@'));
      for (const text of [run.stdout, run.stderr, readFileSync(jsonPath, 'utf8')]) expect(text).not.toContain(TOKEN);
    } finally {
      await daemon.close();
    }
  });
});

describe('a 100k-deep JSON body', () => {
  it('is a check failure with a message, never a stack overflow', { timeout: 60_000 }, async () => {
    const daemon = await startHostileDaemon('deep-json');
    const jsonPath = join(dir, 'deep.json');
    try {
      const run = await runMain([...flags(daemon.url), '--reporter', 'pretty', '--reporter', `json=${jsonPath}`]);
      expect(run.code).toBe(1);
      const all = run.stdout + run.stderr + readFileSync(jsonPath, 'utf8');
      expect(all).not.toMatch(/Maximum call stack|check crashed/);
      const report = readFileSync(jsonPath, 'utf8');
      expect(messageOf(report, 'CAT-001')).toMatch(/nested deeper than 256 levels/);
      expect(messageOf(report, 'SSE-004')).toMatch(/nested deeper than 256 levels/);
    } finally {
      await daemon.close();
    }
  });
});

interface Measured {
  code: number;
  maxRssMb: number;
  consoleBytes: number;
}

function measure(argv: string[]): Promise<Measured> {
  const root = packageRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'hostile', 'measure-cli.ts'), ...argv], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    // 'close', not 'exit': the last line can still be in the pipe when the process has exited.
    child.once('close', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as Measured);
      } catch {
        reject(new Error(`measure-cli printed ${JSON.stringify(out.slice(-500))}`));
      }
    });
  });
}

describe('eight events with 3.9 MB type names', () => {
  // Before the caps: 3.4 GB peak RSS and 390 MB of reports. The bounds leave room for a loaded box.
  const MAX_RSS_MB = 700;
  const MAX_REPORT_BYTES = 16 * 1024 * 1024;
  it(`cost under ${MAX_RSS_MB} MB and ${MAX_REPORT_BYTES / 1024 / 1024} MB of output`, { timeout: 120_000 }, async () => {
    const daemon = await startHostileDaemon('huge-types');
    const jsonPath = join(dir, 'huge.json');
    const junitPath = join(dir, 'huge.xml');
    try {
      const result = await measure([...flags(daemon.url), '--reporter', 'pretty', '--reporter', `json=${jsonPath}`, '--reporter', `junit=${junitPath}`]);
      const written = result.consoleBytes + statSync(jsonPath).size + statSync(junitPath).size;
      // Printed for the closing note's before/after figures.
      console.log(`huge-types: exit ${result.code}, peak RSS ${result.maxRssMb} MB, ${written} bytes written`);
      expect(result.code).toBe(1);
      expect(result.maxRssMb).toBeLessThan(MAX_RSS_MB);
      expect(written).toBeLessThan(MAX_REPORT_BYTES);
    } finally {
      await daemon.close();
    }
  });
});

describe('--metadata that is not a small regular file', () => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const huge = join(dir, 'huge-metadata.json');
  const fd = openSync(huge, 'w');
  ftruncateSync(fd, 300 * 1024 * 1024); // sparse: costs no disk
  closeSync(fd);
  const config = join(dir, 'config');
  mkdirSync(join(config, 'glue'), { recursive: true });
  execFileSync('mkfifo', [join(config, 'glue', 'daemon.json')]);

  it.each([
    ['a FIFO', fifo, /not a regular file \(a FIFO\)/],
    ['/dev/zero', '/dev/zero', /not a regular file \(a character device\)/],
    ['a directory', dir, /not a regular file \(a directory\)/],
    ['a 300 MB file', huge, /larger than 65536 bytes \(314572800 bytes\)/],
  ])('%s is a usage error (exit 2), at once', { timeout: 20_000 }, async (_name, path, why) => {
    const run = await runMain(['--metadata', path]);
    expect(run.code).toBe(2);
    expect(unwrap(run.stderr)).toMatch(why);
  });

  it('a FIFO at the default path too', { timeout: 20_000 }, async () => {
    const run = await runMain([], { XDG_CONFIG_HOME: config, HOME: dir });
    expect(run.code).toBe(2);
    expect(unwrap(run.stderr)).toMatch(/no daemon given.*not a regular file \(a FIFO\)/);
  });
});
