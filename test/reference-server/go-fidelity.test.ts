/**
 * Details where the mock once differed from the Go daemon (each measured live against
 * ../shared/go-daemon, see test/live/): raw-target routing (dot segments kept), a malformed escape
 * answered in Go's plain text with the connection closed, a BOM before JSON refused, Go's query
 * parsing, nanosecond timestamps, idle keep-alive connections kept.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceServer, type ReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode, type NodeServer } from '../../reference-server/serve-node.js';
import { formatGoTime, createGoClock, GoInstant } from '../../reference-server/go-time.js';
import { parseGoQuery } from '../../reference-server/go-query.js';
import { within } from './spawn-daemon.js';

const TOKEN = 'fidelity-token';
const open: Array<{ server: ReferenceServer; node: NodeServer }> = [];

afterEach(async () => {
  for (const { server, node } of open.splice(0)) {
    await server.close();
    await node.close();
  }
});

async function daemon(options: Parameters<typeof serveNode>[1] = {}): Promise<NodeServer> {
  const server = createReferenceServer({ token: TOKEN, host: loadMockHost({ delayScale: 0 }) });
  const node = await serveNode(server, options);
  open.push({ server, node });
  return node;
}

/** Sends raw bytes; resolves with everything received once the server closes (or `until` matches). */
function raw(node: NodeServer, bytes: string, until?: (text: string) => boolean): Promise<{ text: string; closed: boolean }> {
  return within(
    new Promise((resolve, reject) => {
      const socket = connect(node.address.port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
        if (until?.(text)) {
          socket.destroy();
          resolve({ text, closed: false });
        }
      });
      socket.on('end', () => resolve({ text, closed: true }));
      socket.on('error', reject);
      socket.write(bytes);
    }),
    'the raw exchange',
  );
}

const auth = `Authorization: Bearer ${TOKEN}\r\n`;
const body = (text: string): string => `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
const complete = (text: string): boolean => /\r\n\r\n[\s\S]*\n$/.test(text) && /Content-Length: (\d+)/.test(text);

describe('routing on the raw request target (dot segments kept, as Go)', () => {
  it.each([
    ['/v1/sessions/./runs', '.'],
    ['/v1/sessions/../runs', '..'],
    ['/v1/sessions/%2e/runs', '.'],
    ['/v1/sessions/%2E%2e/runs', '..'],
  ])('POST %s starts a run in session %j', async (path, session) => {
    const node = await daemon();
    const { text } = await raw(node, `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}${body('{"text":"hello"}')}`, complete);
    expect(text).toMatch(/^HTTP\/1.1 201 /);
    expect(text).toContain(`"session_id":${JSON.stringify(session)}`);
  });

  it.each(['/v1/x/../status', '/v1/%2e%2e/v1/status', '/v1/./status', 'http://h/v1/x/../status'])('GET %s is 404 route not found', async (target) => {
    const node = await daemon();
    const { text } = await raw(node, `GET ${target} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, complete);
    expect(text).toMatch(/^HTTP\/1.1 404 /);
    expect(text).toContain('"message":"route not found"');
  });
});

describe('a malformed percent-escape in the path', () => {
  it("gets Go's plain-text 400 before auth, and the connection is closed", async () => {
    const node = await daemon();
    const { text, closed } = await raw(node, 'GET /v1/st%zzatus HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(text).toBe('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request');
    expect(closed).toBe(true);
  });

  it('in the query is not an error: the pair is dropped, as url.ParseQuery does', async () => {
    const node = await daemon();
    const { text } = await raw(node, `GET /v1/memories?limit=%zz HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, complete);
    expect(text).toMatch(/^HTTP\/1.1 200 /);
    expect(text.match(/"id":"mem_/g)).toHaveLength(3);
  });
});

describe("Go's url.ParseQuery", () => {
  it.each([
    ['?limit=%zz', null],
    ['?limit=1;x=2', null],
    ['?limit=+1', ' 1'],
    ['?limit=%31', '1'],
    ['?a=%zz&limit=2', '2'],
    ['?limit=3&limit=4', '3'],
  ])('%s → limit %j', (search, want) => {
    expect(parseGoQuery(search).get('limit')).toBe(want);
  });
});

describe('a UTF-8 BOM before a JSON body', () => {
  it('is 400 invalid JSON body, as Go', async () => {
    const node = await daemon();
    const response = await fetch(node.url + '/v1/sessions/s/runs', {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"text":"hello"}')]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('{"error":{"code":"invalid_request","message":"invalid JSON body","retryable":false}}\n');
  });
});

describe('timestamps', () => {
  it('print nanoseconds with trailing zeros trimmed, as Go', () => {
    expect(formatGoTime(new GoInstant(Date.parse('2026-11-24T16:50:25.898Z'), 488_384))).toBe('2026-11-24T16:50:25.898488384Z');
    expect(formatGoTime(new GoInstant(Date.parse('2026-11-24T16:50:25.320Z'), 0))).toBe('2026-11-24T16:50:25.32Z');
    expect(formatGoTime(new GoInstant(Date.parse('2026-11-24T16:50:25.000Z'), 100))).toBe('2026-11-24T16:50:25.0000001Z');
    expect(formatGoTime(new Date(Date.parse('2026-11-24T16:50:25.000Z')))).toBe('2026-11-24T16:50:25Z');
  });

  it('come from a monotonic clock with sub-millisecond digits on the wire', async () => {
    const clock = createGoClock();
    const times = Array.from({ length: 1000 }, () => clock());
    const nanos = times.map((t) => BigInt(t.getTime()) * 1_000_000n + BigInt((t as GoInstant).subMillisecondNanos));
    for (let i = 1; i < nanos.length; i++) expect(nanos[i]! >= nanos[i - 1]!).toBe(true);
    const node = await daemon();
    const diagnostics = (await (await fetch(node.url + '/v1/diagnostics', { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as {
      runtime: { started_at: string };
    };
    // Nine digits unless the last ones happen to be zeros (one chance in ten per digit).
    expect(diagnostics.runtime.started_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{4,9}Z$/);
  });
});

describe('idle keep-alive connections', () => {
  it('are kept past the header and request timeouts (Go has no idle timeout)', async () => {
    const node = await daemon({ headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const socket = connect(node.address.port, '127.0.0.1');
    let text = '';
    let closed = false;
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', () => (closed = true));
    socket.write('GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(new Promise<void>((resolve) => socket.once('data', () => resolve())), 'the first answer');
    // Idle for several check intervals of both timeouts (node checks them every 50 ms here).
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(closed).toBe(false);
    socket.write('GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(
      (async () => {
        while ((text.match(/HTTP\/1.1 200/g) ?? []).length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      })(),
      'the second answer on the same connection',
    );
    socket.destroy();
  });
});
