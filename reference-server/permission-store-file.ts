/**
 * The optional JSON file of remembered grants, in Go's format: `{"version":1,"permissions":[…]}`,
 * indented by two spaces, trailing newline; directory 0700, file 0600, replaced atomically
 * (temp file in the same directory, then rename) so a crash never leaves half a file.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { PermissionGrant } from '../src/protocol/types.js';
import { encodeGoJsonIndented } from './go-json.js';

/** The stored grants; an absent file is an empty store. Throws with the path on unreadable or invalid JSON. */
export function loadPermissionStore(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`Failed to read permission store ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`Failed to parse permission store ${path}: ${(error as Error).message}`);
  }
  const permissions = (parsed as { permissions?: unknown } | null)?.permissions;
  return Array.isArray(permissions) ? permissions : [];
}

export function savePermissionStore(path: string, grants: PermissionGrant[]): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.permissions-${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, encodeGoJsonIndented({ version: 1, permissions: grants }), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new Error(`Failed to write permission store ${path}: ${(error as Error).message}`);
  }
}
