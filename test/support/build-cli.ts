/**
 * Vitest global setup: compiles the package once (tsc --noCheck: emit only; `npm test` type-checks
 * separately) so tests can spawn the CLIs with plain node (test/support/cli-entry.ts). A failed
 * build leaves no marker and the tests fall back to tsx, so a broken build never hides a test.
 * It is `npm run build`'s tsc with the declarations (byte for byte the same files: type checking
 * changes no emit), so test/package/pack-install packs it instead of compiling the package again.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../../src/protocol/package-root.js';
import { testBuildDir, testBuildMarker } from './cli-entry.js';

export default function setup(): void {
  const root = packageRoot();
  // The whole directory: a file left from an older tree would otherwise end up in the packed tarball.
  rmSync(testBuildDir(), { recursive: true, force: true });
  // GLUE_TEST_NO_BUILD=1: run the CLIs from the sources (to compare, or to debug with source maps).
  if (process.env.GLUE_TEST_NO_BUILD) return;
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', testBuildDir(), '--noCheck'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (result.status === 0) writeFileSync(testBuildMarker(), `${new Date().toISOString()}\n`);
  else process.stderr.write(`test build failed; CLIs run through tsx instead:\n${(result.stdout + result.stderr).slice(-2000)}\n`);
}
