/**
 * `glue-conformance client` end to end: the kit's reference client as a spawned command passes,
 * a hanging and a flooding client are killed and failed, baselines and usage errors behave as in
 * the daemon suite, and the token never reaches the output.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/glue-conformance.js';
import { packagePath } from '../../src/protocol/package-root.js';

function capture(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const code = await main(['client', ...args], { stdout: stdout.stream, stderr: stderr.stream, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const reference = `node --import tsx ${packagePath('client-conformance', 'reference-client', 'cli.ts')} --url {url} --token {token} --prompt {prompt} --session {session} --client-id {client_id} --metadata {metadata} --idle-timeout 3s`;

describe('glue-conformance client', () => {
  it('lists the cases and rejects unknown placeholders and selections (exit 2)', async () => {
    const list = await run(['--list', '--only', 'CLI-SSE']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^CLI-SSE-001 +MUST/m);
    expect(list.stdout).toContain('11 cases');
    expect((await run(['--command', 'x {urll}'])).code).toBe(2);
    expect((await run(['--command', 'x', '--only', 'CLI-NOPE'])).code).toBe(2);
    expect((await run([])).stderr).toContain('no client');
  });

  it('passes the reference client as a command, with a JSON report free of the token', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'client-junit-')), 'client.xml');
    const result = await run(['--command', reference, '--only', 'CLI-AUTH-001,CLI-RUN-002,CLI-PERM-001,CLI-PERM-002,CLI-META-001', '--reporter', 'json', '--reporter', `junit=${junit}`]);
    // One reporter code path for both suites: the JUnit file groups the cases by client area.
    expect(readFileSync(junit, 'utf8')).toContain('classname="glue-conformance.client.CLI-PERM"');
    const report = JSON.parse(result.stdout) as { suite: string; ok: boolean; results: Array<{ id: string; status: string; message?: string }> };
    expect(report.results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(report.results).toHaveLength(5);
    expect(report.suite).toBe('client');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Bearer <token>');
    expect(result.stdout).not.toMatch(/Bearer [0-9a-f]{64}/);
  }, 40_000);

  it('a client printing the token and control sequences gets neither onto the console nor into the reports', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'client-junit-')), 'client.xml');
    // Exits 0 on a 500 (CLI-ERR-003 fails), so its stdout and stderr excerpts land in the failure
    // message: OSC retitle, clear screen, a C1 CSI and a bidi override around the case token.
    const printer = String.raw`printf 'answer %s \033]0;pwned\007 \033[2J \302\233 \342\200\256 done\n' {token}; printf 'err %s \033[31m\n' {token} >&2`;
    const result = await run(['--command', printer, '--only', 'CLI-ERR-003', '--reporter', 'json', '--reporter', `junit=${junit}`]);
    expect(result.code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    const report = JSON.parse(result.stdout) as { results: Array<{ id: string; status: string; message?: string; notes: string[] }> };
    const [errCase] = report.results;
    // The excerpts are there, with the token masked by the sinks' redactor.
    expect(errCase?.status).toBe('fail');
    expect(errCase?.message).toContain('answer ***');
    expect(errCase?.notes.join(' ')).toContain('err ***');
    expect(xml).toContain('answer ***');
    expect(result.stderr).toContain('answer ***');
    for (const text of [result.stdout, result.stderr, xml]) expect(text).not.toMatch(/[0-9a-f]{64}/i);
    // The console (stderr here: JSON has stdout) shows every control character as a visible escape.
    // eslint-disable-next-line no-control-regex
    expect(result.stderr.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(result.stderr).toContain(String.raw`\x9b \u202e done`);
    // JSON keeps the value, as \u escapes; JUnit shows what XML cannot hold as escapes.
    expect(result.stdout).not.toMatch(/[\u0080-\u009f\u202e]/);
    expect(errCase?.message).toContain('\u009b \u202e done');
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  }, 30_000);

  it('does not count the DELETE a client sends only because the kit terminated it at the deadline', async () => {
    // The reference client cancels its run on SIGTERM (as glue connect does, racily); with no idle
    // bound it waits on the stalled stream until the kit's deadline, then cancels while exiting.
    const result = await run(['--command', `${reference} --fault no-idle-bound`, '--only', 'CLI-CANCEL-003', '--reporter', 'json']);
    const report = JSON.parse(result.stdout) as { results: Array<{ id: string; status: string; message?: string }> };
    expect(report.results[0]?.status).toBe('fail');
    expect(report.results[0]?.message).toContain('only once the kit had terminated it at the deadline');
  }, 30_000);

  it('kills and fails a client that hangs or floods its output', async () => {
    const hang = await run(['--command', 'sleep 30', '--only', 'CLI-AUTH-001', '--timeout', '1s', '--quiet']);
    expect(hang.code).toBe(1);
    expect(hang.stderr + hang.stdout).toContain('killed after');
    const flood = await run(['--command', 'yes glue', '--only', 'CLI-AUTH-001', '--max-output', '65536', '--quiet']);
    expect(flood.code).toBe(1);
    expect(flood.stdout).toContain('flooding');
  }, 30_000);

  it('applies the expected-failures baseline, which cannot rot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'client-baseline-'));
    const baseline = join(dir, 'expected.txt');
    // `true` does nothing and exits 0: it fails CLI-ERR-003 (a 500 must fail the client) and
    // passes CLI-AUTH-002 (nothing reached the redirect target).
    writeFileSync(baseline, 'CLI-ERR-003 # known failure\n');
    const without = await run(['--command', 'true', '--only', 'CLI-ERR-003', '--quiet']);
    expect(without.code).toBe(1);
    const listed = await run(['--command', 'true', '--only', 'CLI-ERR-003', '--expected-failures', baseline, '--quiet']);
    expect(listed.code).toBe(0);
    writeFileSync(baseline, 'CLI-AUTH-002\n');
    const stale = await run(['--command', 'true', '--only', 'CLI-AUTH-002', '--expected-failures', baseline, '--quiet']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('listed as an expected failure but passed');
  });
});
