/**
 * `npm run fuzz`: the long fuzz run. The same property tests as `npm test` (test/fuzz), with a
 * budget of FUZZ_RUNS requests (default 20,000; FUZZ_SEED to replay a run), then the figures the
 * issue asks for: requests fuzzed, crashes, hangs, peak memory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../src/protocol/package-root.js';

const root = packageRoot();
const runs = process.env.FUZZ_RUNS ?? '20000';
const figuresFile = join(root, '.tmp', 'fuzz-figures.json');
rmSync(figuresFile, { force: true });

// vitest's bin file (not in its exports map, so resolve the package and walk to it).
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', 'test/fuzz'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs },
});

if (existsSync(figuresFile)) {
  const f = JSON.parse(readFileSync(figuresFile, 'utf8')) as Record<string, unknown>;
  process.stdout.write(
    `\nfuzz: ${String(f.requests)} requests (${runs} property runs), ${String(f.crashes)} crashes, ${String(f.hangs)} hangs, ` +
      `peak RSS ${String(f.peakRssMb)} MB, peak heap ${String(f.peakHeapMb)} MB, heap after GC ${String(f.heapBeforeMb)} → ${String(f.heapAfterMb)} MB\n` +
      `statuses: ${JSON.stringify(f.statuses)}\n`,
  );
} else {
  process.stdout.write('\nfuzz: no figures written (the run stopped early)\n');
}
process.exitCode = result.status ?? 1;
