/**
 * The local connection file clients read to find a daemon, written as Go's `daemon.WriteMetadata`
 * does (capture 002): `{"version":1,"base_url","token","pid"}` indented by two spaces plus a newline,
 * directory created 0700, file 0600, written to `<path>.tmp` and renamed over the target.
 * Go leaves the file in place on shutdown (capture 159), so nothing here removes it.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { encodeGoJsonIndented } from './go-json.js';

/** Go's `daemon.Metadata`, in its field order. */
export interface DaemonMetadata {
  version: 1;
  base_url: string;
  token: string;
  pid: number;
}

export interface PlatformEnv {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Go's `os.UserConfigDir`: `%AppData%` on Windows, `$HOME/Library/Application Support` on macOS,
 * else `$XDG_CONFIG_HOME` (must be absolute) or `$HOME/.config`. `undefined` where Go returns an error.
 */
export function userConfigDir({ platform, env }: PlatformEnv = { platform: process.platform, env: process.env }): string | undefined {
  if (platform === 'win32') return env.AppData || env.APPDATA || undefined;
  const home = env.HOME;
  if (platform === 'darwin') return home ? join(home, 'Library', 'Application Support') : undefined;
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg) return isAbsolute(xdg) ? xdg : undefined;
  return home ? join(home, '.config') : undefined;
}

/** Go's `daemon.DefaultMetadataPath`: user config dir + `glue/daemon.json`, else `.glue/daemon.json`. */
export function defaultMetadataPath(platformEnv?: PlatformEnv): string {
  const dir = userConfigDir(platformEnv);
  if (dir === undefined || dir.trim() === '') return join('.glue', 'daemon.json');
  return join(dir, 'glue', 'daemon.json');
}

/** Writes the file atomically with owner-only modes. */
export async function writeMetadataFile(path: string, metadata: DaemonMetadata): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const ordered: DaemonMetadata = { version: metadata.version, base_url: metadata.base_url, token: metadata.token, pid: metadata.pid };
  const tmp = path + '.tmp';
  // An old temp file may carry wider modes; start from scratch so `mode` applies.
  await rm(tmp, { force: true });
  await writeFile(tmp, encodeGoJsonIndented(ordered), { mode: 0o600, flag: 'wx' });
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await chmod(path, 0o600);
}

/** Go's `daemon.ReadMetadata`: parses the file and rejects any version but 1. */
export async function readMetadataFile(path: string): Promise<DaemonMetadata> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<DaemonMetadata> | null;
  if (parsed === null || typeof parsed !== 'object' || parsed.version !== 1) {
    throw new Error(`metadata ${path}: unsupported version ${String(parsed?.version ?? 0)}`);
  }
  return { version: 1, base_url: String(parsed.base_url ?? ''), token: String(parsed.token ?? ''), pid: Number(parsed.pid ?? 0) };
}
