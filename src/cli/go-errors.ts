/**
 * Startup errors worded as `glue serve` prints them (Go's `net.OpError` / `os.PathError` text,
 * one line on stderr, exit 1), so a script that reads the daemon's stderr sees the same line:
 * `listen tcp 127.0.0.1:7777: bind: address already in use`, `mkdir /x: permission denied`.
 */

/** Go's (glibc's) strerror texts for the errno codes node reports. */
const STRERROR: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'file exists',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EAFNOSUPPORT: 'address family not supported by protocol',
};

type NodeError = Error & { code?: string; syscall?: string; path?: string; dest?: string };

function reason(err: NodeError): string {
  return (err.code && STRERROR[err.code]) ?? err.message;
}

/** `listen tcp HOST:PORT: bind: <reason>` (or Go's lookup failure for a name that does not resolve). */
export function listenErrorText(host: string, port: number, err: unknown): string {
  const e = err as NodeError;
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return `listen tcp: lookup ${host}: no such host`;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return `listen tcp ${address}: bind: ${reason(e ?? new Error(String(err)))}`;
}

/** A file-system error as Go's `*PathError` prints: `open /path: permission denied`. */
export function pathErrorText(err: unknown): string {
  const e = err as NodeError;
  if (!e || typeof e !== 'object' || !e.syscall || !e.path) return err instanceof Error ? err.message : String(err);
  const op = e.syscall === 'rename' && e.dest ? `rename ${e.path} ${e.dest}` : `${e.syscall} ${e.path}`;
  return `${op}: ${reason(e)}`;
}
