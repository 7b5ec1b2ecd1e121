#!/usr/bin/env node
/**
 * After `tsc`: a CommonJS twin (`.d.cts`) of the typings of entries whose types come from msw.
 * msw ships separate ESM (.d.mts) and CommonJS (.d.ts) typings, each with its own HttpHandler
 * class. A CommonJS consumer (`"type": "commonjs"`, `module: nodenext`) gets msw's CommonJS
 * typings for `msw/node`; through the `require` condition in `exports` it now gets ours from
 * the twin, whose `import … from 'msw'` resolves to the same CommonJS typings (same text, read
 * in CommonJS mode), so `setupServer(...createGlueHandlers(…))` type-checks. Usage:
 * `node scripts/cjs-typings.mjs DIST_DIR`.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const ENTRIES = ['src/msw/index.d.ts'];
const dist = process.argv[2] ?? 'dist';
for (const entry of ENTRIES) {
  const from = join(dist, entry);
  if (!existsSync(from)) {
    process.stderr.write(`cjs-typings: ${from} is missing (run tsc first)\n`);
    process.exit(1);
  }
  copyFileSync(from, from.replace(/\.d\.ts$/, '.d.cts'));
}
