import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/sequencer.js';

/**
 * Files that get a process of their own. They fake timers (parity, internal-faults), patch the
 * global fetch (msw: setupServer), register process-wide handlers or measure the process's memory
 * (fuzz, node-hardening), so nothing they do may reach, or be reached by, another file.
 */
const OWN_PROCESS = [
  'test/fuzz/**/*.test.ts',
  'test/reference-server/msw.test.ts',
  'test/reference-server/parity.test.ts',
  'test/reference-server/internal-faults.test.ts',
  'test/reference-server/node-hardening.test.ts',
];

// Network tests use loopback servers; keep every wait bounded but generous on a loaded 2-core CI box.
const common = { testTimeout: 30_000, hookTimeout: 30_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // Compiles the CLIs once, so the ~100 CLI processes the tests spawn start without tsx.
    globalSetup: ['test/support/build-cli.ts'],
    // Vitest's default is CPUs − 1, i.e. ONE worker on a 2-core box, so files ran one after another
    // while most of them wait on sockets, child processes and permission timeouts. One worker more
    // than the CPUs keeps both busy while a file waits: on a fresh clone of the 2-core box, vitest
    // took 162 s with 2 workers and 136–142 s with 3 (2026-12-01, same tree).
    maxWorkers: availableParallelism() + 1,
    // The slowest files start first, on a fresh clone too (test/support/sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      { test: { ...common, name: 'own-process', include: OWN_PROCESS } },
      // Every other file runs in a worker that keeps the modules it imported for its next files
      // (isolate: false): a fresh process per file started a worker and re-evaluated the sources
      // each time, most of a quick file's cost (a whole fresh-clone run: 198 -> ~125 CPU-s). The
      // sources' module-level caches (parsed spec, compiled schemas) are shared; no file changes
      // process-wide state except the ones above.
      { test: { ...common, name: 'shared-worker', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...OWN_PROCESS], isolate: false } },
    ],
  },
});
