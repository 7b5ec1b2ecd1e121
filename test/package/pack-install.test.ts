/**
 * What a user gets from the registry: pack the package, install the tarball into an empty
 * project and run both bins from there. The build goes to a staging copy so the checkout's
 * own `dist/` (which other tests and `npm start` may be using) is never touched.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../../conformance/checks/index.js';
import { packageRoot } from '../../src/protocol/package-root.js';
import { testBuildDir, testBuildMarker } from '../support/cli-entry.js';

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
  // Exactly what package.json `files` ships (`dir/*.md` globs included), so the test sees the tarball users get.
  const files = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] }).files.filter((f) => f !== 'dist');
  for (const entry of ['package.json', ...files]) {
    const glob = /^(.*)\/\*(\.\w+)$/.exec(entry);
    if (glob) {
      mkdirSync(join(staging, glob[1]!), { recursive: true });
      for (const name of readdirSync(join(root, glob[1]!)).filter((n) => n.endsWith(glob[2]!))) cpSync(join(root, glob[1]!, name), join(staging, glob[1]!, name));
    } else cpSync(join(root, entry), join(staging, entry), { recursive: true });
  }
  // `npm run build`'s output: the test run's global setup has compiled it already (build-cli.ts,
  // the same tsc without the type check `npm test` runs on its own); compiled here only without it.
  if (existsSync(testBuildMarker())) cpSync(testBuildDir(), join(staging, 'dist'), { recursive: true, filter: (from) => from !== testBuildMarker() });
  else await exec(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(staging, 'dist'), '--noCheck'], root, 120_000);
  await exec(process.execPath, [join(root, 'scripts/cjs-typings.mjs'), join(staging, 'dist')], root, 30_000);
  await exec(npm, ['pack', '--ignore-scripts', '--pack-destination', work], staging, 60_000);
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // --prefer-offline: the dependencies are already in the npm cache after `npm ci`.
  // What the README tells a client developer: npm i -D glue-conformance msw.
  await exec(npm, ['install', '--prefer-offline', '--no-package-lock', '-D', join(work, tarball), 'msw'], project, 180_000);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

// Concurrent: the cases share nothing but the installed project (read-only) and the consumers' one
// compile, and mostly wait on child processes, so together they take the longest one's time.
describe.concurrent('the packed package, installed into an empty project', () => {
  it('glue-conformance --embedded passes every check and exits 0', async () => {
    const { stdout } = await exec(join(project, 'node_modules/.bin/glue-conformance'), ['--embedded'], project, 60_000).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`glue-conformance --embedded failed:\n${(error.stdout ?? '').slice(-3000)}${error.stderr ?? ''}`);
    });
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

  /**
   * TypeScript consumers of the MSW handlers, type-checked with the kit's compiler in ONE run and
   * then run: `esm/` has `{"type": "module"}`, `cjs/` `{"type": "commonjs"}`, both `module:
   * nodenext`. The CommonJS file compiles to require() calls, so TypeScript resolves msw's
   * CommonJS typings for `msw/node` while the kit's typings must name the same HttpHandler
   * (otherwise: HttpHandler is not assignable to AnyHandler). Errors are told apart by file.
   */
  const CONSUMER = `import { setupServer } from 'msw/node';
import { createGlueHandlers, type GlueHandlers } from 'glue-conformance/msw';

const handlers: GlueHandlers = createGlueHandlers({ baseUrl: 'http://glue.test', token: 'consumer-token' });
const server = setupServer(...handlers);
server.listen({ onUnhandledRequest: 'error' });

async function main(): Promise<void> {
  const health = await fetch('http://glue.test/v1/health');
  const status = await fetch('http://glue.test/v1/status', { headers: { Authorization: 'Bearer consumer-token' } });
  console.log(JSON.stringify([health.status, await health.json(), status.status]));
  server.close();
  await handlers.server.close();
}
void main();
`;
  let compiled: Promise<string> | undefined;
  function compileConsumers(): Promise<string> {
    compiled ??= (async () => {
      const dir = join(work, 'consumers');
      // The packages of the main project (npm i -D glue-conformance msw); @types/node from the kit.
      mkdirSync(dir);
      symlinkSync(join(project, 'node_modules'), join(dir, 'node_modules'), 'dir');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumers', private: true }));
      for (const [folder, type] of [['esm', 'module'], ['cjs', 'commonjs']] as const) {
        mkdirSync(join(dir, folder));
        writeFileSync(join(dir, folder, 'package.json'), JSON.stringify({ type }));
        writeFileSync(join(dir, folder, 'index.ts'), CONSUMER);
      }
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], types: ['node'], typeRoots: [join(root, 'node_modules/@types')], strict: true, skipLibCheck: true }, include: ['esm', 'cjs'] }),
      );
      try {
        await exec(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false'], dir, 120_000);
        return '';
      } catch (error) {
        const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
        return `${stdout}${stderr}`;
      }
    })();
    return compiled;
  }

  async function runConsumer(folder: 'esm' | 'cjs'): Promise<unknown> {
    const errors = (await compileConsumers()).split('\n').filter((line) => line.startsWith(`${folder}/`) || (line.includes('error TS') && !/^(esm|cjs)\//.test(line)));
    expect(errors, errors.join('\n')).toEqual([]);
    const { stdout } = await exec(process.execPath, [join(work, 'consumers', folder, 'index.js')], join(work, 'consumers', folder), 30_000);
    return JSON.parse(stdout);
  }

  it('a TypeScript ESM consumer ("type": "module", module nodenext) type-checks and runs the MSW handlers', async () => {
    expect(await runConsumer('esm')).toEqual([200, { ok: true, version: 1 }, 200]);
  }, 150_000);

  it('a TypeScript CommonJS consumer ("type": "commonjs", module nodenext) does too, without the HttpHandler/AnyHandler type error', async () => {
    expect(await runConsumer('cjs')).toEqual([200, { ok: true, version: 1 }, 200]);
  }, 150_000);

  it('stands alone: LICENSE, repository/homepage/bugs, every file the README links to, every capture a check cites', () => {
    const installed = join(project, 'node_modules/glue-conformance');
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg['license']).toBe('MIT');
    expect(pkg['repository']).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\//) });
    expect(pkg['homepage']).toMatch(/^https:\/\//);
    expect(pkg['bugs']).toMatchObject({ url: expect.stringMatching(/^https:\/\//) });
    const readme = readFileSync(join(installed, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((href) => !/^[a-z]+:/.test(href));
    expect(links.length).toBeGreaterThan(5);
    for (const href of links) expect(existsSync(join(installed, href)), `README links ${href}`).toBe(true);
    // `reference:` lines name capture files; a package user finds them under fixtures/captures/.
    const cited = new Set(allChecks.flatMap((c) => [...c.reference.matchAll(/\b\d{3}-[a-z0-9-]+\.txt\b/g)].map((m) => m[0])));
    expect(cited.size).toBeGreaterThan(50);
    for (const file of cited) expect(existsSync(join(installed, 'fixtures/captures', file)), file).toBe(true);
  });
});
