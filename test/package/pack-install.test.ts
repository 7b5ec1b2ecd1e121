/**
 * What a user gets from the registry: pack the package, install the tarball into an empty
 * project and run both bins from there. The build goes to a staging copy so the checkout's
 * own `dist/` (which other tests and `npm start` may be using) is never touched.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/protocol/package-root.js';

const run = promisify(execFile);
const root = packageRoot();
const work = mkdtempSync(join(tmpdir(), 'glue-pack-'));
const staging = join(work, 'staging');
const project = join(work, 'project');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quietNpm = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** Bounded child run: rejects with its output if it outlives `ms`. */
async function exec(file: string, args: string[], cwd: string, ms: number, env = quietNpm) {
  return run(file, args, { cwd, env, timeout: ms, maxBuffer: 32 * 1024 * 1024 });
}

beforeAll(async () => {
  mkdirSync(staging);
  for (const entry of ['package.json', 'README.md', 'openapi', 'fixtures/scenarios', 'fixtures/catalogs', 'fixtures/schema', 'fixtures/README.md']) {
    cpSync(join(root, entry), join(staging, entry), { recursive: true });
  }
  await exec(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(staging, 'dist')], root, 120_000);
  await exec(npm, ['pack', '--ignore-scripts', '--pack-destination', work], staging, 60_000);
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // --prefer-offline: the dependencies are already in the npm cache after `npm ci`.
  await exec(npm, ['install', '--prefer-offline', '--no-package-lock', join(work, tarball)], project, 180_000);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package, installed into an empty project', () => {
  it('glue-conformance --embedded passes every check and exits 0', async () => {
    const { stdout } = await exec(join(project, 'node_modules/.bin/glue-conformance'), ['--embedded'], project, 60_000);
    const last = stdout.trim().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/);
    expect(Number(last.split(' ')[0])).toBeGreaterThan(50);
  }, 90_000);

  it('glue-mock-daemon serves health and status, and exits 0 on SIGTERM', async () => {
    const token = 'pack-install-test-token';
    const child = spawn(join(project, 'node_modules/.bin/glue-mock-daemon'), ['--listen', '127.0.0.1:0', '--metadata', ''], {
      cwd: project,
      env: { PATH: process.env.PATH ?? '', HOME: work, GLUE_DAEMON_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const baseUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no base_url line within 15 s; stdout: ${out}`)), 15_000);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const match = /^base_url: (\S+)$/m.exec(out);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.once('exit', () => reject(new Error(`daemon exited early; stdout: ${out}`)));
      });
      expect(out).not.toContain(token);
      const health = await fetch(`${baseUrl}/v1/health`, { signal: AbortSignal.timeout(5_000) });
      expect(health.status).toBe(200);
      const status = await fetch(`${baseUrl}/v1/status`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
      expect(status.status).toBe(200);
      expect(((await status.json()) as { capabilities: string[] }).capabilities).toContain('tools');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000))]);
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);

  it('exposes the protocol layer as an import', async () => {
    const script = `import { validateSchema } from 'glue-conformance/protocol';
const ok = validateSchema('HealthResponse', { ok: true, version: 1 });
const bad = validateSchema('ErrorEnvelope', { error: null });
console.log(JSON.stringify([ok.ok, bad.ok]));`;
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], project, 30_000);
    expect(JSON.parse(stdout)).toEqual([true, false]);
  }, 60_000);

  it('runs the client suite against the installed reference client, and exposes the harness', async () => {
    const client = `${join(project, 'node_modules/.bin/glue-reference-client')} --url {url} --token {token} --prompt {prompt} --session {session} --client-id {client_id} --metadata {metadata} --idle-timeout 3s`;
    const { stdout } = await exec(join(project, 'node_modules/.bin/glue-conformance'), ['client', '--command', client, '--only', 'CLI-AUTH-001,CLI-SSE-010,CLI-PERM-001', '--quiet'], project, 60_000);
    expect(stdout.trim().split('\n').at(-1)).toBe('3 passed, 0 failed, 0 skipped');
    const script = `import { allClientCases, startClientCase } from 'glue-conformance/client';
const c = await startClientCase('CLI-AUTH-001');
await c.close();
console.log(JSON.stringify([allClientCases.length > 30, c.baseUrl.startsWith('http://127.0.0.1:')]));`;
    const imported = await exec(process.execPath, ['--input-type=module', '-e', script], project, 30_000);
    expect(JSON.parse(imported.stdout)).toEqual([true, true]);
  }, 90_000);
});
