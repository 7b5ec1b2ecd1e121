/**
 * The near-zero-cost client: one raw TCP socket per run, HTTP/1.1 written by hand, the chunked SSE
 * body decoded by a small state machine and frames counted on the bytes (memchr for "\n\n"). No
 * JSON parsing, no web streams, no per-frame string: it measures the daemon, not the client.
 * `bench/ceiling.ts` proves it: it reads a replay of the same bytes far faster than any daemon writes.
 */
import { connect, type Socket } from 'node:net';
import type { StreamTally } from './sse-tally.js';

export interface RawTarget {
  url: string;
  token: string;
}

/**
 * The same tally as the fetch-based reader's, for one run started and read on one socket: `bytes`
 * count the events response after its header block (chunk framing included), and both times run
 * from just before the POST.
 */
export interface RawTally extends StreamTally {
  runId: string;
}

export interface RawOptions {
  /** Give up when no byte arrives for this long. */
  idleTimeoutMs: number;
  /** Resolves `parked` once a frame of this type arrived; the stream stays open until `close()`. */
  parkOn?: string;
  /** Keep the raw bytes of the events response (chunk framing included), for the replay ceiling. */
  record?: boolean;
  /** Keep every byte the socket received (both responses, header blocks included), for the node:http floor. */
  recordWire?: boolean;
}

/** Bytes of each frame kept to read its `event:` line ("id: evt_<32 hex>\nevent: <type>\n" fits). */
const PREFIX = 128;
const LF = 0x0a;
const LFLF = Buffer.from('\n\n');

/** Decodes a chunked body and counts SSE frames in it, keeping only each frame's first bytes. */
export class ChunkedFrameCounter {
  events = 0;
  done = false;
  error: string | undefined;
  firstType = '';
  private lastPrefix = Buffer.alloc(PREFIX);
  private lastPrefixLen = 0;
  private atFrameStart = true;
  private prevLf = false;
  /** Bytes of chunk data still to come in the current chunk; -1 while reading a size line. */
  private remaining = -1;
  private sizeLine = '';
  /** CR/LF bytes still expected after a chunk's data. */
  private crlf = 0;
  private trailer = false;

  constructor(private readonly onFrame?: (counter: ChunkedFrameCounter) => void) {}

  /** Feeds bytes of the body; returns how many were consumed (the rest follows the final chunk). */
  feed(buf: Buffer, from = 0): number {
    let i = from;
    while (i < buf.length && !this.done) {
      if (this.crlf > 0) {
        i++;
        this.crlf--;
        continue;
      }
      if (this.remaining > 0) {
        const end = Math.min(buf.length, i + this.remaining);
        this.data(buf, i, end);
        this.remaining -= end - i;
        i = end;
        if (this.remaining === 0) {
          this.remaining = -1;
          this.crlf = 2;
        }
        continue;
      }
      // A size line (or, after the last chunk, the empty line that ends the trailer).
      const nl = buf.indexOf(LF, i);
      const stop = nl < 0 ? buf.length : nl;
      this.sizeLine += buf.toString('latin1', i, stop);
      i = stop;
      if (nl < 0) break;
      i++;
      const line = this.sizeLine.replace(/\r$/, '');
      this.sizeLine = '';
      if (this.trailer) {
        if (line === '') this.done = true;
        continue;
      }
      const size = Number.parseInt(line.split(';')[0] ?? '', 16);
      if (!Number.isFinite(size) || size < 0) {
        this.error = `bad chunk size line ${JSON.stringify(line.slice(0, 40))}`;
        this.done = true;
      } else if (size === 0) this.trailer = true;
      else this.remaining = size;
    }
    return i;
  }

  get lastType(): string {
    return frameType(this.lastPrefix, this.lastPrefixLen);
  }

  /** Consumes chunk data: frame ends are "\n\n", possibly split across chunks. */
  private data(buf: Buffer, start: number, end: number): void {
    const seg = buf.subarray(start, end);
    let i = 0;
    if (this.prevLf && seg[0] === LF) {
      this.frameEnd();
      i = 1;
    }
    this.prevLf = false;
    while (i < seg.length) {
      if (this.atFrameStart) {
        this.lastPrefixLen = 0;
        this.atFrameStart = false;
      }
      if (this.lastPrefixLen < PREFIX) {
        const n = Math.min(PREFIX - this.lastPrefixLen, seg.length - i);
        seg.copy(this.lastPrefix, this.lastPrefixLen, i, i + n);
        this.lastPrefixLen += n;
      }
      const hit = seg.indexOf(LFLF, i);
      if (hit < 0) {
        this.prevLf = seg[seg.length - 1] === LF;
        return;
      }
      this.frameEnd();
      i = hit + 2;
    }
  }

  private frameEnd(): void {
    this.events += 1;
    this.atFrameStart = true;
    this.prevLf = false;
    if (this.events === 1) this.firstType = frameType(this.lastPrefix, this.lastPrefixLen);
    this.onFrame?.(this);
  }
}

function frameType(prefix: Buffer, length: number): string {
  const text = prefix.toString('latin1', 0, length);
  return /(?:^|\n)event: ([^\n]*)\n/.exec(text)?.[1] ?? '';
}

export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

/**
 * Every socket of this process reads into this one buffer (net's `onread`): no Buffer allocated
 * per read, and up to 1 MiB per read instead of 64 KiB. The bytes are consumed (or copied) in the
 * callback before the next read anywhere, so one buffer serves every socket. Measured on a replay
 * of `flood 10000`: 1.3-2x the MB/s of 'data' events, 2-3x the MB per CPU-second.
 */
const READ_BUFFER = Buffer.allocUnsafe(1 << 20);

/** A tiny HTTP/1.1 exchange reader on one socket: header block, then a Content-Length or chunked body. */
class Exchange {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Sees every chunk as read (the shared buffer: copy to keep). */
  onChunk: ((chunk: Buffer) => void) | undefined;

  /** Bytes read into the shared buffer: streamed to the sink in place, otherwise kept (copied). */
  readonly read = (nread: number, buffer: Buffer): boolean => {
    const chunk = buffer.subarray(0, nread);
    this.onChunk?.(chunk);
    if (this.sink && this.buf.length === 0) {
      // While streaming, bytes go to the sink right here: no copy, no promise round trip per chunk.
      this.feedSink(chunk);
      return true;
    }
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    if (this.sink) this.drainToSink();
    else this.poke();
    return true;
  };

  constructor(private readonly idleTimeoutMs: number) {}

  /** Listens for the end of `socket`, whose reads go to `read`. */
  attach(socket: Socket): void {
    socket.on('end', () => {
      this.ended = true;
      this.poke();
    });
    socket.on('close', () => {
      this.ended = true;
      this.poke();
    });
    socket.on('error', (error) => {
      this.failure = error;
      this.poke();
    });
  }

  private poke(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Waits for more bytes (or end/error), bounded by the idle timeout. */
  private more(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.idleTimer = setTimeout(() => reject(new Error(`no bytes for ${this.idleTimeoutMs} ms`)), this.idleTimeoutMs);
      this.waiter = () => {
        clearTimeout(this.idleTimer);
        resolve();
      };
    });
  }

  async head(): Promise<{ status: number; headers: Map<string, string> }> {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = this.buf.toString('latin1', 0, end).split('\r\n');
        this.buf = this.buf.subarray(end + 4);
        const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(lines[0] ?? '')?.[1] ?? Number.NaN);
        const headers = new Map<string, string>();
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
        }
        return { status, headers };
      }
      await this.more();
    }
  }

  async fixedBody(length: number): Promise<Buffer> {
    while (this.buf.length < length) await this.more();
    const body = this.buf.subarray(0, length);
    this.buf = this.buf.subarray(length);
    return body;
  }

  private sink: ((buf: Buffer) => { consumed: number; done: boolean }) | undefined;
  private sinkDone = false;

  private drainToSink(): void {
    if (!this.sink || this.buf.length === 0) return;
    const buf = this.buf;
    this.buf = Buffer.alloc(0);
    this.feedSink(buf);
  }

  /** Feeds `chunk` to the sink; what it leaves (past the end of the body) is kept, copied. */
  private feedSink(chunk: Buffer): void {
    if (!this.sink) return;
    const { consumed, done } = this.sink(chunk);
    if (consumed < chunk.length) this.buf = Buffer.from(chunk.subarray(consumed));
    if (done) {
      this.sink = undefined;
      this.sinkDone = true;
    }
    this.poke();
  }

  /** Feeds every received byte to `sink` until it reports done; `sink` returns bytes consumed. */
  async stream(sink: (buf: Buffer) => { consumed: number; done: boolean }): Promise<void> {
    this.sink = sink;
    this.sinkDone = false;
    this.drainToSink();
    while (!this.sinkDone) await this.more();
  }
}

function request(method: string, path: string, host: string, token: string, body?: string): string {
  const head = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${token}`];
  if (body !== undefined) head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
  return `${head.join('\r\n')}\r\n\r\n${body ?? ''}`;
}

export interface RawRun {
  /** Resolves with the tally when the stream ends (or, with `parkOn`, when `close()` is called). */
  finished: Promise<RawTally>;
  /** Resolves when the `parkOn` frame arrived. */
  parked: Promise<void>;
  /** The raw events response bytes when `record` was set. */
  recorded: Buffer[];
  /** Every byte received on the socket, in order, when `recordWire` was set. */
  wire: Buffer[];
  close(): void;
}

/** POST a run and read its event stream on the same keep-alive socket, as a real client does. */
export function rawRun(target: RawTarget, session: string, text: string, options: RawOptions): RawRun {
  const { host, port } = hostPort(target.url);
  const startedAt = performance.now();
  const exchange = new Exchange(options.idleTimeoutMs);
  const socket = connect({ host, port, noDelay: true, onread: { buffer: READ_BUFFER, callback: (nread, buffer) => exchange.read(nread, buffer as Buffer) } });
  exchange.attach(socket);
  const recorded: Buffer[] = [];
  const wire: Buffer[] = [];
  if (options.recordWire) exchange.onChunk = (chunk) => wire.push(Buffer.from(chunk));
  let parkResolve: () => void = () => undefined;
  let parkReject: (e: Error) => void = () => undefined;
  const parked = new Promise<void>((resolve, reject) => {
    parkResolve = resolve;
    parkReject = reject;
  });
  parked.catch(() => undefined);
  const tally: RawTally = { runId: '', events: 0, bytes: 0, firstEventMs: Number.NaN, endMs: Number.NaN, firstType: '', lastType: '', problem: undefined };
  const hostHeader = `${host}:${port}`;

  const finished = (async (): Promise<RawTally> => {
    socket.write(request('POST', `/v1/sessions/${encodeURIComponent(session)}/runs`, hostHeader, target.token, JSON.stringify({ text })));
    const started = await exchange.head();
    const startBody = await exchange.fixedBody(Number(started.headers.get('content-length') ?? 0));
    const answer = JSON.parse(startBody.toString('utf8')) as { run_id?: unknown; events_url?: unknown };
    if (started.status !== 201 || typeof answer.run_id !== 'string') throw new Error(`start run answered ${started.status}: ${startBody.toString('utf8').slice(0, 200)}`);
    tally.runId = answer.run_id;
    const eventsPath = typeof answer.events_url === 'string' ? answer.events_url : `/v1/runs/${answer.run_id}/events`;
    socket.write(request('GET', eventsPath, hostHeader, target.token));
    const events = await exchange.head();
    if (events.status !== 200 || events.headers.get('transfer-encoding') !== 'chunked') throw new Error(`events answered ${events.status} (${events.headers.get('transfer-encoding') ?? 'not chunked'})`);
    let parkedYet = false;
    const counter = new ChunkedFrameCounter((c) => {
      if (c.events === 1) tally.firstEventMs = performance.now() - startedAt;
      if (options.parkOn && !parkedYet && c.lastType === options.parkOn) {
        parkedYet = true;
        parkResolve();
      }
    });
    await exchange.stream((buf) => {
      const consumed = counter.feed(buf);
      tally.bytes += consumed;
      if (options.record) recorded.push(Buffer.from(buf.subarray(0, consumed)));
      return { consumed, done: counter.done };
    });
    tally.endMs = performance.now() - startedAt;
    tally.events = counter.events;
    tally.firstType = counter.firstType;
    tally.lastType = counter.lastType;
    if (counter.error) tally.problem = counter.error;
    else if (tally.firstType !== 'run_start') tally.problem = `first event ${tally.firstType || '(none)'}, expected run_start`;
    else if (tally.lastType !== 'run_done' && tally.lastType !== 'run_error') tally.problem = `last event ${tally.lastType || '(none)'}, expected run_done or run_error`;
    return tally;
  })().finally(() => socket.destroy());
  finished.catch((e: unknown) => parkReject(e instanceof Error ? e : new Error(String(e))));
  return { finished, parked, recorded, wire, close: () => socket.destroy() };
}
