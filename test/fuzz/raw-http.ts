/**
 * A raw-socket HTTP/1.1 client for hostile input: it sends bytes exactly as given (bad methods,
 * CR/LF in the target, invalid UTF-8, lying framing) where `fetch` would refuse, and reads the
 * answer until the server closes the connection, with a bound on time and size.
 */
import { connect } from 'node:net';

export interface RawExchange {
  /** Everything the server sent. */
  raw: Buffer;
  /** The server closed the connection (vs. we gave up). */
  closed: boolean;
  timedOut: boolean;
  /** Socket error, if any (ECONNRESET after a rejected request is normal). */
  error: string | undefined;
}

export interface RawSendOptions {
  timeoutMs: number;
  /** Stop reading after this many bytes (an endless stream must not fill memory). */
  maxBytes?: number;
  /** Pieces written one after another with this pause between them (slow clients). */
  pauseMs?: number;
}

export function sendRaw(port: number, pieces: readonly Buffer[], options: RawSendOptions): Promise<RawExchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let error: string | undefined;
    let timedOut = false;
    let settled = false;
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ raw: Buffer.concat(chunks), closed, timedOut, error });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      finish(false);
    }, options.timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size > (options.maxBytes ?? 8 * 1024 * 1024)) finish(false);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      let i = 0;
      const writeNext = (): void => {
        if (settled || socket.destroyed) return;
        const piece = pieces[i++];
        if (piece === undefined) return;
        socket.write(piece);
        if (i < pieces.length) {
          if (options.pauseMs) setTimeout(writeNext, options.pauseMs);
          else writeNext();
        }
      };
      writeNext();
    });
  });
}

export interface ParsedResponse {
  status: number;
  headers: Map<string, string[]>;
  head: string;
  body: Buffer;
  /** Bytes after the first response (a second response, or junk). */
  rest: Buffer;
}

/**
 * Parses the first HTTP/1.1 response in `raw`; `undefined` when there is none or it is cut off.
 * `bodiless`: the answer to a HEAD request, whose Content-Length describes a body that is not sent.
 */
export function parseResponse(raw: Buffer, bodiless = false): ParsedResponse | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = raw.subarray(0, headEnd).toString('latin1');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (!match?.[1]) return undefined;
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  const bodyStart = headEnd + 4;
  const status = Number(match[1]);
  // 1xx, 204 and 304 never carry a body, whatever the headers say.
  if (bodiless || status < 200 || status === 204 || status === 304) return { status: Number(match[1]), headers, head, body: Buffer.alloc(0), rest: raw.subarray(bodyStart) };
  const length = headers.get('content-length')?.[0];
  if (headers.get('transfer-encoding')?.[0]?.toLowerCase() === 'chunked') {
    const dechunked = dechunk(raw, bodyStart);
    if (!dechunked) return undefined;
    return { status: Number(match[1]), headers, head, body: dechunked.body, rest: raw.subarray(dechunked.end) };
  }
  if (length !== undefined) {
    const end = bodyStart + Number(length);
    if (!Number.isInteger(Number(length)) || end > raw.length) return undefined;
    return { status: Number(match[1]), headers, head, body: raw.subarray(bodyStart, end), rest: raw.subarray(end) };
  }
  return { status: Number(match[1]), headers, head, body: raw.subarray(bodyStart), rest: Buffer.alloc(0) };
}

function dechunk(raw: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', pos);
    if (lineEnd < 0) return undefined;
    const size = parseInt(raw.subarray(pos, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return undefined;
    pos = lineEnd + 2;
    if (size === 0) return { body: Buffer.concat(parts), end: raw.indexOf('\r\n', pos) < 0 ? raw.length : raw.indexOf('\r\n', pos) + 2 };
    if (pos + size > raw.length) return undefined;
    parts.push(raw.subarray(pos, pos + size));
    pos += size + 2;
  }
}
