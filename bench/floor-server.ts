/**
 * The node:http floor: a bare node:http server that answers every POST with the recorded `201` of
 * a run (`hello`, `flood 10000`) and every GET with that run's recorded event stream, one `write` (one HTTP chunk)
 * per recorded event, with no other work: no routing, no auth, no JSON, no run. It is NOT a
 * daemon; it is what any Node.js daemon pays at least to serve the same bytes (bench/floor.ts).
 *
 * Runs as its own plain-node process (bench/floor.ts transpiles this file; no tsx loader in its
 * RSS): `node floor-server.mjs RECORDING.json` prints its port. Imports node builtins only.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/** One recorded HTTP/1.1 response: status line, header lines in wire order, and its body. */
export interface RecordedResponse {
  status: number;
  reason: string;
  /** Flat name, value, name, value… exactly as on the wire (order and case kept). */
  headers: string[];
  /** A Content-Length body (base64), or the payloads of a chunked body, one per chunk (base64). */
  body: { fixed: string } | { chunks: string[] };
}

/** One run's exchange: the POST /v1/sessions/{id}/runs answer and the GET events answer. */
export interface FloorRecording {
  recordedFrom: string;
  start: RecordedResponse;
  events: RecordedResponse;
}

interface Answer {
  status: number;
  reason: string;
  headers: string[];
  fixed?: Buffer;
  chunks?: Buffer[];
}

function answer(r: RecordedResponse): Answer {
  const base = { status: r.status, reason: r.reason, headers: r.headers };
  return 'fixed' in r.body ? { ...base, fixed: Buffer.from(r.body.fixed, 'base64') } : { ...base, chunks: r.body.chunks.map((c) => Buffer.from(c, 'base64')) };
}

/**
 * As reference-server/node-wire.ts `writeChunk`: the socket corked until the next tick, so every
 * Node frames each write as its own chunk and sends them in one socket write (Node 24 would
 * otherwise cork the response and merge them into one chunk).
 */
function corkSocket(res: ServerResponse): void {
  const socket = res.socket;
  if (socket && !socket.writableCorked) {
    socket.cork();
    process.nextTick(() => socket.uncork());
  }
}

function reply(res: ServerResponse, a: Answer): void {
  // The recorded Date and no Connection/Keep-Alive of node's own: the recorded header block, byte for byte.
  res.sendDate = false;
  res.removeHeader('connection');
  res.writeHead(a.status, a.reason, a.headers);
  if (a.fixed) {
    res.end(a.fixed);
    return;
  }
  // A recorded Transfer-Encoding: chunked header makes node frame each write as one chunk.
  corkSocket(res);
  for (const chunk of a.chunks ?? []) res.write(chunk);
  res.end();
}

export function createFloorServer(recording: FloorRecording): Server {
  const start = answer(recording.start);
  const events = answer(recording.events);
  const server = createServer({ noDelay: true, keepAliveTimeout: 0 }, (req: IncomingMessage, res: ServerResponse) => {
    const a = req.method === 'POST' ? start : events;
    // Read the request to its end (the POST's JSON body) before answering, as any server must.
    req.on('end', () => reply(res, a));
    req.resume();
  });
  server.timeout = 0;
  server.on('clientError', (_error, socket) => socket.destroy());
  return server;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: floor-server.mjs RECORDING.json');
  const server = createFloorServer(JSON.parse(readFileSync(file, 'utf8')) as FloorRecording);
  // Go listens with the system's maximum backlog (net.core.somaxconn); node's default is 511, which
  // a burst of 1,000 connects overflows (dropped SYNs, retried after 1 s). The floor is the best a
  // Node daemon can do, so it asks for the maximum too (the kernel caps it at somaxconn).
  server.listen({ port: 0, host: '127.0.0.1', backlog: 65535 }, () => {
    const address = server.address();
    process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}
