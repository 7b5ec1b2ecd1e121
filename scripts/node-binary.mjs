/**
 * Another Node release's binary, without nvm: the official build as the npm registry packages it
 * (`node-<platform>-<arch>@<major>`), installed once into .tmp/node-<major>/. Used by
 * `npm run test:node22` / `test:node24` and by `npm run bench -- --node 24`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The path of Node `major`'s binary under `root`/.tmp, installed first when missing; throws when it cannot be. */
export function nodeBinary(root, major, log = (line) => process.stdout.write(`${line}\n`)) {
  if (!/^\d+$/.test(String(major))) throw new Error(`not a Node major version: ${JSON.stringify(major)}`);
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const pkg = `node-${platform}-${process.arch}`;
  const prefix = join(root, '.tmp', `node-${major}`);
  const node = join(prefix, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (existsSync(node)) return node;
  mkdirSync(prefix, { recursive: true });
  log(`installing ${pkg}@${major} into ${prefix}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // npm's output goes to stderr: the bench prints its report on stdout.
  const install = spawnSync(npm, ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `${pkg}@${major}`], { stdio: ['ignore', 2, 2], timeout: 600_000 });
  if (install.status !== 0 || !existsSync(node)) throw new Error(`could not install ${pkg}@${major} (exit ${install.status})`);
  return node;
}
