#!/usr/bin/env node
/**
 * `npm run test:node22` / `test:node24`: the vitest suite under another Node LTS, without nvm.
 * The Node binary comes from scripts/node-binary.mjs (the official build from the npm registry,
 * installed once into .tmp/node-<major>/). That binary then runs
 * vitest and, first on PATH, every `node` the tests spawn (CLIs, npm in the pack test).
 * Extra arguments go to vitest (`npm run test:node22 -- test/conformance`).
 */
import { spawnSync } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from './node-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = process.argv[2];
if (!/^\d+$/.test(major ?? '')) {
  process.stderr.write('usage: node scripts/test-node.mjs MAJOR [vitest args…]\n');
  process.exit(2);
}
let node;
try {
  node = nodeBinary(root, major, (line) => process.stdout.write(`test-node: ${line}\n`));
} catch (error) {
  process.stderr.write(`test-node: ${error.message}\n`);
  process.exit(2);
}
const binDir = dirname(node);
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
process.stdout.write(`test-node: vitest on Node ${version}\n`);
const env = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` };
const run = spawnSync(node, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...process.argv.slice(3)], { cwd: root, stdio: 'inherit', env });
process.exit(run.status ?? 1);
