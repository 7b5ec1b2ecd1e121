/**
 * The optional JSON file of remembered grants, in Go's format: `{"version":1,"permissions":[…]}`,
 * indented by two spaces, trailing newline; directory 0700, file 0600, replaced atomically
 * (temp file in the same directory, then rename) so a crash never leaves half a file.
 * As Go's filePermissionStore: no fsync (a power cut can lose the last change, never corrupt the
 * file), and no lock (two daemons on one file: each rewrites it whole, the last writer wins).
 * Write errors read as Go's (`daemon: create permission store temp: open …: permission denied`).
 */
import { readFileSync } from 'node:fs';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
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

/** A store write failed; `message` is worded as Go's SavePermissionGrants error. */
export class PermissionStoreError extends Error {}

/** Go's syscall error texts for the errors a store write meets. */
const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'file exists',
  EIO: 'input/output error',
};

function goError(step: string, op: string, path: string, error: unknown): PermissionStoreError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const text = ERRNO_TEXT[code] ?? (error as Error).message;
  return new PermissionStoreError(`daemon: ${step}: ${op} ${path}: ${text}`);
}

/** Each grant's indented block, by grant object (grants are immutable): a rewrite of thousands only joins strings. */
const blocks = new WeakMap<PermissionGrant, string>();

/** The store file, byte for byte what `encodeGoJsonIndented({ version: 1, permissions: grants })` writes (Go's MarshalIndent + newline). */
export function encodeStoreFile(grants: readonly PermissionGrant[]): string {
  if (grants.length === 0) return '{\n  "version": 1,\n  "permissions": []\n}\n';
  const parts: string[] = [];
  for (const grant of grants) {
    let block = blocks.get(grant);
    if (block === undefined) {
      block = '    ' + encodeGoJsonIndented(grant).slice(0, -1).replace(/\n/g, '\n    ');
      blocks.set(grant, block);
    }
    parts.push(block);
  }
  return '{\n  "version": 1,\n  "permissions": [\n' + parts.join(',\n') + '\n  ]\n}\n';
}

export async function savePermissionStore(path: string, grants: PermissionGrant[]): Promise<void> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw goError('prepare permission store', 'mkdir', dir, error);
  }
  const data = encodeStoreFile(grants);
  const tmp = join(dir, `.permissions-${randomBytes(6).toString('hex')}.tmp`);
  let file;
  try {
    file = await open(tmp, 'wx', 0o600);
  } catch (error) {
    throw goError('create permission store temp', 'open', tmp, error);
  }
  try {
    try {
      await file.writeFile(data);
    } catch (error) {
      throw goError('write permission store temp', 'write', tmp, error);
    }
    try {
      await chmod(tmp, 0o600);
    } catch (error) {
      throw goError('chmod permission store temp', 'chmod', tmp, error);
    }
    try {
      await file.close();
    } catch (error) {
      throw goError('close permission store temp', 'close', tmp, error);
    }
    try {
      await rename(tmp, path);
    } catch (error) {
      throw goError('replace permission store', 'rename', `${tmp} ${path}`, error);
    }
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}
