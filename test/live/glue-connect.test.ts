/**
 * The real Glue client, `glue connect` (../shared/go-daemon/bin/glue), driven against the real Go
 * daemon and against glue-mock-daemon side by side: every run kind a client meets (hello,
 * permission allow / deny / remember, two permissions, slow interrupted by SIGINT, fail,
 * fail-midstream, flood 2000, role, skill), every inspect mode, and metadata discovery. What the
 * user sees (stdout, stderr, exit code; ids, times, ports, temp paths normalised) must be the same.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { GLUE_CLIENT, GO_DAEMON, SKIP_LINE, normalize, startDaemon, stopAll, type LiveDaemon } from './live-daemons.js';
import { within } from '../reference-server/spawn-daemon.js';

const TOKEN = 'live-connect-token-41d9';
const present = GO_DAEMON !== undefined && GLUE_CLIENT !== undefined;
if (!present) console.log(SKIP_LINE.replace('live comparison with the Go daemon', 'glue connect against both daemons'));

afterAll(stopAll);

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Case {
  name: string;
  args: string[];
  /** Answers typed at the permission prompts. */
  stdin?: string;
  /** Send SIGINT once stdout contains this. */
  interruptAt?: string;
  /** Connect through the metadata file instead of --base-url/--token. */
  metadata?: boolean;
}

function runClient(daemon: LiveDaemon, c: Case): Promise<Outcome> {
  const target = c.metadata ? ['--metadata', daemon.metadataPath] : ['--base-url', daemon.baseUrl, '--token', TOKEN, '--metadata', ''];
  const child = spawn(GLUE_CLIENT!, ['connect', ...target, '--client-id', 'cli:live', ...c.args], {
    env: { PATH: process.env.PATH ?? '', HOME: daemon.dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (c.interruptAt && !interrupted && stdout.includes(c.interruptAt)) {
      interrupted = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // glue connect may exit before reading its stdin (a run that asks nothing): EPIPE is not a finding.
  child.stdin.on('error', () => undefined);
  child.stdin.end(c.stdin ?? '');
  return within(
    new Promise<Outcome>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr }))),
    `glue connect ${c.name} against the ${daemon.kind} daemon`,
    25_000,
  ).finally(() => child.kill('SIGKILL'));
}

const session = (name: string): string[] => ['--id', `live-${name}`];
const inspect = (flag: string, ...extra: string[]): Case[] => [
  { name: flag, args: [flag, ...extra] },
  { name: `${flag}-json`, args: [`${flag}-json`, ...extra] },
];

const runs: Case[] = [
  { name: 'hello', args: ['--prompt', 'hello', ...session('hello')] },
  { name: 'permission allow once', args: ['--prompt', 'permission', ...session('allow')], stdin: 'a\n' },
  { name: 'permission deny', args: ['--prompt', 'permission', ...session('deny')], stdin: 'd\n' },
  { name: 'permission remember for session', args: ['--prompt', 'permission', ...session('remember')], stdin: 's\n' },
  { name: 'two-permissions', args: ['--prompt', 'two-permissions', ...session('two')], stdin: 'a\nd\n' },
  { name: 'flood 2000', args: ['--prompt', 'flood 2000', ...session('flood')] },
  { name: 'role', args: ['--prompt', 'hello', '--role', 'reviewer', ...session('role')] },
  { name: 'skill', args: ['--skill', 'triage', '--arg', 'issue=42', ...session('skill')] },
  { name: 'metadata discovery', args: ['--prompt', 'hello', ...session('meta')], metadata: true },
];

/** Failures one after the other: their order in diagnostics' recent_errors must not be timing. */
const failures: Case[] = [
  { name: 'fail', args: ['--prompt', 'fail', ...session('fail')] },
  { name: 'fail-midstream', args: ['--prompt', 'fail-midstream', ...session('failmid')] },
];

/** Read-only views, run once every run above has ended (active_runs and recent_errors are then settled). */
const views: Case[] = [
  ...inspect('--inspect'),
  ...inspect('--status'),
  ...inspect('--tools'),
  ...inspect('--skills'),
  ...inspect('--roles'),
  ...inspect('--memories'),
  ...inspect('--mcp-resources'),
  ...inspect('--mcp-prompts'),
  ...inspect('--mcp-read', '--server', 'filesystem', '--uri', 'file:///workspace/README.md'),
  ...inspect('--mcp-prompt', '--server', 'linear', '--name', 'daily_brief'),
  ...inspect('--recall', 'terse'),
  ...inspect('--diagnose'),
  ...inspect('--forget-permission', 'grant_0000000000000000'),
  ...inspect('--permissions'),
];

/** Runs the cases a few at a time (the daemons serialise a session, the box has 2 cores). */
async function runAll(daemon: LiveDaemon, list: readonly Case[], concurrency = 4): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  const queue = [...list];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) out.set(c.name, await runClient(daemon, c));
    }),
  );
  return out;
}

describe.skipIf(!present)('glue connect against the Go daemon and the mock', () => {
  it('prints the same for every run kind, inspect mode and metadata discovery', async () => {
    // Runs go concurrently (distinct sessions), failures one by one, the read-only views last.
    const [go, mock] = await Promise.all([startDaemon('go', { token: TOKEN, store: true }), startDaemon('mock', { token: TOKEN, store: true })]);
    const [goRuns, mockRuns] = await Promise.all([runAll(go, runs), runAll(mock, runs)]);
    const [goFailures, mockFailures] = await Promise.all([runAll(go, failures, 1), runAll(mock, failures, 1)]);
    const [goViews, mockViews] = await Promise.all([runAll(go, views), runAll(mock, views)]);
    const goOut = new Map([...goRuns, ...goFailures, ...goViews]);
    const mockOut = new Map([...mockRuns, ...mockFailures, ...mockViews]);
    const differences: Record<string, { go: Outcome; mock: Outcome }> = {};
    for (const c of [...runs, ...failures, ...views]) {
      const a = goOut.get(c.name)!;
      const b = mockOut.get(c.name)!;
      const na = { code: a.code, stdout: normalize(a.stdout, go), stderr: normalize(a.stderr, go) };
      const nb = { code: b.code, stdout: normalize(b.stdout, mock), stderr: normalize(b.stderr, mock) };
      if (JSON.stringify(na) !== JSON.stringify(nb)) differences[c.name] = { go: na, mock: nb };
    }
    expect(differences).toEqual({});
    // Sanity: the runs really ran (a broken client or daemon cannot make both sides equally empty).
    expect(goOut.get('hello')).toMatchObject({ code: 0, stdout: expect.stringContaining('Hello, world') });
    expect(goOut.get('flood 2000')?.stdout).toContain('x'.repeat(2000));
    expect(goOut.get('permission remember for session')?.stdout).toContain('tool result: wrote 2 bytes');
    expect(goOut.get('--permissions')?.stdout).toContain('session');
  }, 90_000);

  it('stops a slow run on SIGINT the same way', async () => {
    const [go, mock] = await Promise.all([startDaemon('go', { token: TOKEN }), startDaemon('mock', { token: TOKEN })]);
    const slow: Case = { name: 'slow + SIGINT', args: ['--prompt', 'slow', ...session('slow')], interruptAt: 'chunk-03' };
    const [a, b] = await Promise.all([runClient(go, slow), runClient(mock, slow)]);
    expect(a.stdout.startsWith('chunk-01 chunk-02 chunk-03')).toBe(true);
    // How many chunks arrive before the cancel lands is timing; the rest is what the user sees.
    expect({ code: b.code, stderr: normalize(b.stderr, mock), start: b.stdout.slice(0, 27) }).toEqual({
      code: a.code,
      stderr: normalize(a.stderr, go),
      start: a.stdout.slice(0, 27),
    });
  }, 60_000);
});
