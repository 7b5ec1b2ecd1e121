/**
 * Issue 7 (2): the conformance CLI against daemons that break HTTP and SSE. Each run must end
 * within its bounds, say what failed, and exit with the documented code:
 *   1 — the daemon answers health, so the suite runs and MUST checks fail
 *       (endless-stream, invalid-sse, close-mid-frame, html, redirect);
 *   2 — the daemon never completes GET /v1/health, so it is unreachable (black-hole, slow-drip).
 * The token never appears in the CLI's output or report, and never follows a redirect.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/protocol/package-root.js';
import { cliArgv } from '../support/cli-entry.js';
import { startHostileDaemon, type HostileKind } from './hostile-daemons.js';

const TOKEN = 'hostile-test-token-5f0c2a9e41b7d3c68e2f1a0b9c7d6e5f';
/** Per-check budget and parallelism given to the CLI: the bounds a user configures. */
const CHECK_TIMEOUT_MS = 1_000;
const CONCURRENCY = 16;
/**
 * What those bounds allow for the whole run: every check waiting out its budget, in waves of
 * CONCURRENCY (~90 checks → 6 waves), plus process startup and a loaded CI box. Past it: a hang.
 */
const RUN_BOUND_MS = 30_000;

const expectedExit: Partial<Record<HostileKind, 1 | 2>> = {
  'black-hole': 2,
  'slow-drip': 2,
  'endless-stream': 1,
  'invalid-sse': 1,
  'close-mid-frame': 1,
  html: 1,
  redirect: 1,
  'echo-token': 1,
};

const reports = mkdtempSync(join(tmpdir(), 'glue-hostile-'));
afterAll(() => rmSync(reports, { recursive: true, force: true }));

interface CliRun {
  code: number | null;
  output: string;
  hung: boolean;
}

function runCli(url: string, junitPath: string): Promise<CliRun> {
  const root = packageRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...cliArgv('glue-conformance'), '--url', url, '--profile', 'scripted', '--permission-timeout', '1s', '--timeout', `${CHECK_TIMEOUT_MS}ms`, '--concurrency', String(CONCURRENCY), '--reporter', 'pretty', '--reporter', `junit=${junitPath}`],
      { cwd: root, env: { ...process.env, GLUE_DAEMON_TOKEN: TOKEN, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let hung = false;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, RUN_BOUND_MS);
    child.once('error', reject);
    // 'close', not 'exit': the last output can still be in the pipes when the process has exited.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, hung });
    });
  });
}

describe.concurrent('glue-conformance against hostile daemons', { timeout: RUN_BOUND_MS + 15_000 }, () => {
  it.each(Object.entries(expectedExit) as [HostileKind, 1 | 2][])('%s: ends in bounds, exits %i, never leaks the token', async (kind, exit) => {
    const daemon = await startHostileDaemon(kind);
    const junit = join(reports, `${kind}.xml`);
    try {
      const run = await runCli(daemon.url, junit);
      expect(run.hung, `CLI still running after ${RUN_BOUND_MS} ms:\n${run.output.slice(-2000)}`).toBe(false);
      expect(run.code, run.output.slice(-2000)).toBe(exit);
      expect(run.output.includes(TOKEN)).toBe(false);
      if (exit === 1) {
        // A clear report: failed checks with their reason, and the final tally.
        expect(run.output).toMatch(/✗ [A-Z]+-\d{3} MUST .+ — .+/);
        expect(run.output).toMatch(/\d+ passed, [1-9]\d* failed, \d+ skipped/);
        expect(readFileSync(junit, 'utf8').includes(TOKEN)).toBe(false);
        // These daemons pass status, so the suite reaches their broken event streams and says so.
        if (kind === 'endless-stream' || kind === 'invalid-sse' || kind === 'close-mid-frame') expect(run.output).toMatch(/✗ SSE-\d{3} MUST .+ — .+/);
      } else {
        // Unreachable: the failed health exchange and why it failed.
        expect(run.output).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v1\/health/);
        expect(run.output).toMatch(/no complete response within \d+ ms/);
      }
      // The daemon did get the token (so the assertions below could catch a leak)…
      if (kind !== 'black-hole' && kind !== 'slow-drip') expect(daemon.requests.some((head) => head.includes(TOKEN))).toBe(true);
      // …and nothing, token or not, ever reached the redirect target.
      expect(daemon.elsewhere).toEqual([]);
    } finally {
      await daemon.close();
    }
  });
});
