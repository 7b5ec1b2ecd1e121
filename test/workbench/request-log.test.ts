/**
 * `--log-requests` / `--log-format json` and `--inspect-requests` (issue 14 item 2): one line per
 * request with status and duration, event streams summarised, the token never shown;
 * `GET /__glue/requests` returns what was received, `DELETE` clears it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceServer, createSequentialIds } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { applyWorkbench, type ReceivedRequest } from '../../reference-server/workbench/index.js';
import { base, token } from '../reference-server/helpers.js';
import { cleanupDaemons, spawnDaemon, within, WAIT_MS } from '../reference-server/spawn-daemon.js';

const TOKEN = 'request-log-token-c4d9';
afterEach(cleanupDaemons);

async function waitFor(read: () => string, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got: ${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const auth = { Authorization: `Bearer ${TOKEN}` };

async function helloRun(baseUrl: string, query = ''): Promise<void> {
  const start = await fetch(`${baseUrl}/v1/sessions/s/runs${query}`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json', 'X-Glue-Client-ID': 'cli:a' },
    body: JSON.stringify({ text: 'hello', client_id: 'cli:a' }),
  });
  const { events_url } = (await start.json()) as { events_url: string };
  await (await fetch(baseUrl + events_url, { headers: auth })).text();
}

describe('glue-mock-daemon --log-requests --inspect-requests', () => {
  it('logs one pretty line per request, summarises the stream, and lists what was received without the token', async () => {
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', '', '--delay-scale', '0', '--log-requests', '--inspect-requests']);
    const baseUrl = (await daemon.lines(3))[1]!.slice('base_url: '.length);
    await helloRun(baseUrl, `?leak=${TOKEN}`);
    await waitFor(daemon.stderr, /events 200 SSE/, 'the stream line');
    const lines = daemon.stderr().trim().split('\n');
    expect(lines[0]).toMatch(/^glue-mock-daemon: \d\d:\d\d:\d\d\.\d{3} POST \/v1\/sessions\/s\/runs\?leak=\[redacted\] 201 [\d.]+ ms client=cli:a$/);
    expect(lines[1]).toMatch(/^glue-mock-daemon: \d\d:\d\d:\d\d\.\d{3} GET \/v1\/runs\/run_\w+\/events 200 SSE 10 events \(text_delta×2\), last run_done, [\d.]+ KB, [\d.]+ ms$/);

    const listed = (await (await fetch(`${baseUrl}/__glue/requests`, { headers: auth })).json()) as { requests: ReceivedRequest[]; dropped: number };
    expect(listed.requests.map((r) => [r.seq, r.method, r.path, r.status])).toEqual([
      [1, 'POST', '/v1/sessions/s/runs', 201],
      [2, 'GET', expect.stringMatching(/^\/v1\/runs\/run_\w+\/events$/), 200],
    ]);
    expect(listed.requests[0]).toMatchObject({ query: '?leak=[redacted]', body: '{"text":"hello","client_id":"cli:a"}', headers: { authorization: '[redacted]', 'x-glue-client-id': 'cli:a' } });
    expect(listed.requests[1]?.sse).toMatchObject({ events: 10, last: 'run_done', ended: 'end', types: { run_start: 1, text_delta: 2, run_done: 1 } });
    expect(JSON.stringify(listed)).not.toContain(TOKEN);

    expect((await fetch(`${baseUrl}/__glue/requests`)).status).toBe(401);
    expect(await (await fetch(`${baseUrl}/__glue/requests`, { method: 'DELETE', headers: auth })).json()).toEqual({ cleared: 2 });
    expect(((await (await fetch(`${baseUrl}/__glue/requests`, { headers: auth })).json()) as { requests: unknown[] }).requests).toEqual([]);
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
    expect(daemon.stdout() + daemon.stderr()).not.toContain(TOKEN);
  });

  it('--log-format json writes one parseable object per request, strict refusals included', async () => {
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', '', '--log-requests', '--log-format', 'json', '--strict']);
    const baseUrl = (await daemon.lines(3))[1]!.slice('base_url: '.length);
    await fetch(`${baseUrl}/v1/status`, { headers: auth });
    await fetch(`${baseUrl}/v1/memories?limit=x`, { headers: auth });
    await waitFor(daemon.stderr, /"kind":"request".*memories.*\n/, 'the second request line');
    const records = daemon.stderr().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => [r.kind, r.method, r.path, r.status])).toEqual([
      ['request', 'GET', '/v1/status', 200],
      ['strict', 'GET', '/v1/memories', 400],
      ['request', 'GET', '/v1/memories', 400],
    ]);
    expect(records[1]?.violations).toEqual([{ pointer: '/query/limit', message: 'must be integer (got "x")' }]);
    expect(typeof records[0]?.duration_ms).toBe('number');
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
  });

  it('without the flags: no lines, and /__glue/requests is Go\'s 404', async () => {
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', '']);
    const baseUrl = (await daemon.lines(3))[1]!.slice('base_url: '.length);
    const answer = await fetch(`${baseUrl}/__glue/requests`, { headers: auth });
    expect([answer.status, await answer.text()]).toEqual([404, '{"error":{"code":"not_found","message":"route not found","retryable":false}}\n']);
    daemon.child.kill('SIGTERM');
    expect((await within(daemon.exit, 'exit after SIGTERM')).code).toBe(0);
    expect(daemon.stderr()).toBe('');
  });

  it.each([
    [['--inspect-requests', '--listen', '0.0.0.0:0', '--allow-remote'], /--inspect-requests serves loopback listen addresses only/],
    [['--log-format', 'xml'], /invalid value "xml" for --log-format: want pretty or json/],
  ])('refuses %j with exit 2', async (args, message) => {
    const daemon = spawnDaemon(['--token', TOKEN, '--metadata', '', ...args]);
    expect((await within(daemon.exit, 'exit')).code).toBe(2);
    expect(daemon.stderr()).toMatch(message);
  });
});

describe('the stream summary', () => {
  it('says when the client closed the stream, and the logged stream is byte-identical', async () => {
    const lines: string[] = [];
    const make = () => createReferenceServer({ token, host: loadMockHost({ delayScale: 0 }), ids: createSequentialIds(), clock: () => new Date('2026-11-24T16:50:26.5Z') });
    const plain = make();
    const logged = applyWorkbench(make(), { token, logRequests: true, log: (line) => lines.push(line) });
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const texts: string[] = [];
    for (const server of [plain, logged]) {
      const started = (await (await server.handle(new Request(`${base}/v1/sessions/s/runs`, { method: 'POST', headers, body: '{"text":"hello"}' }))).json()) as { events_url: string };
      texts.push(await (await server.handle(new Request(base + started.events_url, { headers }))).text());
    }
    expect(texts[1]).toBe(texts[0]);

    const slow = (await (await logged.handle(new Request(`${base}/v1/sessions/t/runs`, { method: 'POST', headers, body: '{"text":"permission"}' }))).json()) as { events_url: string };
    const stream = await logged.handle(new Request(base + slow.events_url, { headers }));
    const reader = stream.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(lines.at(-1)).toMatch(/ GET \/v1\/runs\/run_\w+\/events 200 SSE 1 event, last run_start, \d+ B, closed by the client, [\d.]+ ms$/);
    await logged.close();
    await plain.close();
  });
});
