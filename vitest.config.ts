import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Network tests use loopback servers; keep every wait bounded but generous on a loaded 2-core CI box.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Compiles the CLIs once, so the ~100 CLI processes the tests spawn start without tsx.
    globalSetup: ['test/support/build-cli.ts'],
    // Vitest's default is CPUs − 1, i.e. ONE worker on a 2-core box, so files ran one after another
    // while most of them wait on sockets, child processes and permission timeouts. One worker more
    // than the CPUs keeps both busy while a file waits: on a fresh clone of the 2-core box, vitest
    // took 162 s with 2 workers and 136–142 s with 3 (2026-12-01, same tree).
    maxWorkers: availableParallelism() + 1,
    // The slowest files start first, on a fresh clone too (test/support/sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
  },
});
