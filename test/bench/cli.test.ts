/**
 * `npm run bench` as a command: --help prints the flags (exit 0), an unknown flag is named with
 * the usage (exit 2, no stack trace), and a --node that does not run fails before any daemon starts.
 * Nothing is measured here.
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** A bench that hangs is killed (and fails its case) instead of outliving the test. */
const CHILD_BOUND_MS = 25_000;

function bench(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'run.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_BOUND_MS, killSignal: 'SIGKILL' });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', fail);
    // 'close', not 'exit': the pipes may still hold the last lines at 'exit'.
    child.on('close', (code) => done({ code, out, err }));
  });
}

describe('npm run bench, the command line', () => {
  it('prints its flags for --help and exits 0', async () => {
    const { code, out } = await bench(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: npm run bench -- \[flags\]/);
    for (const flag of ['--pairs', '--only', '--quick', '--daemon-root', '--node MAJOR|PATH', '--no-go', '--no-floor', '--profile']) expect(out).toContain(flag);
  });

  it('names an unknown flag, prints the usage and exits 2, without a stack trace', async () => {
    const { code, err } = await bench(['--paris', '3']);
    expect(code).toBe(2);
    expect(err).toContain("Unknown option '--paris'");
    expect(err).toContain('usage: npm run bench');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('refuses a --node that does not run, before starting any daemon', async () => {
    const { code, err } = await bench(['--node', join(root, 'no-such-node'), '--no-go', '--only', 'hello', '--from', 'tsx']);
    expect(code).toBe(1);
    expect(err).toMatch(/bench failed: --node .*no-such-node: .* does not run/);
    expect(err).not.toContain('glue-mock-daemon');
  }, 30_000);
});
