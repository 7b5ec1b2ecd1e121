/**
 * How tests start the package's CLIs as processes: from the build test/support/build-cli.ts
 * compiles once per test run (node starts it with ~0.35 s less CPU than the sources through tsx,
 * and the suite spawns ~100 of them), or, when that build is missing, from the sources with tsx.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/protocol/package-root.js';

export type CliName = 'glue-mock-daemon' | 'glue-conformance' | 'glue-conformance-client';

/** Where the per-run build lives, and the file that says it finished. */
export const testBuildDir = (): string => join(packageRoot(), '.tmp', 'test-build');
export const testBuildMarker = (): string => join(testBuildDir(), 'build-complete');

/** Node arguments that run `cli` (absolute paths, so any cwd works). */
export function cliArgv(cli: CliName): string[] {
  const built = join(testBuildDir(), 'src', 'cli', `${cli}.js`);
  if (existsSync(testBuildMarker()) && existsSync(built)) return [built];
  return ['--import', 'tsx', join(packageRoot(), 'src', 'cli', `${cli}.ts`)];
}
