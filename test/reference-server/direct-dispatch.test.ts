/**
 * The node adapter serves the reference server two ways: straight through its core (the direct
 * dispatch, no web Request/Response per request) and, once anything wraps `handle()` (faults,
 * workbench layers), through web Request/Response. Both must put the same bytes on the wire:
 * the same exchanges against two identical daemons (sequential ids, a fixed clock), one served
 * each way, compared byte for byte (the Date value aside), chunk framing and all.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceServer, createSequentialIds, loadMockHost, serveNode, type NodeServer, type ReferenceServer } from '../../reference-server/index.js';
import { directDispatchOf } from '../../reference-server/exchange.js';

const token = 'direct-dispatch-token';
const auth = `Authorization: Bearer ${token}\r\n`;
const servers: NodeServer[] = [];
const daemons: ReferenceServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of daemons.splice(0)) await d.close();
});

function daemon(maxBodyBytes = 4096): ReferenceServer {
  const host = loadMockHost({ delayScale: 0 });
  const tools = host.toolCatalog?.() ?? [];
  const server = createReferenceServer({
    token,
    // Enough tools for a /v1/tools body past Go's 2048-byte buffer (sent chunked).
    host: { ...host, toolCatalog: () => [...tools, ...tools, ...tools, ...tools] },
    clock: () => new Date('2026-12-01T12:00:00.123456789Z'),
    ids: createSequentialIds(),
    limits: { maxTargetBytes: 200, maxBodyBytes },
  });
  daemons.push(server);
  return server;
}

async function serve(handler: Parameters<typeof serveNode>[0]): Promise<NodeServer> {
  const s = await serveNode(handler, { closeGraceMs: 200 });
  servers.push(s);
  return s;
}

/** Writes `bytes` on one connection and returns everything read until the server closes it or `done` holds. */
function exchange(server: NodeServer, bytes: string | Buffer, done: (text: string) => boolean): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(server.address.port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer to ${JSON.stringify(bytes.toString().slice(0, 80))}; got ${JSON.stringify(text.slice(-300))}`));
    }, 10_000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (done(text)) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.write(bytes);
  });
}

/** True once `count` complete responses are in `text` (a body by its length, a chunked one by its last chunk). */
function responses(count: number): (text: string) => boolean {
  return (text) => {
    let at = 0;
    for (let n = 0; n < count; n++) {
      const head = text.indexOf('\r\n\r\n', at);
      if (head < 0) return false;
      const block = text.slice(at, head);
      at = head + 4;
      if (/^HEAD /.test(block) || /^HTTP\/1\.1 (1\d\d|204|304)/.test(block)) continue;
      const length = /\r\nContent-Length: (\d+)/.exec(block);
      if (length) {
        at += Number(length[1]);
        if (at > text.length) return false;
      } else if (/\r\nTransfer-Encoding: chunked/.test(block)) {
        const end = text.indexOf('\r\n0\r\n\r\n', at - 2);
        if (end < 0) return false;
        at = end + 7;
      }
    }
    return true;
  };
}

const runBody = '{"text":"hello","client_id":"c1"}';
const cases: { what: string; bytes: string; answers: number; heads?: boolean }[] = [
  { what: 'health', bytes: 'GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n', answers: 1 },
  { what: 'status', bytes: `GET /v1/status HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, answers: 1 },
  { what: 'no token', bytes: 'GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n', answers: 1 },
  { what: 'HEAD', bytes: `HEAD /v1/status HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, answers: 1, heads: true },
  { what: 'a body past 2048 bytes (chunked)', bytes: `GET /v1/tools HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, answers: 1 },
  { what: 'Connection: close', bytes: `GET /v1/diagnostics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${auth}\r\n`, answers: 1 },
  { what: 'HTTP/1.0', bytes: 'GET /v1/health HTTP/1.0\r\n\r\n', answers: 1 },
  { what: 'a run started', bytes: `POST /v1/sessions/s1/runs HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: ${runBody.length}\r\n\r\n${runBody}`, answers: 1 },
  { what: 'its events (SSE, one chunk per event)', bytes: `GET /v1/runs/run_00000000000000000000000000000001/events HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, answers: 1 },
  { what: 'a dot-segment session', bytes: `POST /v1/sessions/./runs HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\n${runBody.length.toString(16)}\r\n${runBody}\r\n0\r\n\r\n`, answers: 1 },
  { what: 'invalid JSON', bytes: `POST /v1/sessions/s2/runs HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 5\r\n\r\n{nope`, answers: 1 },
  { what: 'a body over the cap by its length', bytes: `POST /v1/sessions/s2/runs HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 5000\r\nConnection: close\r\n\r\n{}`, answers: 1 },
  { what: 'a body over the cap as it arrives', bytes: `POST /v1/recall HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\n1400\r\n${'x'.repeat(0x1400)}\r\n0\r\n\r\n`, answers: 1 },
  { what: 'a long target', bytes: `GET /v1/a/../${'b'.repeat(40)}/../status?${'q'.repeat(20)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, answers: 1 },
  { what: 'a target too long once the URL encodes it', bytes: `GET /v1/status?${'"'.repeat(70)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, answers: 1 },
  { what: 'a client id too long', bytes: `GET /v1/status HTTP/1.1\r\nHost: x\r\n${auth}X-Glue-Client-ID: ${'c'.repeat(201)}\r\n\r\n`, answers: 1 },
  { what: 'a wrong method', bytes: `DELETE /v1/status HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, answers: 1 },
  { what: 'an unknown run', bytes: `DELETE /v1/runs/run_x HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, answers: 1 },
  { what: "another client's decision", bytes: `POST /v1/runs/run_00000000000000000000000000000001/permissions/p/decision HTTP/1.1\r\nHost: x\r\n${auth}X-Glue-Client-ID: c2\r\nContent-Length: 14\r\n\r\n{"allow":true}`, answers: 1 },
  { what: 'a malformed escape', bytes: `GET /v1/%zz HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, answers: 1 },
  { what: 'no Host', bytes: `GET /v1/status HTTP/1.1\r\n${auth}\r\n`, answers: 1 },
  {
    what: 'three pipelined requests',
    bytes: `GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/roles HTTP/1.1\r\nHost: x\r\n${auth}\r\nPOST /v1/sessions/s3/runs HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: ${runBody.length}\r\n\r\n${runBody}`,
    answers: 3,
  },
];

describe('node adapter: direct dispatch and the web path write the same bytes', () => {
  it('serves an unwrapped reference server directly, and a wrapped one through web Request/Response', () => {
    const server = daemon();
    expect(directDispatchOf(server)).toBeTypeOf('function');
    expect(directDispatchOf({ handle: (request: Request) => server.handle(request) })).toBeUndefined();
    // A wrapper that keeps every other member (wrapServer, the workbench) hides it too.
    const wrapped = new Proxy(server, { get: (t, p) => (p === 'handle' ? (r: Request) => t.handle(r) : Reflect.get(t, p, t)) });
    expect(directDispatchOf(wrapped)).toBeUndefined();
  });

  it('answers every exchange byte for byte alike', async () => {
    const fast = await serve(daemon());
    const webDaemon = daemon();
    const web = await serve({ handle: (request: Request) => webDaemon.handle(request) });
    let chunkedJson = 0;
    let events = 0;
    const statuses = new Set<string>();
    for (const c of cases) {
      const done = c.heads ? (text: string) => text.includes('\r\n\r\n') : responses(c.answers);
      const [a, b] = [await exchange(fast, c.bytes, done), await exchange(web, c.bytes, done)];
      const normalise = (text: string): string => text.replace(/\r\nDate: [^\r]+\r\n/g, '\r\nDate: -\r\n');
      expect(a.length, c.what).toBeGreaterThan(0);
      expect(normalise(a), c.what).toBe(normalise(b));
      for (const status of a.match(/HTTP\/1\.1 \d{3}/g) ?? []) statuses.add(status.slice(9));
      if (/Content-Type: application\/json\r\n[^]*Transfer-Encoding: chunked/.test(a)) chunkedJson++;
      if (a.includes('text/event-stream')) events = a.match(/\r\n[0-9a-f]+\r\nid: /g)?.length ?? 0;
    }
    // The cases reach what they claim: a chunked JSON body and a stream of one chunk per event.
    expect(chunkedJson).toBeGreaterThan(0);
    expect(events).toBeGreaterThanOrEqual(4);
    expect([...statuses].sort()).toEqual(['200', '201', '400', '401', '403', '404', '405', '413', '414', '431']);
  });

  it('streams large and many frames byte for byte alike: an echo of 40 KB, a flood of 3,000 deltas', async () => {
    // The direct path copies small frames into one framed write and writes large ones in place.
    const fast = await serve(daemon(1 << 20));
    const webDaemon = daemon(1 << 20);
    const web = await serve({ handle: (request: Request) => webDaemon.handle(request) });
    const big = JSON.stringify({ text: 'y'.repeat(40_000) });
    const flood = JSON.stringify({ text: 'flood 3000' });
    const run = (n: number, body: string): string =>
      `POST /v1/sessions/s${n}/runs HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: ${body.length}\r\n\r\n${body}` +
      `GET /v1/runs/run_${String(n).padStart(32, '0')}/events HTTP/1.1\r\nHost: x\r\n${auth}\r\n`;
    const normalise = (text: string): string => text.replace(/\r\nDate: [^\r]+\r\n/g, '\r\nDate: -\r\n');
    for (const [n, body, minChunks] of [[1, big, 8], [2, flood, 3000]] as const) {
      const [a, b] = [await exchange(fast, run(n, body), responses(2)), await exchange(web, run(n, body), responses(2))];
      expect(normalise(a)).toBe(normalise(b));
      const sizes = [...a.matchAll(/\r\n([0-9a-f]+)\r\nid: /g)].map((m) => parseInt(m[1]!, 16));
      expect(sizes.length).toBeGreaterThanOrEqual(minChunks);
      // Each chunk is exactly one SSE event, large ones included.
      if (n === 1) expect(Math.max(...sizes)).toBeGreaterThan(40_000);
    }
  });
});
