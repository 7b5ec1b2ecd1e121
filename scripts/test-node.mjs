#!/usr/bin/env node
/**
 * `npm run test:node22` / `test:node24`: the vitest suite under another Node LTS, without nvm.
 * The Node binary comes from the npm registry package `node-<platform>-<arch>@<major>` (the
 * official build, packaged), installed once into .tmp/node-<major>/. That binary then runs
 * vitest and, first on PATH, every `node` the tests spawn (CLIs, npm in the pack test).
 * Extra arguments go to vitest (`npm run test:node22 -- test/conformance`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = process.argv[2];
if (!/^\d+$/.test(major ?? '')) {
  process.stderr.write('usage: node scripts/test-node.mjs MAJOR [vitest args…]\n');
  process.exit(2);
}
const platform = process.platform === 'win32' ? 'win' : process.platform;
const pkg = `node-${platform}-${process.arch}`;
const prefix = join(root, '.tmp', `node-${major}`);
const binDir = join(prefix, 'node_modules', pkg, 'bin');
const node = join(binDir, process.platform === 'win32' ? 'node.exe' : 'node');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (!existsSync(node)) {
  mkdirSync(prefix, { recursive: true });
  process.stdout.write(`test-node: installing ${pkg}@${major} into ${prefix}\n`);
  const install = spawnSync(npm, ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `${pkg}@${major}`], { stdio: 'inherit', timeout: 600_000 });
  if (install.status !== 0 || !existsSync(node)) {
    process.stderr.write(`test-node: could not install ${pkg}@${major} (exit ${install.status})\n`);
    process.exit(2);
  }
}
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
process.stdout.write(`test-node: vitest on Node ${version}\n`);
const env = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` };
const run = spawnSync(node, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...process.argv.slice(3)], { cwd: root, stdio: 'inherit', env });
process.exit(run.status ?? 1);
