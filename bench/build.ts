/**
 * The bench measures what users run: the compiled CLIs (`npx glue-mock-daemon` runs dist/). It
 * compiles the checkout being measured into <root>/.tmp/bench-build (git-ignored) so the figures
 * never come from a stale dist/. `--from tsx` runs the sources instead (tsx keeps function names
 * by defining a `name` property on every closure, which costs memory per open stream).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export type CliSource = { kind: 'build'; dir: string } | { kind: 'tsx' };

export function buildCli(root: string): CliSource {
  const dir = join(root, '.tmp', 'bench-build');
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', dir, '--declaration', 'false'], { cwd: root, encoding: 'utf8' });
  // tsc still emits on type errors (someone's work in progress); only missing output is fatal.
  const missing = ['glue-mock-daemon', 'glue-conformance'].filter((cli) => !existsSync(join(dir, 'src', 'cli', `${cli}.js`)));
  if (result.status !== 0 && missing.length > 0) throw new Error(`bench: could not compile ${root}:\n${(result.stdout + result.stderr).slice(-3000)}`);
  if (result.status !== 0) process.stderr.write(`bench: note: ${root} has type errors; measuring the emitted JavaScript anyway\n`);
  return { kind: 'build', dir };
}
