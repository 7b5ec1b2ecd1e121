/**
 * Safety around the metadata file, beyond Go (which overwrites whatever is there and leaves a stale
 * file behind): a path on a kernel filesystem is refused before anything touches it (node's
 * recursive mkdir loops forever under /proc), the default path is not taken over from a running
 * daemon, and the file is removed on exit while it still names this process.
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync, realpathSync, rmSync, constants } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

/** A metadata file is four short fields; anything bigger is not one. */
const MAX_METADATA_BYTES = 64 * 1024;
/** Kernel filesystems: writing there is never meant, and /proc makes node's mkdir spin. */
const VIRTUAL_ROOTS = ['/proc', '/sys', '/dev'];

/** What an existing metadata file says, when it parses. */
export interface MetadataOwner {
  pid: number;
  base_url: string;
}

/** Why `path` cannot be a metadata file, or `undefined` when it can. Never blocks, never loops. */
export function metadataPathProblem(path: string): string | undefined {
  const absolute = resolve(path);
  const real = realAncestor(absolute);
  const root = VIRTUAL_ROOTS.find((dir) => real === dir || real.startsWith(dir + sep) || absolute === dir || absolute.startsWith(dir + sep));
  if (root !== undefined) return `${path} is on the kernel filesystem ${root}; pass a regular file path, or --metadata '' to disable the file`;
  try {
    const stat = lstatSync(absolute);
    if (stat.isDirectory()) return `${path} is a directory; pass a file path such as ${resolve(absolute, 'daemon.json')}`;
    if (!stat.isFile() && !stat.isSymbolicLink()) return `${path} exists and is not a regular file; pass a regular file path`;
  } catch {
    // Not there yet: it will be created.
  }
  return undefined;
}

/** The real path of the deepest existing ancestor (so a symlink into /proc is caught), bounded by the path depth. */
function realAncestor(absolute: string): string {
  let dir = absolute;
  for (let depth = 0; depth < 256; depth++) {
    try {
      return realpathSync(dir);
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return dir;
      dir = parent;
    }
  }
  return absolute;
}

/** Reads `path` as a metadata file with a size cap and without following it into a FIFO or device. */
export function readMetadataOwner(path: string): MetadataOwner | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_METADATA_BYTES) return undefined;
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_METADATA_BYTES));
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const parsed = JSON.parse(buffer.subarray(0, read).toString('utf8')) as { pid?: unknown; base_url?: unknown } | null;
    if (parsed === null || typeof parsed !== 'object' || !Number.isSafeInteger(parsed.pid) || (parsed.pid as number) <= 0) return undefined;
    return { pid: parsed.pid as number, base_url: typeof parsed.base_url === 'string' ? parsed.base_url : '' };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** `kill(pid, 0)`: true when the process exists (EPERM means it exists but is someone else's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running daemon (other than `selfPid`) that the file at `path` names, if any. */
export function liveOtherOwner(path: string, selfPid: number = process.pid): MetadataOwner | undefined {
  const owner = readMetadataOwner(path);
  if (owner === undefined || owner.pid === selfPid || !isProcessAlive(owner.pid)) return undefined;
  return owner;
}

/** The refusal for a default path that a running daemon owns, with the ways out. */
export function takenMessage(path: string, owner: MetadataOwner): string {
  return (
    `the metadata file ${path} belongs to a running daemon (pid ${owner.pid}${owner.base_url ? `, ${owner.base_url}` : ''}); ` +
    `refusing to overwrite it. Stop that daemon, or pass --metadata PATH to write another file ` +
    `(--metadata ${path} to overwrite it anyway), or --metadata '' with --token to write none`
  );
}

/** Removes the file when it still names `selfPid` and `baseUrl`; true when it did. */
export function removeIfOwned(path: string, baseUrl: string, selfPid: number = process.pid): boolean {
  const owner = readMetadataOwner(path);
  if (owner === undefined || owner.pid !== selfPid || owner.base_url !== baseUrl) return false;
  rmSync(path, { force: true });
  return true;
}
