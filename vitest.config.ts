import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

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
    // while most of them wait on sockets, child processes and permission timeouts (the suite used
    // ~0.8 of the 2 cores). One worker per CPU keeps both busy without oversubscribing a loaded box;
    // the slowest files start first (vitest orders files by the last run's durations).
    maxWorkers: availableParallelism(),
  },
});
