/**
 * Live parity with the real Go daemon: the same requests, byte for byte, sent to glue-refd
 * (../shared/go-daemon) and to glue-mock-daemon started with the same flags, and the answers
 * compared: status, the headers a client sees (names in order, Content-Type, Connection), bodies
 * and SSE streams (ids, times, ports and temp paths normalised), whether the server closed.
 * 1. the capture-driven exchanges (fixtures/captures, full and minimal host) in capture order, runs
 *    and permission ids mapped per daemon; the slow/disconnect block (122–154) and the permission
 *    timeout (106–108) are left to the suite's live run and the in-process parity test (timing);
 * 2. the fidelity cases: dot segments, %2e, %zz in path and query, BOM, HEAD, DELETE of a finished
 *    run, an idle keep-alive connection reused after 7 s;
 * 3. the shutdown sequence (SIGTERM with a slow run streaming, an idle connection, a new connection).
 */
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { findHeader, isHttpCapture, loadCaptures, type HttpCapture } from '../support/captures.js';
import { GO_DAEMON, SKIP_LINE, normalize, rawExchange, startDaemon, stopAll, type LiveDaemon, type RawResponse } from './live-daemons.js';
import { within } from '../reference-server/spawn-daemon.js';

const TOKEN = 'live-parity-token-8c1f';
if (!GO_DAEMON) console.log(SKIP_LINE);

afterAll(stopAll);

/** What a client can tell apart in one answer. */
function visible(daemon: LiveDaemon, response: RawResponse): Record<string, unknown> {
  const names = response.headers.map((h) => h.slice(0, h.indexOf(':')));
  const value = (name: string): string | undefined =>
    response.headers.find((h) => h.toLowerCase().startsWith(name.toLowerCase() + ':'))?.slice(name.length + 1).trim();
  const sse = value('Content-Type') === 'text/event-stream';
  return {
    status: response.status,
    headerNames: names.join(','),
    contentType: value('Content-Type'),
    connection: value('Connection'),
    cacheControl: value('Cache-Control'),
    // An SSE body is compared event by event; JSON and text bodies as a whole.
    body: sse ? sseEvents(normalize(response.body, daemon)) : normalize(response.body, daemon),
    closed: response.closed,
  };
}

function sseEvents(text: string): string[] {
  return text.split('\n\n').filter((block) => block.trim() !== '');
}

function requestBytes(method: string, target: string, headers: [string, string][], body?: string): string {
  let head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return head + 'Connection: close\r\n\r\n' + (body ?? '');
}

/** One daemon's side of a capture replay: captured ids → its own. */
class Side {
  readonly runs = new Map<string, string>();
  readonly perms = new Map<string, string>();
  readonly streams: Promise<RawResponse>[] = [];
  /** Live text of the open streams by captured run id, to learn permission ids as they arrive. */
  readonly live = new Map<string, string>();
  constructor(readonly daemon: LiveDaemon) {}

  map(text: string): string {
    return text.replace(/run_[0-9a-f]{32}/g, (id) => this.runs.get(id) ?? id).replace(/perm_[0-9a-f]{32}/g, (id) => this.perms.get(id) ?? id);
  }
}

/** Captured permission ids of each captured run, in order. */
function capturedPermissions(captures: readonly HttpCapture[]): Map<string, string[]> {
  const byRun = new Map<string, string[]>();
  for (const capture of captures) {
    if (!capture.response.sse) continue;
    const runId = /run_[0-9a-f]{32}/.exec(capture.request.target)?.[0];
    if (!runId) continue;
    const ids = [...capture.response.sse.text.matchAll(/"permission_id":"(perm_[0-9a-f]{32})"/g)].map((m) => m[1]!);
    if (ids.length > (byRun.get(runId)?.length ?? 0)) byRun.set(runId, ids);
  }
  return byRun;
}

async function waitFor(what: string, ready: () => boolean): Promise<void> {
  await within(
    (async () => {
      while (!ready()) await new Promise((resolve) => setTimeout(resolve, 10));
    })(),
    what,
  );
}

/** Replays `captures` against both daemons; returns the per-capture answers that differ. */
async function replay(go: LiveDaemon, mock: LiveDaemon, captures: readonly HttpCapture[]): Promise<Record<number, string>> {
  const sides = [new Side(go), new Side(mock)];
  const permsOf = capturedPermissions(captures);
  const differences: Record<number, string> = {};
  const streamChecks: Array<{ number: number; answers: Promise<RawResponse>[] }> = [];

  for (const capture of captures) {
    const { request } = capture;
    const headers: [string, string][] = request.headers.map((h) => [h.name, h.value.split('$TOKEN').join(TOKEN)]);
    if (request.body !== undefined && findHeader(request.headers, 'content-type') === undefined) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    const capturedRun = /run_[0-9a-f]{32}/.exec(request.target)?.[0];
    const capturedPerm = /perm_[0-9a-f]{32}/.exec(request.target)?.[0];
    if (capturedPerm) {
      // A decision names a permission its run's stream has not necessarily shown yet: wait for it.
      for (const side of sides) {
        await waitFor(`permission ${capturedPerm} on ${side.daemon.kind}`, () => {
          const live = [...(side.live.get(capturedRun ?? '') ?? '').matchAll(/"permission_id":"(perm_[0-9a-f]{32})"/g)].map((m) => m[1]!);
          (permsOf.get(capturedRun ?? '') ?? []).forEach((id, i) => live[i] && side.perms.set(id, live[i]!));
          return side.perms.has(capturedPerm);
        });
      }
    }
    const sends = sides.map((side) =>
      rawExchange(side.daemon.port, requestBytes(request.method, side.map(request.target), headers, request.body === undefined ? undefined : side.map(request.body)), {
        head: request.method === 'HEAD',
        timeoutMs: 20_000,
        ...(capture.response.sse && capturedRun ? { onData: (text: string) => side.live.set(capturedRun, text) } : {}),
      }),
    );
    if (capture.response.sse) {
      streamChecks.push({ number: capture.number, answers: sends });
      continue;
    }
    const answers = await Promise.all(sends);
    if (capture.response.status === 201) {
      const captured = /run_[0-9a-f]{32}/.exec(capture.response.bodyText)?.[0];
      sides.forEach((side, i) => {
        const ours = /run_[0-9a-f]{32}/.exec(answers[i]!.body)?.[0];
        if (captured && ours) side.runs.set(captured, ours);
      });
    }
    const [a, b] = answers.map((answer, i) => visible(sides[i]!.daemon, answer));
    const diff = difference(a!, b!);
    if (diff) differences[capture.number] = diff;
  }
  for (const { number, answers } of streamChecks) {
    const [a, b] = (await Promise.all(answers)).map((answer, i) => visible(sides[i]!.daemon, answer));
    const diff = difference(a!, b!);
    if (diff) differences[number] = diff;
  }
  return differences;
}

/** The first place two visible answers differ, short enough to read in a failure message. */
function difference(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(a)) {
    const x = a[key];
    const y = b[key];
    if (Array.isArray(x) && Array.isArray(y)) {
      const i = x.findIndex((item, n) => item !== y[n]);
      const at = i >= 0 ? i : x.length === y.length ? -1 : Math.min(x.length, y.length);
      if (at >= 0) return `${key}[${at}] (of ${x.length} / ${y.length}): go ${JSON.stringify(x[at])?.slice(0, 400)} mock ${JSON.stringify(y[at])?.slice(0, 400)}`;
      continue;
    }
    if (JSON.stringify(x) !== JSON.stringify(y)) return `${key}: go ${JSON.stringify(x)?.slice(0, 400)} mock ${JSON.stringify(y)?.slice(0, 400)}`;
  }
  return undefined;
}

/** Sends the same raw bytes to both; returns both visible answers. */
async function both(go: LiveDaemon, mock: LiveDaemon, bytes: string | Buffer): Promise<[Record<string, unknown>, Record<string, unknown>]> {
  const head = bytes.toString().startsWith('HEAD ');
  const [a, b] = await Promise.all([rawExchange(go.port, bytes, { head }), rawExchange(mock.port, bytes, { head })]);
  return [visible(go, a), visible(mock, b)];
}

/** A kept-alive connection: one request now, one later; resolves the later answer's status (0 when the connection was gone). */
function keptAlive(port: number): { first: Promise<void>; again: () => Promise<number> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  let closed = false;
  socket.on('data', (chunk) => (text += chunk.toString('latin1')));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  const health = 'GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  socket.write(health);
  const answers = (): number => (text.match(/HTTP\/1\.1 200/g) ?? []).length;
  return {
    first: waitFor('the first keep-alive answer', () => answers() >= 1),
    again: async () => {
      if (closed) return 0;
      socket.write(health);
      await waitFor('the second keep-alive answer', () => answers() >= 2 || closed);
      socket.destroy();
      return answers() >= 2 ? 200 : 0;
    },
  };
}

const captures = loadCaptures().filter(isHttpCapture);
const inRange = (lo: number, hi: number) => (c: HttpCapture) => c.number >= lo && c.number <= hi;
const fullCaptures = captures.filter((c) => (inRange(3, 121)(c) || inRange(126, 133)(c) || inRange(155, 158)(c)) && !inRange(106, 108)(c) && c.number !== 125);
const minimalCaptures = captures.filter(inRange(161, 183));

// Concurrent: the two cases start their own daemons and spend most of their time waiting (the 7 s
// keep-alive idle, the 5 s shutdown grace), so together they take the longer one's time.
describe.skipIf(!GO_DAEMON).concurrent('live parity with the Go daemon', () => {
  it('answers every capture-driven exchange and every fidelity case as Go does', async () => {
    const started = Date.now();
    const [go, mock, goMin, mockMin] = await Promise.all([
      startDaemon('go', { token: TOKEN, permissionTimeout: '2s', store: true }),
      startDaemon('mock', { token: TOKEN, permissionTimeout: '2s', store: true }),
      startDaemon('go', { token: TOKEN, permissionTimeout: '2s', minimal: true }),
      startDaemon('mock', { token: TOKEN, permissionTimeout: '2s', minimal: true }),
    ]);
    const idle = [keptAlive(go.port), keptAlive(mock.port)];
    await Promise.all(idle.map((c) => c.first));

    const [full, minimal] = await Promise.all([replay(go, mock, fullCaptures), replay(goMin, mockMin, minimalCaptures)]);
    expect(full).toEqual({});
    expect(minimal).toEqual({});

    const auth = `Authorization: Bearer ${TOKEN}\r\n`;
    const post = (target: string, body: string | Buffer): Buffer =>
      Buffer.concat([Buffer.from(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`), Buffer.from(body)]);
    const get = (target: string, extra = auth, method = 'GET'): string => `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`;
    const cases: Array<[string, string | Buffer]> = [
      ['dot session', post('/v1/sessions/./runs', '{"text":"hello"}')],
      ['dot-dot session', post('/v1/sessions/../runs', '{"text":"hello"}')],
      ['%2e session', post('/v1/sessions/%2e/runs', '{"text":"hello"}')],
      ['%2E%2e session', post('/v1/sessions/%2E%2e/runs', '{"text":"hello"}')],
      ['/v1/x/../status', get('/v1/x/../status')],
      ['/v1/./status', get('/v1/./status')],
      ['/v1/%2e%2e/v1/status', get('/v1/%2e%2e/v1/status')],
      ['absolute-form with ..', get('http://127.0.0.1/v1/x/../status')],
      ['%zz without a token', get('/v1/st%zzatus', '')],
      ['%zz in a session id', post('/v1/sessions/%zz/runs', '{"text":"hello"}')],
      ['%zz in the query', get('/v1/memories?limit=%zz')],
      ['; in the query', get('/v1/memories?limit=1;x=2')],
      ['+ in the query', get('/v1/memories?limit=+1')],
      ['BOM before JSON', post('/v1/sessions/bom/runs', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"text":"hello"}')]))],
      ['BOM before recall JSON', post('/v1/recall', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"query":"x"}')]))],
      ['HEAD health', get('/v1/health', '', 'HEAD')],
      ['diagnostics', get('/v1/diagnostics')],
    ];
    const caseDifferences: Record<string, string> = {};
    for (const [name, bytes] of cases) {
      const [a, b] = await both(go, mock, bytes);
      const diff = difference(a, b);
      if (diff) caseDifferences[name] = diff;
    }
    expect(caseDifferences).toEqual({});

    // A finished run stays replayable and DELETE answers 202, twice (Go keeps every run).
    for (const daemon of [go, mock]) {
      const started201 = await rawExchange(daemon.port, post('/v1/sessions/finished/runs', '{"text":"hello"}'));
      const eventsUrl = /"events_url":"([^"]+)"/.exec(started201.body)![1]!;
      expect((await rawExchange(daemon.port, get(eventsUrl))).body).toContain('event: run_done');
      const runPath = eventsUrl.replace(/\/events$/, '');
      for (let i = 0; i < 2; i++) expect((await rawExchange(daemon.port, get(runPath, auth, 'DELETE'))).status).toBe(202);
      expect((await rawExchange(daemon.port, get(eventsUrl))).body).toContain('event: run_done');
    }

    // The idle keep-alive connection, reused after 7 s: Go keeps it, so must the mock.
    const idleFor = 7_000 - (Date.now() - started);
    if (idleFor > 0) await new Promise((resolve) => setTimeout(resolve, idleFor));
    expect(await Promise.all(idle.map((c) => c.again()))).toEqual([200, 200]);
  }, 60_000);

  it('shuts down as Go: idle connection closed, new connections refused, a request in flight answered, a slow stream goes on streaming', async () => {
    const daemons = await Promise.all([startDaemon('go', { token: TOKEN }), startDaemon('mock', { token: TOKEN })]);
    const observed = await Promise.all(
      daemons.map(async (daemon) => {
        const auth = `Authorization: Bearer ${TOKEN}\r\n`;
        const started = await rawExchange(
          daemon.port,
          `POST /v1/sessions/sigterm/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Length: 15\r\nConnection: close\r\n\r\n{"text":"slow"}`,
        );
        const eventsUrl = /"events_url":"([^"]+)"/.exec(started.body)![1]!;
        let seen = '';
        const stream = rawExchange(daemon.port, `GET ${eventsUrl} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`, {
          timeoutMs: 20_000,
          onData: (text) => (seen = text),
        });
        // A request in flight: headers and half the body before SIGTERM, the rest after.
        let halfText = '';
        let halfClosed = false;
        const half = connect(daemon.port, '127.0.0.1');
        half.on('data', (chunk) => (halfText += chunk.toString('latin1')));
        half.on('close', () => (halfClosed = true));
        half.on('error', () => undefined);
        const idle = connect(daemon.port, '127.0.0.1');
        let idleClosed = false;
        idle.on('close', () => (idleClosed = true));
        idle.on('error', () => undefined);
        await Promise.all([half, idle].map((socket) => new Promise<void>((resolve) => socket.once('connect', () => resolve()))));
        // An idle keep-alive connection is one that served a request (Go keeps a never-used one through the grace).
        let idleText = '';
        idle.on('data', (chunk) => (idleText += chunk.toString('latin1')));
        idle.write('GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        await waitFor('the idle connection to answer', () => idleText.includes('"ok":true'));
        await waitFor('the first delta', () => seen.includes('event: text_delta'));
        half.write(`POST /v1/sessions/half/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Length: 16\r\n\r\n{"text"`);
        // Let the partial request be read before the signal.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const deltasBefore = (seen.match(/event: text_delta/g) ?? []).length;
        daemon.child.kill('SIGTERM');
        await waitFor('the idle connection to close', () => idleClosed);
        const refused = await new Promise<boolean>((resolve) => {
          const probe = connect(daemon.port, '127.0.0.1');
          probe.once('connect', () => {
            probe.destroy();
            resolve(false);
          });
          probe.once('error', () => resolve(true));
        });
        half.write(':"hello"}');
        await waitFor('the in-flight answer and its close', () => halfClosed);
        const answer = await stream.catch(() => undefined);
        const events = sseEvents(answer?.body ?? seen.slice(seen.indexOf('\r\n\r\n') + 4)).map((block) => /event: (\S+)/.exec(block)?.[1]);
        const exit = await within(daemon.exit, `${daemon.kind} to exit`, 20_000);
        return {
          refused,
          inFlight: halfText.split('\r\n')[0],
          inFlightClose: /\r\nConnection: close\r\n/.test(halfText),
          // Go's grace is 5 s and a slow run lasts 5 s, so the end depends on the box; the streaming does not.
          streamedDuringGrace: events.filter((e) => e === 'text_delta').length - deltasBefore >= 20,
          end: events.at(-1),
          exit: exit.code,
        };
      }),
    );
    const [go, mock] = observed;
    expect(go).toMatchObject({ refused: true, inFlight: 'HTTP/1.1 201 Created', inFlightClose: true, streamedDuringGrace: true });
    expect({ ...mock, end: undefined, exit: undefined }).toEqual({ ...go, end: undefined, exit: undefined });
    // Where the grace ends first, Go cuts the stream (exit 1) and the mock ends it with its terminal event (exit 1, documented).
    expect(mock!.end === 'run_done' ? mock!.exit : mock!.end === 'run_error' ? mock!.exit : -1).toBe(mock!.end === 'run_done' ? 0 : 1);
  }, 60_000);
});
