/**
 * glue-mock-daemon as a process: the flags of `glue serve`, the four startup lines of
 * daemon.ServeLocal (captures 001, 160), the metadata file (002, 159), and its refusals.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupDaemons, spawnDaemon, tempDir, within } from './spawn-daemon.js';

const TOKEN = 'cli-test-token-7f3a';

afterEach(cleanupDaemons);

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe('startup', () => {
  it('prints the ServeLocal lines, writes the metadata file 0600 in a 0700 dir, and never prints the token', async () => {
    const metadata = join(tempDir(), 'run', 'meta', 'daemon.json');
    const daemon = spawnDaemon(['--listen', '127.0.0.1:0', '--token', TOKEN, '--permission-timeout', '2s', '--metadata', metadata]);
    const lines = await daemon.lines(4);
    expect(lines[0]).toBe('glue daemon listening');
    expect(lines[1]).toMatch(/^base_url: http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[2]).toBe(`metadata: ${metadata}`);
    expect(lines[3]).toBe('token: written to metadata file (flag)');
    const baseUrl = lines[1]!.slice('base_url: '.length);

    const text = readFileSync(metadata, 'utf8');
    expect(text).toBe(`{\n  "version": 1,\n  "base_url": "${baseUrl}",\n  "token": "${TOKEN}",\n  "pid": ${daemon.child.pid}\n}\n`);
    expect(mode(metadata)).toBe('600');
    expect(mode(dirname(metadata))).toBe('700');

    const health = await fetch(baseUrl + '/v1/health');
    expect(await health.text()).toBe('{"ok":true,"version":1}\n');
    const diagnostics = await fetch(baseUrl + '/v1/diagnostics', { headers: { Authorization: `Bearer ${TOKEN}` } });
    const diagnosticsText = await diagnostics.text();
    expect(diagnosticsText).not.toContain(TOKEN);
    // The runtime block of the captured fake host (capture 019), with this process's values.
    expect((JSON.parse(diagnosticsText) as { runtime: Record<string, unknown> }).runtime).toMatchObject({
      listen_addr: '127.0.0.1:0',
      metadata_path: metadata,
      token_source: 'flag',
      provider: 'fake',
      model: 'fake-model',
      store_type: 'memory',
      coding_enabled: false,
    });

    daemon.child.kill('SIGTERM');
    expect(await within(daemon.exit, 'exit after SIGTERM')).toEqual({ code: 0, signal: null });
    // Go's ServeLocal leaves the file in place (capture 159); the mock removes the file it still owns.
    expect(existsSync(metadata)).toBe(false);
    expect(daemon.stdout() + daemon.stderr()).not.toContain(TOKEN);
  });

  it('says where the token came from when the metadata file is disabled', async () => {
    const daemon = spawnDaemon(['--metadata', ''], { GLUE_DAEMON_TOKEN: TOKEN });
    const lines = await daemon.lines(3);
    expect(lines[0]).toBe('glue daemon listening');
    expect(lines[2]).toBe('token: configured (GLUE_DAEMON_TOKEN); metadata file disabled');
    const status = await fetch(lines[1]!.slice('base_url: '.length) + '/v1/status', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(status.status).toBe(200);
    daemon.child.kill('SIGINT');
    expect((await within(daemon.exit, 'exit after SIGINT')).code).toBe(0);
    expect(daemon.stdout() + daemon.stderr()).not.toContain(TOKEN);
  });

  it('defaults to a generated 256-bit token in <user config dir>/glue/daemon.json, and serves the minimal host', async () => {
    const config = tempDir();
    const daemon = spawnDaemon(['--minimal', '--startup-name', 'glue refd', '--name', 'glue-refd'], { XDG_CONFIG_HOME: config });
    const lines = await daemon.lines(4);
    const path = join(config, 'glue', 'daemon.json');
    expect(lines).toEqual(['glue refd listening', expect.stringMatching(/^base_url: /), `metadata: ${path}`, 'token: written to metadata file (generated)']);
    const metadata = JSON.parse(readFileSync(path, 'utf8')) as { token: string; base_url: string };
    expect(metadata.token).toMatch(/^[0-9a-f]{64}$/);
    expect(daemon.stdout()).not.toContain(metadata.token);
    const status = await fetch(metadata.base_url + '/v1/status', { headers: { Authorization: `Bearer ${metadata.token}` } });
    expect(((await status.json()) as { tools_count: number }).tools_count).toBe(0);
    const diagnostics = await fetch(metadata.base_url + '/v1/diagnostics', { headers: { Authorization: `Bearer ${metadata.token}` } });
    expect(((await diagnostics.json()) as { runtime: { name: string } }).runtime.name).toBe('glue-refd');
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
  });
});

describe('refusals and usage', () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['a non-loopback --listen', ['--listen', '0.0.0.0:0', '--token', TOKEN], {}, /refusing to listen on non-loopback address "0\.0\.0\.0:0"/],
    ['--allow-remote without an explicit token', ['--listen', '0.0.0.0:0', '--allow-remote'], {}, /--allow-remote requires an explicit --token or GLUE_DAEMON_TOKEN/],
    ['a disabled metadata file with a generated token', ['--metadata', ''], {}, /metadata disabled requires --token or GLUE_DAEMON_TOKEN/],
    ['an unknown flag', ['--bogus'], {}, /Unknown option '--bogus'/],
    ['a bad duration', ['--permission-timeout', 'ten'], {}, /invalid duration "ten"/],
    ['a bad listen address', ['--listen', 'localhost'], {}, /invalid --listen address "localhost"/],
    ['a positional argument', ['extra'], {}, /Unexpected argument 'extra'/],
    ['an unknown fault', ['--fault', 'no-such-fault', '--token', TOKEN], {}, /unknown fault "no-such-fault"/],
    ['a negative --delay-scale', ['--delay-scale=-1', '--token', TOKEN], {}, /invalid value "-1" for --delay-scale/],
    ['a non-numeric --delay-scale', ['--delay-scale', 'fast', '--token', TOKEN], {}, /invalid value "fast" for --delay-scale/],
  ];
  it.each(cases)('exits 2 on %s', async (_name, args, env, message) => {
    const daemon = spawnDaemon(args, env);
    const { code } = await within(daemon.exit, 'exit');
    expect(code).toBe(2);
    expect(daemon.stderr()).toMatch(message);
    expect(daemon.stdout()).toBe('');
  });

  it('exits 1 when the address is taken', async () => {
    const first = spawnDaemon(['--token', TOKEN, '--metadata', '']);
    const port = new URL((await first.lines(3))[1]!.slice('base_url: '.length)).port;
    const second = spawnDaemon(['--listen', `127.0.0.1:${port}`, '--token', TOKEN, '--metadata', '']);
    expect((await within(second.exit, 'exit')).code).toBe(1);
    // glue serve's line, exactly: Go's net.OpError text and nothing else.
    expect(second.stderr()).toBe(`listen tcp 127.0.0.1:${port}: bind: address already in use\n`);
    first.child.kill('SIGTERM');
    expect((await within(first.exit, 'exit after SIGTERM')).code).toBe(0);
  });

  it('accepts Go-style single-dash flags', async () => {
    const daemon = spawnDaemon(['-listen', '127.0.0.1:0', '-token', TOKEN, '-metadata', '']);
    expect((await daemon.lines(3))[2]).toBe('token: configured (flag); metadata file disabled');
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
  });

  it('prints help and version and exits 0', async () => {
    const help = spawnDaemon(['--help']);
    expect((await within(help.exit, 'exit')).code).toBe(0);
    expect(help.stdout()).toMatch(/^Usage: glue-mock-daemon/);
    const version = spawnDaemon(['--version']);
    expect((await within(version.exit, 'exit')).code).toBe(0);
    expect(version.stdout()).toMatch(/^glue-mock-daemon \d+\.\d+\.\d+/);
  });

  it('--sessions serves the session lookup: a hello run is stored with its user text and reply', async () => {
    const daemon = spawnDaemon(['--sessions', '--token', TOKEN, '--metadata', '']);
    const baseUrl = (await daemon.lines(3))[1]!.slice('base_url: '.length);
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const status = (await (await fetch(baseUrl + '/v1/status', { headers: auth })).json()) as { capabilities: string[] };
    expect(status.capabilities).toContain('sessions');
    const started = await fetch(baseUrl + '/v1/sessions/cli%3A1/runs', { method: 'POST', headers: auth, body: JSON.stringify({ text: 'hello' }) });
    const { events_url: eventsUrl } = (await started.json()) as { events_url: string };
    expect(await (await fetch(baseUrl + eventsUrl, { headers: auth })).text()).toContain('event: run_done');
    const transcript = (await (await fetch(baseUrl + '/v1/sessions/cli%3A1/messages', { headers: auth })).json()) as {
      session_id: string;
      messages: { role: string; content: { text: string }[] }[];
    };
    expect(transcript.session_id).toBe('cli:1');
    expect(transcript.messages.map((m) => [m.role, m.content[0]?.text])).toEqual([
      ['user', 'hello'],
      ['assistant', 'Hello, world'],
    ]);
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
  });

  it('without --sessions the lookup stays Go\'s 404', async () => {
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', '']);
    const baseUrl = (await daemon.lines(3))[1]!.slice('base_url: '.length);
    expect((await fetch(baseUrl + '/v1/sessions', { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
  });

  it('--delay-scale 0 takes the waiting out of scenarios (an hour-long delay ends at once)', async () => {
    const scenarios = join(tempDir(), 'scenarios');
    mkdirSync(scenarios);
    writeFileSync(join(scenarios, 'hour.yaml'), 'description: Waits an hour before answering.\nmatch:\n  text: hour\nturns:\n  - text: done\n    start_delay_ms: 3600000\n');
    const daemon = spawnDaemon(['--delay-scale', '0', '--scenarios', scenarios, '--token', TOKEN, '--metadata', '']);
    const baseUrl = (await daemon.lines(3))[1]!.slice('base_url: '.length);
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const started = await fetch(baseUrl + '/v1/sessions/s/runs', { method: 'POST', headers: auth, body: JSON.stringify({ text: 'hour' }) });
    const { events_url: eventsUrl } = (await started.json()) as { events_url: string };
    // Bounded by `within`: unscaled, this stream would stay open for an hour.
    const stream = await within(fetch(baseUrl + eventsUrl, { headers: auth }).then((r) => r.text()), 'the scaled run');
    expect(stream).toContain('"text":"done"');
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
  });

  it('starts with a fault switched on', async () => {
    const daemon = spawnDaemon(['--fault', 'status-wrong-version', '--token', TOKEN, '--metadata', '']);
    const baseUrl = (await daemon.lines(3))[1]!.slice('base_url: '.length);
    const status = await fetch(baseUrl + '/v1/status', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(((await status.json()) as { version: number }).version).not.toBe(1);
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
  });
});
