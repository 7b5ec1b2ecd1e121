/**
 * Wall time of the whole conformance suite (scripted profile) as a user runs it: the CLI as a child
 * process against a freshly started daemon with the same permission timeout.
 */
import { spawn } from 'node:child_process';
import type { CliSource } from '../build.js';
import { cliArgv, startDaemon } from '../daemon-process.js';
import { median, round } from '../stats.js';

export interface SuiteResult {
  runs: number;
  permissionTimeoutMs: number;
  wallMs: number;
  /** 1.5 × permission timeout + 3 s (issue 6). */
  goalMs: number;
  exitCodes: number[];
  summary: string;
}

const SUITE_TIMEOUT_MS = 120_000;

export async function benchSuite(root: string, runs: number, permissionTimeoutMs: number, source: CliSource, daemonArgs: string[] = []): Promise<SuiteResult> {
  const walls: number[] = [];
  const exitCodes: number[] = [];
  let summary = '';
  for (let i = 0; i < runs; i++) {
    // A fresh daemon per run: grants and runs from an earlier suite run must not change this one.
    const daemon = await startDaemon({ root, permissionTimeout: `${permissionTimeoutMs}ms`, source, args: daemonArgs });
    try {
      const run = await runCli(root, source, daemon.url, daemon.token, permissionTimeoutMs);
      walls.push(run.wallMs);
      exitCodes.push(run.code);
      summary = run.summary;
    } finally {
      await daemon.close();
    }
  }
  return {
    runs,
    permissionTimeoutMs,
    wallMs: round(median(walls)),
    goalMs: 1.5 * permissionTimeoutMs + 3000,
    exitCodes,
    summary,
  };
}

function runCli(root: string, source: CliSource, url: string, token: string, permissionTimeoutMs: number): Promise<{ wallMs: number; code: number; summary: string }> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(
      process.execPath,
      [...cliArgv(root, 'glue-conformance', source), '--url', url, '--profile', 'scripted', '--permission-timeout', `${permissionTimeoutMs}ms`],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', GLUE_DAEMON_TOKEN: token } },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), SUITE_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - startedAt;
      // Never echo CLI output wholesale: keep only the final tally line (it holds no token).
      const tally = [...out.matchAll(/^\d+ passed, \d+ failed, \d+ skipped$/gm)].at(-1)?.[0];
      const own = /(\d+ checks in [\d.]+ s)/.exec(out)?.[1];
      const summary = tally ? `${tally}${own ? ` (${own})` : ''}` : `(no summary line; exit ${code ?? signal})`;
      resolve({ wallMs, code: code ?? -1, summary: summary.split(token).join('<redacted>') });
    });
  });
}
