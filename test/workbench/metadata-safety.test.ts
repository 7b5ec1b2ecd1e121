/**
 * Metadata safety (issue 14 item 5): the default metadata file is not taken over from a running
 * daemon, a kernel-filesystem path is refused at once, and the file is removed on a clean exit
 * while it still names this process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive, metadataPathProblem, readMetadataOwner, removeIfOwned } from '../../reference-server/metadata-guard.js';
import { cleanupDaemons, spawnDaemon, tempDir, within } from '../reference-server/spawn-daemon.js';

const TOKEN = 'metadata-safety-token-91c2';
afterEach(cleanupDaemons);

function metadataFor(pid: number, baseUrl = 'http://127.0.0.1:7777'): string {
  return JSON.stringify({ version: 1, base_url: baseUrl, token: 'theirs', pid }, null, 2) + '\n';
}

/** A pid that has certainly exited: a child we waited for. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(child.stdout);
  expect(isProcessAlive(pid)).toBe(false);
  return pid;
}

function defaultFile(): { config: string; path: string } {
  const config = tempDir();
  mkdirSync(join(config, 'glue'), { recursive: true });
  return { config, path: join(config, 'glue', 'daemon.json') };
}

describe('the default metadata file of a running daemon', () => {
  it('is not overwritten: exit 2 with the fix, the file untouched', async () => {
    const { config, path } = defaultFile();
    // This test process is a live process other than the daemon.
    writeFileSync(path, metadataFor(process.pid));
    const daemon = spawnDaemon(['--token', TOKEN], { XDG_CONFIG_HOME: config });
    expect((await within(daemon.exit, 'exit')).code).toBe(2);
    expect(daemon.stderr()).toContain(`the metadata file ${path} belongs to a running daemon (pid ${process.pid}, http://127.0.0.1:7777)`);
    expect(daemon.stderr()).toMatch(/pass --metadata PATH to write another file/);
    expect(daemon.stderr().split('\n')[0]).toMatch(/^glue-mock-daemon: the metadata file/);
    expect(daemon.stdout()).toBe('');
    expect(readFileSync(path, 'utf8')).toBe(metadataFor(process.pid));
  });

  it('is overwritten when --metadata names it explicitly', async () => {
    const { config, path } = defaultFile();
    writeFileSync(path, metadataFor(process.pid));
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', path], { XDG_CONFIG_HOME: config });
    await daemon.lines(4);
    expect(readMetadataOwner(path)?.pid).toBe(daemon.child.pid);
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
  });

  it('of a process that has exited is replaced, and removed again on a clean exit', async () => {
    const { config, path } = defaultFile();
    writeFileSync(path, metadataFor(deadPid()));
    const daemon = spawnDaemon(['--token', TOKEN], { XDG_CONFIG_HOME: config });
    const lines = await daemon.lines(4);
    expect(lines[2]).toBe(`metadata: ${path}`);
    expect(readMetadataOwner(path)?.pid).toBe(daemon.child.pid);
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
    expect(existsSync(path)).toBe(false);
  });
});

describe('on a clean exit', () => {
  it('leaves the file alone once another daemon has taken it over', async () => {
    const path = join(tempDir(), 'daemon.json');
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', path]);
    await daemon.lines(4);
    writeFileSync(path, metadataFor(process.pid));
    daemon.child.kill('SIGINT');
    expect((await within(daemon.exit, 'exit after SIGINT')).code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(metadataFor(process.pid));
  });

  it('removeIfOwned needs both the pid and the base_url to match', () => {
    const path = join(tempDir(), 'daemon.json');
    writeFileSync(path, metadataFor(process.pid, 'http://127.0.0.1:1'));
    expect(removeIfOwned(path, 'http://127.0.0.1:2')).toBe(false);
    expect(removeIfOwned(path, 'http://127.0.0.1:1', process.pid + 1)).toBe(false);
    expect(existsSync(path)).toBe(true);
    expect(removeIfOwned(path, 'http://127.0.0.1:1')).toBe(true);
    expect(existsSync(path)).toBe(false);
  });
});

describe('paths that cannot hold a metadata file', () => {
  // /proc/x/… made node's recursive mkdir spin at 84 % CPU, deaf to SIGTERM.
  it.each(['/proc/x/daemon.json', '/proc/self/daemon.json', '/sys/daemon.json', '/dev/null'])('exits 2 at once on --metadata %s', async (path) => {
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', path]);
    expect((await within(daemon.exit, 'exit')).code).toBe(2);
    expect(daemon.stderr()).toMatch(/^glue-mock-daemon: invalid --metadata: .* is on the kernel filesystem \/(proc|sys|dev)/);
  });

  it('refuses a directory, a FIFO-like special file and a symlinked parent into /proc', () => {
    const dir = tempDir();
    expect(metadataPathProblem(dir)).toMatch(/is a directory/);
    const fifo = join(dir, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status === 0) expect(metadataPathProblem(fifo)).toMatch(/not a regular file/);
    const link = join(dir, 'link');
    if (spawnSync('ln', ['-s', '/proc/self', link]).status === 0) expect(metadataPathProblem(join(link, 'x', 'daemon.json'))).toMatch(/kernel filesystem \/proc/);
    expect(metadataPathProblem(join(dir, 'new', 'daemon.json'))).toBeUndefined();
  });

  it('reads no FIFO or oversized file as metadata', () => {
    const dir = tempDir();
    const fifo = join(dir, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status === 0) expect(readMetadataOwner(fifo)).toBeUndefined();
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ pid: process.pid, pad: 'x'.repeat(70_000) }));
    expect(readMetadataOwner(big)).toBeUndefined();
  });
});
