/**
 * Scenario authoring (issue 14 item 6): did-you-mean at every level of a scenario, load errors
 * exit 2 with one prefix and the schema path, and `--watch` reloads on change (an invalid edit
 * keeps the last good set and says why).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MockHostLoadError, loadMockHost } from '../../reference-server/mock-host/index.js';
import { closest } from '../../reference-server/mock-host/schema-check.js';
import { cleanupDaemons, spawnDaemon, tempDir, within, WAIT_MS, type SpawnedDaemon } from '../reference-server/spawn-daemon.js';

const TOKEN = 'authoring-token-5b1e';
afterEach(cleanupDaemons);

function loadError(yaml: string): MockHostLoadError {
  const dir = tempDir();
  writeFileSync(join(dir, 'x.yaml'), yaml);
  try {
    loadMockHost({ scenariosDir: dir });
  } catch (error) {
    if (error instanceof MockHostLoadError) return error;
    throw error;
  }
  throw new Error('expected a load error');
}

describe('did-you-mean', () => {
  it('counts a swap of two letters as one edit (mtach → match)', () => {
    expect(closest('mtach', ['name', 'match', 'turns'])).toBe('match');
    expect(closest('acton', ['action', 'target'])).toBe('action');
    expect(closest('zzzzz', ['match'])).toBeUndefined();
  });

  it('suggests the key at every level, including inside a oneOf branch, and drops the restating "missing key"', () => {
    const error = loadError(
      [
        'mtach: { text: hi }',
        'turns:',
        '  - txt: hello',
        '    usgae: { input_tokens: 1 }',
        '  - tool_calls:',
        '      - tol: write_note',
        '      - tool: write_note',
        '        permission: { acton: write }',
        '        on_deny: { reslut: { text: x } }',
        '        result: { txet: y }',
        '    text: done',
        '  - repaet: { count: 2, delta: x }',
        '',
      ].join('\n'),
    );
    expect(error.issues.map((issue) => `${issue.line}:${issue.column} ${issue.path} ${issue.message} — ${issue.hint}`)).toEqual([
      "1:1 /mtach unknown key 'mtach' — did you mean 'match'?",
      "3:5 /turns/0/txt unknown key 'txt' — did you mean 'text'?",
      "4:5 /turns/0/usgae unknown key 'usgae' — did you mean 'usage'?",
      "6:9 /turns/1/tool_calls/0/tol unknown key 'tol' — did you mean 'tool'?",
      "8:23 /turns/1/tool_calls/1/permission/acton unknown key 'acton' — did you mean 'action'?",
      "9:20 /turns/1/tool_calls/1/on_deny/reslut unknown key 'reslut' — did you mean 'result'?",
      "10:19 /turns/1/tool_calls/1/result/txet unknown key 'txet' — did you mean 'text'?",
      "12:5 /turns/2/repaet unknown key 'repaet' — did you mean 'repeat'?",
    ]);
  });

  it('still says which form a oneOf wants when no branch fits', () => {
    const error = loadError('match: { text: a }\nturns:\n  - tool_calls: [{ tool: write_note, permission: 5 }]\n  - text: x\n');
    expect(error.issues.map((issue) => `${issue.path} ${issue.message}`)).toEqual(['/turns/0/tool_calls/0/permission is not one of the allowed forms']);
  });
});

async function waitFor(read: () => string, pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match[0];
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got: ${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runText(baseUrl: string, text: string): Promise<string> {
  const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
  const start = await fetch(`${baseUrl}/v1/sessions/s/runs`, { method: 'POST', headers, body: JSON.stringify({ text }) });
  const { events_url } = (await start.json()) as { events_url: string };
  const stream = await (await fetch(baseUrl + events_url, { headers })).text();
  const done = stream.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)) as { type: string; payload: { text?: string } }).find((event) => event.type === 'run_done');
  return done?.payload.text ?? '(no run_done)';
}

function scenario(reply: string): string {
  return `name: ping\nmatch: { text: ping }\nturns:\n  - text: ${reply}\n`;
}

describe('glue-mock-daemon and scenario files', () => {
  it('exits 2 on a scenario that does not load, with one prefix and the schema path', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.yaml'), 'mtach: { text: a }\nturns: [{ text: b }]\n');
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', '', '--scenarios', dir]);
    expect((await within(daemon.exit, 'exit')).code).toBe(2);
    const [first, second] = daemon.stderr().split('\n');
    expect(first).toBe(
      'glue-mock-daemon: failed to load mock host fixtures: 1 problem. Fix the files below (schemas: fixtures/schema/scenario.schema.json and catalog.schema.json, guide: fixtures/README.md).',
    );
    expect(second).toBe(`  ${join(dir, 'x.yaml')}:1:1 /mtach: unknown key 'mtach' — did you mean 'match'?`);
    expect(daemon.stdout()).toBe('');
  });

  it('escapes control bytes of a bad key on the console', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.yaml'), 'match: { text: a }\nturns: [{ text: b }]\n"\\e[31mred": 1\n');
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', '', '--scenarios', dir]);
    expect((await within(daemon.exit, 'exit')).code).toBe(2);
    expect(daemon.stderr()).toContain("unknown key '\\x1b[31mred'");
    expect(daemon.stderr()).not.toContain('\u001b');
  });

  it('--watch needs a directory of your own', async () => {
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', '', '--watch']);
    expect((await within(daemon.exit, 'exit')).code).toBe(2);
    expect(daemon.stderr()).toMatch(/--watch reloads your own files: pass --scenarios DIR/);
  });

  it('--watch reloads a changed scenario, and an invalid edit keeps the last good set and says why', async () => {
    const dir = join(tempDir(), 'scenarios');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ping.yaml'), scenario('pong one'));
    const daemon: SpawnedDaemon = spawnDaemon(['--token', TOKEN, '--metadata', '', '--delay-scale', '0', '--scenarios', dir, '--watch']);
    const baseUrl = (await daemon.lines(3))[1]!.slice('base_url: '.length);
    expect(await runText(baseUrl, 'ping')).toBe('pong one');

    writeFileSync(join(dir, 'ping.yaml'), scenario('pong two'));
    await waitFor(daemon.stderr, /reloaded scenarios and catalogs from .*\n/, 'the reload line');
    expect(await runText(baseUrl, 'ping')).toBe('pong two');

    writeFileSync(join(dir, 'ping.yaml'), 'name: ping\nmtach: { text: ping }\nturns: [{ text: broken }]\n');
    const kept = await waitFor(daemon.stderr, /kept the last good scenarios and catalogs: failed to load mock host fixtures: 1 problem[^\n]*\n[^\n]*\n/, 'the kept line');
    expect(kept).toContain("/mtach: unknown key 'mtach' — did you mean 'match'?");
    expect(await runText(baseUrl, 'ping')).toBe('pong two');
    // The default scenarios are still there under the user's.
    expect(await runText(baseUrl, 'hello')).toBe('Hello, world');

    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
  });
});
