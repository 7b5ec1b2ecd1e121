/** The kit's own version (package.json), stamped on every report so a result names what produced it. */
import { readFileSync } from 'node:fs';
import { packagePath } from '../src/protocol/package-root.js';

let cached: string | undefined;

export function kitVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: unknown };
    cached = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
