/**
 * The metadata file and the CLI argument helpers, without a process: Go's default path
 * (os.UserConfigDir), the file layout of capture 002, Go durations and listen addresses.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultMetadataPath, readMetadataFile, writeMetadataFile } from '../../reference-server/metadata-file.js';
import { isLoopbackHost, normalizeGoFlags, parseGoDuration, parseListenAddress, resolveToken } from '../../src/cli/args.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'glue-metadata-'));
  dirs.push(dir);
  return dir;
}

describe('defaultMetadataPath (Go os.UserConfigDir + glue/daemon.json)', () => {
  it.each([
    ['linux with XDG_CONFIG_HOME', 'linux', { XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' }, '/xdg/glue/daemon.json'],
    ['linux without XDG_CONFIG_HOME', 'linux', { HOME: '/home/u' }, '/home/u/.config/glue/daemon.json'],
    ['linux with a relative XDG_CONFIG_HOME', 'linux', { XDG_CONFIG_HOME: 'rel', HOME: '/home/u' }, join('.glue', 'daemon.json')],
    ['linux without HOME', 'linux', {}, join('.glue', 'daemon.json')],
    ['macOS', 'darwin', { HOME: '/Users/u', XDG_CONFIG_HOME: '/ignored' }, '/Users/u/Library/Application Support/glue/daemon.json'],
    ['Windows', 'win32', { AppData: 'C:\\Users\\u\\AppData\\Roaming' }, join('C:\\Users\\u\\AppData\\Roaming', 'glue', 'daemon.json')],
  ] as const)('%s', (_name, platform, env, want) => {
    expect(defaultMetadataPath({ platform, env })).toBe(want);
  });
});

describe('writeMetadataFile', () => {
  it('writes the capture 002 layout with mode 0600 in a new 0700 directory, atomically', async () => {
    const path = join(tempDir(), 'meta', 'daemon.json');
    await writeMetadataFile(path, { version: 1, base_url: 'http://127.0.0.1:47321', token: 'tok<&>', pid: 15884 });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "version": 1,\n  "base_url": "http://127.0.0.1:47321",\n  "token": "tok\\u003c\\u0026\\u003e",\n  "pid": 15884\n}\n');
    expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
    expect((statSync(join(path, '..')).mode & 0o777).toString(8)).toBe('700');
    expect(await readMetadataFile(path)).toEqual({ version: 1, base_url: 'http://127.0.0.1:47321', token: 'tok<&>', pid: 15884 });
  });

  it('replaces an existing file and tightens its mode', async () => {
    const path = join(tempDir(), 'daemon.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    writeFileSync(path + '.tmp', 'stale', { mode: 0o666 });
    await writeMetadataFile(path, { version: 1, base_url: 'http://127.0.0.1:1', token: 't', pid: 1 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, base_url: 'http://127.0.0.1:1', token: 't', pid: 1 });
    expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
  });

  it('refuses to read an unsupported version', async () => {
    const path = join(tempDir(), 'daemon.json');
    writeFileSync(path, '{"version":2}');
    await expect(readMetadataFile(path)).rejects.toThrow(/unsupported version 2/);
  });
});

describe('CLI argument helpers', () => {
  it.each([
    ['0', 0],
    ['2s', 2_000],
    ['500ms', 500],
    ['10m', 600_000],
    ['1h2m3.5s', 3_723_500],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['-1s', -1_000],
    ['1500us', 1.5],
  ] as const)('parses the Go duration %s', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '2', 's', '2x', '1s2', 'ten', '1 s'])('refuses the duration "%s"', (text) => {
    expect(() => parseGoDuration(text)).toThrow(/invalid duration/);
  });

  it('parses listen addresses and tells loopback apart', () => {
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:7777')).toEqual({ host: '::1', port: 7777 });
    expect(parseListenAddress(':8080')).toEqual({ host: '', port: 8080 });
    for (const bad of ['127.0.0.1', '127.0.0.1:70000', '::1:80', 'host:port']) expect(() => parseListenAddress(bad)).toThrow(/invalid --listen/);
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['', '0.0.0.0', '::', '10.0.0.1', 'example.com']) expect(isLoopbackHost(host)).toBe(false);
  });

  it('resolves the token as daemon.ResolveToken does', () => {
    expect(resolveToken('  flagtok ', { GLUE_DAEMON_TOKEN: 'envtok' })).toEqual({ token: 'flagtok', source: 'flag' });
    expect(resolveToken('  ', { GLUE_DAEMON_TOKEN: ' envtok ' })).toEqual({ token: 'envtok', source: 'GLUE_DAEMON_TOKEN' });
    const generated = resolveToken(undefined, {});
    expect(generated.source).toBe('generated');
    expect(generated.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rewrites Go single-dash long flags up to --', () => {
    const names = new Set(['listen', 'minimal']);
    expect(normalizeGoFlags(['-listen', 'x', '-minimal', '-h', '--', '-listen'], names)).toEqual(['--listen', 'x', '--minimal', '-h', '--', '-listen']);
    expect(normalizeGoFlags(['-listen=127.0.0.1:0'], names)).toEqual(['--listen=127.0.0.1:0']);
  });
});
