/**
 * Pre-flight of glue-conformance: what happens before the first check. `--wait` readiness
 * polling, a base URL that already contains /v1, did-you-mean for flags, durations that name
 * their flag, and `--list` honouring the selection flags. Runs `main()` in process.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode } from '../../reference-server/serve-node.js';
import { allChecks } from '../../conformance/checks/index.js';
import { didYouMean } from '../../src/cli/args.js';
import { useColor } from '../../src/cli/glue-conformance.js';
import { waitForHealth } from '../../src/cli/wait-for-health.js';
import { runMain as run } from '../support/run-main.js';
import { startDaemon, type TestDaemon } from './support.js';

/** A port nothing listens on (bound, read, released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('waitForHealth', () => {
  // A fake clock and sleep: attempts are counted, not timed.
  const clock = () => {
    let t = 0;
    return { now: () => t, sleep: async (ms: number) => void (t += ms) };
  };

  it('retries refused connections until health answers 200', async () => {
    let calls = 0;
    const fetch = (async () => {
      calls += 1;
      if (calls < 4) throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
      return new Response('{"ok":true,"version":1}', { status: 200 });
    }) as typeof globalThis.fetch;
    const outcome = await waitForHealth({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 10_000, fetch, ...clock() });
    expect(outcome).toEqual({ ready: true, attempts: 4 });
  });

  it('gives up when the budget is spent, naming the last problem', async () => {
    const fetch = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    }) as typeof globalThis.fetch;
    const outcome = await waitForHealth({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 1_000, intervalMs: 250, fetch, ...clock() });
    expect(outcome.ready).toBe(false);
    expect(outcome.attempts).toBe(4);
    if (!outcome.ready) expect(outcome.last).toContain('ECONNREFUSED');
  });

  it('stops at once on a 404 (waiting will not fix a wrong base URL)', async () => {
    const fetch = (async () => new Response('404 page not found', { status: 404 })) as typeof globalThis.fetch;
    const outcome = await waitForHealth({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 60_000, fetch, ...clock() });
    expect(outcome).toEqual({ ready: false, attempts: 1, last: 'GET /v1/health answered 404' });
  });
});

describe('glue-conformance pre-flight', () => {
  let daemon: TestDaemon;
  beforeAll(async () => {
    daemon = await startDaemon();
  });
  afterAll(() => daemon.close());

  it('--wait polls until a daemon that binds late is up, then runs the suite', async () => {
    const port = await freePort();
    const token = 'wait-test-token-0123456789';
    const pending = run(['--url', `http://127.0.0.1:${port}`, '--token', token, '--wait', '60s', '--only', 'HEALTH', '--quiet']);
    // The CLI is already polling a closed port; bind the daemon now.
    const server = createReferenceServer({ token, host: loadMockHost() });
    const node = await serveNode(server, { host: '127.0.0.1', port, closeGraceMs: 200 });
    try {
      const out = await pending;
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      expect(out.stdout.trimEnd().split('\n').at(-1)).toBe('2 passed, 0 failed, 0 skipped');
    } finally {
      await server.close();
      await node.close();
    }
  });

  it('--wait exits 2 with the reason when the daemon never comes up', async () => {
    const port = await freePort();
    const out = await run(['--url', `http://127.0.0.1:${port}`, '--token', 'x', '--wait', '600ms']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/was not ready within --wait 600 ms \(\d+ attempts; last: .*\)/);
  });

  it('a base URL containing /v1 exits 2 with the fixed URL, before any request', async () => {
    const out = await run(['--url', `${daemon.url}/v1`, '--token', daemon.token]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`contains /v1, but the suite adds /v1/... itself; pass the daemon's base URL: --url ${daemon.url}`);
    expect(out.stdout).toBe('');
  });

  it('a base URL with another prefix whose health is not 200 exits 2 with a hint instead of 95 failures', async () => {
    const out = await run(['--url', `${daemon.url}/api`, '--token', daemon.token]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`GET ${daemon.url}/api/v1/health answered 401: the base URL's path /api looks wrong; pass the daemon's root, e.g. ${daemon.url}`);
  });

  it('an unknown flag gets the nearest known one', async () => {
    const out = await run(['--reporer', 'json']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('unknown flag --reporer (did you mean --reporter?)');
    expect((await run(['--permision-timeout', '2s'])).stderr).toContain('(did you mean --permission-timeout?)');
    expect((await run(['--zzzzzz'])).stderr).toContain('unknown flag --zzzzzz\n');
    expect(didYouMean('exepcted-failures', ['expected-failures', 'embedded'])).toBe('expected-failures');
  });

  it('--timeout 30 names the flag and the expected form', async () => {
    const out = await run(['--embedded', '--timeout', '30']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--timeout "30" is not a duration: give a number with a unit, Go syntax such as 30s, 500ms, 2m (did you mean 30s?)');
    expect((await run(['--embedded', '--permission-timeout', '0'])).stderr).toContain('--permission-timeout must be a positive duration');
  });

  it('--list honours --profile, --level, --only and --reporter json', async () => {
    const all = await run(['--list']);
    expect(all.stdout).toContain(`${allChecks.length} checks`);
    const anyMust = await run(['--list', '--profile', 'any', '--level', 'must']);
    const expected = allChecks.filter((c) => c.profile === 'any' && c.level === 'MUST');
    expect(anyMust.stdout.trimEnd().split('\n').at(-1)).toBe(`${expected.length} checks`);
    expect(anyMust.stdout).not.toMatch(/ SHOULD | scripted /);
    const json = await run(['--list', '--only', 'PERM,HEALTH-001', '--reporter', 'json']);
    expect(json.code).toBe(0);
    const entries = JSON.parse(json.stdout) as { id: string; level: string; profile: string; rule: string; reference: string }[];
    expect(entries.map((e) => e.id)).toEqual(allChecks.filter((c) => c.id === 'HEALTH-001' || c.area === 'PERM').map((c) => c.id));
    expect(entries[0]).toMatchObject({ id: 'HEALTH-001', level: 'MUST', profile: 'any' });
    expect(entries.every((e) => e.rule !== '' && e.reference !== '')).toBe(true);
  });

  it('draws a live N/total progress line on a TTY, cleared before each result line', async () => {
    const out = await run(['--url', daemon.url, '--token', daemon.token, '--only', 'HEALTH,STATUS-001'], { NO_COLOR: '1' }, true);
    expect(out.code).toBe(0);
    for (const n of [0, 1, 2, 3]) expect(out.stdout).toContain(`\r\u001b[K${n}/3 checks done`);
    // Each result line starts on a cleared line, never glued to the progress text.
    expect(out.stdout).toMatch(/\r\u001b\[K✓ HEALTH-001/);
    const plain = await run(['--url', daemon.url, '--token', daemon.token, '--only', 'HEALTH']);
    expect(plain.stdout).not.toContain('checks done');
  });

  it('honours FORCE_COLOR without a TTY and NO_COLOR on one', async () => {
    const forced = await run(['--url', daemon.url, '--token', daemon.token, '--only', 'HEALTH-001'], { NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\u001b[32m✓\u001b[0m HEALTH-001');
    const none = await run(['--url', daemon.url, '--token', daemon.token, '--only', 'HEALTH-001'], { NO_COLOR: '1' }, true);
    expect(none.stdout).not.toContain('\u001b[32m');
    expect(useColor({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(useColor({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
    expect(useColor({}, true)).toBe(true);
    expect(useColor({}, false)).toBe(false);
  });

  it('--reporter html=PATH and markdown=PATH write their files; without a path the report goes to stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glue-cli-reports-'));
    const html = join(dir, 'r.html');
    const md = join(dir, 'r.md');
    const out = await run(['--url', daemon.url, '--token', daemon.token, '--only', 'HEALTH', `--reporter=html=${html}`, '--reporter', 'markdown', '--out', md, '--quiet']);
    expect(out.code).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>[\s\S]*id="check-HEALTH-002"/);
    expect(readFileSync(md, 'utf8')).toMatch(/^## glue-conformance: ✅ every MUST check passed/);
    const piped = await run(['--url', daemon.url, '--token', daemon.token, '--only', 'HEALTH', '--reporter', 'markdown']);
    expect(piped.stdout).toMatch(/^## glue-conformance/);
    expect(piped.stderr).toContain('2 passed, 0 failed, 0 skipped');
    for (const text of [readFileSync(html, 'utf8'), readFileSync(md, 'utf8'), piped.stdout]) expect(text).not.toContain(daemon.token);
  });
});
