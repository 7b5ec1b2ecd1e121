/**
 * Wall time of the whole conformance suite (scripted profile) as a user runs it: the CLI as a child
 * process against a freshly started daemon (mock or Go) with the same permission timeout.
 */
import { spawn } from 'node:child_process';
import type { CliSource } from '../build.js';
import { cliArgv } from '../daemon-process.js';

export interface SuiteSample {
  wallMs: number;
  exitCode: number;
}

const SUITE_TIMEOUT_MS = 120_000;

/** One run of the compiled CLI against `target`, a fresh daemon started with the same permission timeout. */
export async function suiteSample(root: string, source: CliSource, target: { url: string; token: string }, permissionTimeoutMs: number): Promise<SuiteSample & { summary: string }> {
  const run = await runCli(root, source, target.url, target.token, permissionTimeoutMs);
  return { wallMs: run.wallMs, exitCode: run.code, summary: run.summary };
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
    // The wall time ends when the CLI exits; its output is read to the end ('close') before the tally is taken.
    let wallMs = 0;
    child.once('exit', () => {
      wallMs = performance.now() - startedAt;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      // Never echo CLI output wholesale: keep only the final tally line (it holds no token).
      const tally = [...out.matchAll(/^\d+ passed, \d+ failed, \d+ skipped$/gm)].at(-1)?.[0];
      const own = /(\d+ checks in [\d.]+ s)/.exec(out)?.[1];
      const summary = tally ? `${tally}${own ? ` (${own})` : ''}` : `(no summary line; exit ${code ?? signal})`;
      resolve({ wallMs, code: code ?? -1, summary: summary.split(token).join('<redacted>') });
    });
  });
}
