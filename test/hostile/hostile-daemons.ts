/**
 * Daemons that break the protocol at the transport level, for proving the conformance CLI never
 * hangs, never crashes and never leaks the token. Each is a raw node:net server on loopback so it
 * can misbehave below HTTP (half-written frames, silence, endless bytes).
 */
import { createServer, type Server, type Socket } from 'node:net';

export type HostileKind =
  | 'black-hole'
  | 'slow-drip'
  | 'endless-stream'
  | 'invalid-sse'
  | 'close-mid-frame'
  | 'html'
  | 'redirect'
  | 'echo-token'
  | 'huge-types'
  | 'deep-json';

export interface HostileDaemon {
  url: string;
  /** Raw request heads received, for asserting what the client sent. */
  requests: string[];
  /** Raw bytes that reached the redirect target (another loopback host): must never hold the token. */
  elsewhere: string[];
  close(): Promise<void>;
}

const json = (status: string, body: string): string =>
  `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

const HEALTH = '{"ok":true,"version":1}\n';

function eventFrame(seq: number): string {
  const envelope = {
    version: 1,
    id: `evt_${seq.toString(16).padStart(32, '0')}`,
    seq,
    run_id: 'run_00000000000000000000000000000001',
    session_id: 'default',
    time: new Date(0).toISOString(),
    type: 'text_delta',
    payload: { type: 'text_delta', message: { role: 'assistant', created_at: new Date(0).toISOString() }, delta: 'x' },
  };
  return `id: ${envelope.id}\nevent: text_delta\ndata: ${JSON.stringify(envelope)}\n\n`;
}

/** Enough status for the suite to go on to runs, so the hostile part (the event stream) is reached. */
const STATUS = '{"ok":true,"version":1,"active_runs":0,"tools_count":0,"capabilities":["runs","events","permissions","status"]}\n';

const START_RUN =
  '{"run_id":"run_00000000000000000000000000000001","session_id":"default","events_url":"/v1/runs/run_00000000000000000000000000000001/events"}\n';

/** The bearer credential of a request head (what an echoing daemon sends back). */
function bearerOf(head: string): string {
  return /\r\nauthorization: *Bearer +([^\r]*)/i.exec(head)?.[1] ?? '';
}

/** Terminal attacks: retitle the window, clear the screen, and a fake verdict after a carriage return. */
const ESCAPES = '\u001b]0;pwned\u0007\u001b[2J\r✓ every MUST check passed\u001b[8m';

/**
 * Echoes the token in every place a response can carry it (headers, Location, JSON body, SSE ids,
 * event names and data) and mixes terminal escapes into the body and the event stream.
 */
function echoToken(socket: Socket, path: string, isStart: boolean, isEvents: boolean, token: string): void {
  const b64 = Buffer.from(`user:${token}`).toString('base64');
  const headers = [
    `WWW-Authenticate: Bearer realm="${token}"`,
    `Location: /v1/health?token=${encodeURIComponent(token)}`,
    `X-Echo: Bearer ${token}`,
    `X-Basic: Basic ${b64}`,
    `X-Upper: ${token.toUpperCase()}`,
  ].join('\r\n');
  const send = (status: string, type: string, body: string): void =>
    void socket.end(`HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\n${headers}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  if (path === '/v1/health') return send('200 OK', 'application/json', HEALTH);
  if (isStart) return send('201 Created', 'application/json', START_RUN);
  if (isEvents) {
    const envelope = JSON.parse(eventFrame(1).split('data: ')[1] ?? '{}') as Record<string, unknown>;
    const frames = [
      `id: ${token}\nevent: ${token}${ESCAPES}\ndata: ${JSON.stringify({ ...envelope, type: `text_delta${ESCAPES}`, payload: { type: 'text_delta', delta: `Bearer ${token} ${ESCAPES}` } })}\n\n`,
      `data: ${token} ${b64} ${ESCAPES}\n\n`,
    ].join('');
    return send('200 OK', 'text/event-stream', frames);
  }
  const body = JSON.stringify({ ok: true, version: 1, active_runs: 0, tools_count: 0, capabilities: ['runs', 'events', 'permissions', 'status'], echo: `Bearer ${token}`, lower: token.toLowerCase(), basic: b64, note: ESCAPES });
  return send('200 OK', 'application/json', `${body}\n`);
}

/** Eight events whose type names are ~3.9 MB each (a flood of memory into every message that lists types). */
function hugeTypes(socket: Socket, path: string, isStart: boolean, isEvents: boolean): void {
  if (!isEvents) {
    socket.end(isStart ? json('201 Created', START_RUN) : json('200 OK', path === '/v1/status' ? STATUS : HEALTH));
    return;
  }
  socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n');
  const name = 'T'.repeat(3_900_000);
  for (let seq = 1; seq <= 8; seq++) {
    const frame = eventFrame(seq).replace('"type":"text_delta"', `"type":"${name}"`);
    socket.write(frame);
  }
  socket.end();
}

/** JSON nested 100,000 levels deep, as a catalog body and as event data. */
function deepJson(socket: Socket, path: string, isStart: boolean, isEvents: boolean): void {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  if (path === '/v1/health' || path === '/v1/status') {
    socket.end(json('200 OK', path === '/v1/health' ? HEALTH : STATUS.replace('"status"]', '"status","tools"]')));
    return;
  }
  if (isStart) {
    socket.end(json('201 Created', START_RUN));
    return;
  }
  if (isEvents) {
    socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\ndata: {"payload":${deep}}\n\n`);
    return;
  }
  socket.end(json('200 OK', `{"tools":${deep}}`));
}

/** Answers one parsed request head on a socket according to the daemon's kind. */
function answer(kind: HostileKind, socket: Socket, head: string, redirectTarget: string, timers: Set<NodeJS.Timeout>): void {
  const [requestLine = ''] = head.split('\r\n');
  const [method = 'GET', path = '/'] = requestLine.split(' ');
  const isEvents = /\/events(\?|$)/.test(path);
  const isStart = method === 'POST' && /\/runs$/.test(path);
  const schedule = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  switch (kind) {
    case 'black-hole':
      return; // accept, read, never answer
    case 'slow-drip': {
      const bytes = Buffer.from(path === '/v1/health' ? json('200 OK', HEALTH) : json('200 OK', '{"ok":true,"version":1,"active_runs":0,"tools_count":0,"capabilities":[]}\n'));
      let i = 0;
      const drip = (): void => {
        if (socket.destroyed || i >= bytes.length) return;
        socket.write(bytes.subarray(i, i + 1));
        i += 1;
        schedule(drip, 250);
      };
      drip();
      return;
    }
    case 'endless-stream': {
      if (isStart) {
        socket.write(json('201 Created', START_RUN));
        return;
      }
      if (path === '/v1/health') {
        socket.write(json('200 OK', HEALTH));
        return;
      }
      if (path === '/v1/status') {
        socket.write(json('200 OK', STATUS));
        return;
      }
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n');
      let seq = 1;
      const pump = (): void => {
        if (socket.destroyed) return;
        // Honour backpressure so a client that stops reading costs this daemon no memory.
        if (!socket.write(eventFrame(seq++))) socket.once('drain', () => schedule(pump, 5));
        else schedule(pump, 5);
      };
      pump();
      return;
    }
    case 'invalid-sse': {
      if (isStart) {
        socket.write(json('201 Created', START_RUN));
        return;
      }
      if (!isEvents) {
        socket.write(json('200 OK', path === '/v1/status' ? STATUS : HEALTH));
        return;
      }
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n');
      // No blank line between events, then a 4 MiB line with no newline, then binary garbage.
      socket.write('id: a\nevent: run_start\ndata: {"not":"an envelope"}\nid: b\nevent: x\n');
      socket.write('data: ' + 'A'.repeat(4 * 1024 * 1024));
      socket.end(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x9f, 0x92, 0x96]));
      return;
    }
    case 'close-mid-frame': {
      if (path === '/v1/health' || path === '/v1/status') {
        socket.end(json('200 OK', path === '/v1/health' ? HEALTH : STATUS));
        return;
      }
      if (isStart) {
        socket.end(json('201 Created', START_RUN));
        return;
      }
      if (isEvents) {
        // Half an SSE frame, then the connection drops.
        const frame = eventFrame(1);
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n');
        socket.write(frame.slice(0, Math.floor(frame.length / 2)));
        socket.destroy();
        return;
      }
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"ok":tr');
      socket.destroy();
      return;
    }
    case 'html': {
      const body = '<!doctype html><html><body><h1>It works!</h1></body></html>\n';
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    case 'echo-token':
      return echoToken(socket, path, isStart, isEvents, bearerOf(head));
    case 'huge-types':
      return hugeTypes(socket, path, isStart, isEvents);
    case 'deep-json':
      return deepJson(socket, path, isStart, isEvents);
    case 'redirect': {
      socket.end(`HTTP/1.1 307 Temporary Redirect\r\nLocation: ${redirectTarget}${path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
  }
}

async function listen(server: Server, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('hostile daemon: no port');
  return `http://${host}:${address.port}`;
}

/**
 * Starts a hostile daemon. `redirectTarget` (for `redirect`) defaults to a second listener on
 * another loopback host that records whatever reaches it, so a test can prove the token never
 * followed the redirect.
 */
export async function startHostileDaemon(kind: HostileKind, options: { redirectTarget?: string } = {}): Promise<HostileDaemon> {
  const requests: string[] = [];
  const elsewhere: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const other = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      elsewhere.push(chunk.toString('latin1'));
      socket.end(json('200 OK', HEALTH));
    });
  });
  // 127.0.0.2 is another host on Linux loopback; elsewhere fall back to another port on 127.0.0.1.
  const otherUrl = await listen(other, '127.0.0.2').catch(() => listen(other, '127.0.0.1'));
  const redirectTarget = options.redirectTarget ?? otherUrl;

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      // One request per connection is all a hostile daemon needs (it answers Connection: close).
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > 64 * 1024) socket.destroy(); // a head this long is not a request
        return;
      }
      const head = buffered.slice(0, end);
      buffered = '';
      requests.push(head);
      answer(kind, socket, head, redirectTarget, timers);
    });
  });
  const url = await listen(server, '127.0.0.1');

  return {
    url,
    requests,
    elsewhere,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => other.close(() => resolve())),
      ]);
    },
  };
}
