import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The directory holding this package's package.json. Walking up from this file works both from
 * `src/` (tsx, vitest) and from `dist/src/` (the published package), so data files such as the
 * OpenAPI spec and the fixtures are found the same way in both.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'glue-conformance') return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('glue-conformance: cannot find the package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Absolute path of a file shipped with the package, e.g. `packagePath('openapi', 'glue-daemon.v1.yaml')`. */
export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
