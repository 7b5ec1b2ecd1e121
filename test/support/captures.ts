/**
 * Parser for the Go daemon's wire captures in `fixtures/captures/` (the ground truth).
 *
 * Format (see fixtures/captures/README.md): line 1 is `# ` + the exact curl command, with the
 * bearer token replaced by `$TOKEN` and the base URL by `$BASE`; everything after it is the
 * response as curl printed it (status line and CRLF header lines, a blank line, the body bytes
 * unchanged). SSE captures were taken with `-N`, so curl already removed the chunk framing,
 * except in the one `--raw` capture, which keeps it (we de-chunk it and keep the chunks). Streams
 * cut short (`--max-time 1`, shutdown) simply stop; their last block may lack its blank line.
 *
 * A few files are not HTTP exchanges (startup stdout, metadata and permission-store files, file
 * modes, timings, a refused connection). They parse as `kind: 'other'`; `NON_HTTP_CAPTURES`
 * lists each one with the reason, and the capture tests assert that list is exact.
 *
 * Everything here is synchronous and cached: tests call `loadCaptures()` freely. The cached
 * captures are deep-frozen so one test cannot change what another sees; `structuredClone` a
 * body before breaking it on purpose.
 *
 * Usage:
 *   for (const capture of loadHttpCaptures()) {
 *     const operationId = operationFor(capture);          // undefined: unknown route or 405
 *     const { status, json, sse } = capture.response;     // sse?.frames[i].json is an envelope
 *     const replay = replayRequest(capture.request, { baseUrl, token });  // substitutes $TOKEN
 *   }
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../src/protocol/package-root.js';
import { matchOperation, operationsAtPath, type OperationId, type OperationInfo } from '../../src/protocol/operations.js';

export const CAPTURES_DIR = packagePath('fixtures', 'captures');

/** The captures that are not curl exchanges with an HTTP response, and why. */
export const NON_HTTP_CAPTURES: Readonly<Record<string, string>> = {
  '001-startup-stdout-full.txt': 'daemon startup stdout (full mode), not an HTTP exchange',
  '002-metadata-file.txt': 'contents and file modes of the metadata file written by ServeLocal',
  '087-permission-store-file.txt': 'contents and file modes of the permission store JSON file',
  '159-metadata-after-shutdown.txt': 'file modes of the metadata file after SIGTERM',
  '160-startup-stdout-minimal.txt': 'daemon startup stdout (minimal mode), not an HTTP exchange',
  '186-shutdown-health-during-graceful-shutdown.txt': 'curl could not connect (listener closed after SIGTERM): no HTTP response',
  '187-shutdown-timing-and-process-output.txt': 'measured shutdown timings and daemon stdout/stderr',
};

/** One header line. `value` is trimmed, as Go's net/http (and fetch) see it; `raw` is verbatim. */
export interface CaptureHeader {
  name: string;
  value: string;
  /** The whole header line as sent or received, without its line ending. */
  raw: string;
}

/** The request, reconstructed from the curl command line. */
export interface CurlRequest {
  /** Line 1 of the file without `# `. */
  command: string;
  /** `-X` if given, else `HEAD` for `-I`, `POST` for `-d`, else `GET`. */
  method: string;
  /** The URL as written, still with the `$BASE` placeholder. */
  url: string;
  /** Path and query exactly as sent (still percent-encoded), e.g. `/v1/memories?limit=1`. */
  target: string;
  /** The path part of `target`, still percent-encoded, e.g. `/v1/sessions/telegram%3A42/runs`. */
  pathname: string;
  /** The query part of `target` including `?`, or `''`. */
  search: string;
  /** Every `-H` header in command order (duplicates kept: two `Authorization` headers happen). */
  headers: CaptureHeader[];
  /** The `-d` data, verbatim (curl sends it unchanged; `\n` inside single quotes is two characters). */
  body?: string;
  /**
   * The Content-Type curl sent: the explicit header, or `application/x-www-form-urlencoded`, which
   * curl adds by itself for `-d` without one (capture 062 relies on it). `undefined` without a body.
   */
  contentType?: string;
  /** curl switches that shape what the file shows. */
  curl: {
    /** `-I`: a HEAD request; the file has headers only. */
    head: boolean;
    /** `--raw`: the body keeps the HTTP chunk framing. */
    raw: boolean;
    /** `-N`: no buffering (all SSE captures). */
    noBuffer: boolean;
    /** `--max-time N`: the stream was cut on purpose after N seconds. */
    maxTimeSeconds?: number;
  };
}

/** One SSE event block of a captured stream. */
export interface CaptureSseFrame {
  /** `id:` value, `undefined` when the block had none. */
  id?: string;
  /** `event:` value, `undefined` when the block had none. */
  event?: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** `data` parsed as JSON, when it is JSON. */
  json?: unknown;
  jsonError?: string;
  /** The block's text exactly as on the wire, without the blank line that ends it. */
  raw: string;
  /** False for a trailing block the stream cut off before its blank line. */
  terminated: boolean;
}

export interface CapturedSse {
  /** Event blocks in order (a cut-off trailing block is included with `terminated: false`). */
  frames: CaptureSseFrame[];
  /** The decoded SSE text (after de-chunking for `--raw`). */
  text: string;
  /** True when the last frame is `run_done` or `run_error` (the stream ended normally). */
  ended: boolean;
}

export interface CapturedResponse {
  httpVersion: string;
  status: number;
  statusText: string;
  /** Header lines in order, as received. */
  headers: CaptureHeader[];
  /** The body as sent by the application: de-chunked when the capture used `--raw`. */
  bodyText: string;
  /** The body bytes exactly as in the file (chunk framing included for `--raw`). */
  rawBodyText: string;
  /** For `--raw` chunked captures: each HTTP chunk's data, in order (the final empty chunk omitted). */
  chunks?: string[];
  /** True for `application/json` responses with a non-empty body. */
  isJson: boolean;
  /** The parsed JSON body (JSON responses only). */
  json?: unknown;
  jsonError?: string;
  /** For `text/event-stream` responses. */
  sse?: CapturedSse;
}

export interface Capture {
  /** File name, e.g. `049-events-hello.txt`. */
  file: string;
  /** The leading number, e.g. 49. */
  number: number;
  /** File name without number and extension, e.g. `events-hello`. */
  slug: string;
  /** The one-line description from fixtures/captures/README.md (empty when it has none). */
  title: string;
  kind: 'http' | 'other';
  /** The whole file. */
  text: string;
  /** Line 1 without `# `. */
  firstLine: string;
  /** Present for `kind: 'http'`. */
  request?: CurlRequest;
  /** Present for `kind: 'http'`. */
  response?: CapturedResponse;
  /** For `kind: 'other'`: why this is not an HTTP exchange. */
  reason?: string;
}

/** An HTTP capture: request and response are present. */
export type HttpCapture = Capture & { kind: 'http'; request: CurlRequest; response: CapturedResponse };

let cached: Capture[] | undefined;

/** Every capture file, parsed, in file order. */
export function loadCaptures(dir: string = CAPTURES_DIR): Capture[] {
  if (dir === CAPTURES_DIR && cached) return cached;
  const titles = readTitles(dir);
  const captures = readdirSync(dir)
    .filter((name) => /^\d{3}-.*\.txt$/.test(name))
    .sort()
    .map((file) => parseCapture(file, readFileSync(join(dir, file), 'utf8'), titles.get(file) ?? ''));
  if (dir === CAPTURES_DIR) cached = deepFreeze(captures);
  return captures;
}

/** Only the HTTP exchanges. */
export function loadHttpCaptures(dir?: string): HttpCapture[] {
  return loadCaptures(dir).filter(isHttpCapture);
}

/** One capture by file name or number (`49`, `'049-events-hello.txt'`); throws when missing. */
export function captureByFile(fileOrNumber: string | number): Capture {
  const found = loadCaptures().find((c) => (typeof fileOrNumber === 'number' ? c.number === fileOrNumber : c.file === fileOrNumber));
  if (!found) throw new Error(`no capture ${String(fileOrNumber)} in ${CAPTURES_DIR}`);
  return found;
}

export function isHttpCapture(capture: Capture): capture is HttpCapture {
  return capture.kind === 'http' && capture.request !== undefined && capture.response !== undefined;
}

/** Parses one capture file's text. */
export function parseCapture(file: string, text: string, title = ''): Capture {
  const number = Number(file.slice(0, 3));
  const slug = file.replace(/^\d{3}-/, '').replace(/\.txt$/, '');
  const newline = text.indexOf('\n');
  const firstLine = (newline < 0 ? text : text.slice(0, newline)).replace(/^# /, '');
  const rest = newline < 0 ? '' : text.slice(newline + 1);
  const base = { file, number, slug, title, text, firstLine };
  const known = NON_HTTP_CAPTURES[file];
  if (!firstLine.startsWith('curl ')) return { ...base, kind: 'other', reason: known ?? 'line 1 is not a curl command' };
  if (!rest.startsWith('HTTP/')) return { ...base, kind: 'other', reason: known ?? 'curl printed no HTTP response' };
  const request = parseCurl(firstLine);
  return { ...base, kind: 'http', request, response: parseResponse(rest, request) };
}

// ---------------------------------------------------------------------------------------------
// Requests

/** Reconstructs the request from a curl command line (as written in the captures). */
export function parseCurl(command: string): CurlRequest {
  const args = shellWords(command);
  if (args[0] !== 'curl') throw new Error(`not a curl command: ${command}`);
  const headers: CaptureHeader[] = [];
  const curl: CurlRequest['curl'] = { head: false, raw: false, noBuffer: false };
  let method: string | undefined;
  let body: string | undefined;
  let url: string | undefined;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i] ?? '';
    const next = (): string => {
      const value = args[++i];
      if (value === undefined) throw new Error(`curl option ${arg} without a value in: ${command}`);
      return value;
    };
    if (arg === '-X' || arg === '--request') method = next();
    else if (arg === '-H' || arg === '--header') headers.push(headerLine(next()));
    else if (arg === '-d' || arg === '--data' || arg === '--data-raw') body = next();
    else if (arg === '--max-time' || arg === '-m') curl.maxTimeSeconds = Number(next());
    else if (arg === '--raw') curl.raw = true;
    else if (arg === '-I' || arg === '--head') curl.head = true;
    else if (/^\d*>/.test(arg)) continue; // shell redirection such as 2>&1
    else if (arg.startsWith('-')) {
      // Short flag bundles like -sS, -i, -N: only -N and -I matter here.
      if (/^-[a-zA-Z]+$/.test(arg)) {
        if (arg.includes('N')) curl.noBuffer = true;
        if (arg.includes('I')) curl.head = true;
      }
    } else url = arg;
  }
  if (url === undefined) throw new Error(`curl command without a URL: ${command}`);
  const target = url.replace(/^\$BASE/, '') || '/';
  const q = target.indexOf('?');
  const request: CurlRequest = {
    command,
    method: method ?? (curl.head ? 'HEAD' : body !== undefined ? 'POST' : 'GET'),
    url,
    target,
    pathname: q < 0 ? target : target.slice(0, q),
    search: q < 0 ? '' : target.slice(q),
    headers,
    curl,
  };
  if (body !== undefined) {
    request.body = body;
    request.contentType = findHeader(headers, 'content-type') ?? 'application/x-www-form-urlencoded';
  }
  return request;
}

function headerLine(raw: string): CaptureHeader {
  const colon = raw.indexOf(':');
  if (colon < 0) return { name: raw.trim(), value: '', raw };
  return { name: raw.slice(0, colon).trim(), value: raw.slice(colon + 1).trim(), raw };
}

/** POSIX-shell word splitting for the quoting the captures use ('…', "…", backslashes). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '"') {
      i++;
      for (; i < line.length && line[i] !== '"'; i++) {
        const c = line[i] ?? '';
        const n = line[i + 1] ?? '';
        // Inside double quotes a backslash escapes only $ ` " \ (the placeholders stay literal).
        if (c === '\\' && '$`"\\'.includes(n)) {
          word += n;
          i++;
        } else word += c;
      }
      if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
      inWord = true;
    } else if (ch === '\\') {
      word += line[++i] ?? '';
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

// ---------------------------------------------------------------------------------------------
// Responses

function parseResponse(text: string, request: CurlRequest): CapturedResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('response without the blank line after its headers');
  const lines = text.slice(0, end).split('\r\n');
  const statusLine = /^(HTTP\/[\d.]+) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!statusLine) throw new Error(`bad status line: ${lines[0] ?? ''}`);
  const headers = lines.slice(1).map(headerLine);
  const rawBodyText = text.slice(end + 4);
  const response: CapturedResponse = {
    httpVersion: statusLine[1] ?? '',
    status: Number(statusLine[2]),
    statusText: statusLine[3] ?? '',
    headers,
    bodyText: rawBodyText,
    rawBodyText,
    isJson: false,
  };
  if (request.curl.raw && /chunked/i.test(findHeader(headers, 'transfer-encoding') ?? '')) {
    response.chunks = dechunk(rawBodyText);
    response.bodyText = response.chunks.join('');
  }
  const contentType = findHeader(headers, 'content-type') ?? '';
  if (/^application\/json\b/i.test(contentType) && response.bodyText !== '') {
    response.isJson = true;
    try {
      response.json = JSON.parse(response.bodyText) as unknown;
    } catch (error) {
      response.jsonError = error instanceof Error ? error.message : String(error);
    }
  }
  if (/^text\/event-stream\b/i.test(contentType)) response.sse = parseSse(response.bodyText);
  return response;
}

/** Splits an HTTP/1.1 chunked body into its chunks' data (sizes count bytes, not characters). */
export function dechunk(raw: string): string[] {
  const bytes = Buffer.from(raw, 'utf8');
  const chunks: string[] = [];
  let pos = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', pos);
    if (lineEnd < 0) throw new Error(`chunked body: no size line at byte ${pos}`);
    const size = parseInt(bytes.subarray(pos, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) throw new Error(`chunked body: bad size line at byte ${pos}`);
    pos = lineEnd + 2;
    if (size === 0) return chunks;
    chunks.push(bytes.subarray(pos, pos + size).toString('utf8'));
    pos += size;
    if (bytes.subarray(pos, pos + 2).toString('latin1') !== '\r\n') throw new Error(`chunked body: chunk at byte ${pos} not followed by CRLF`);
    pos += 2;
  }
}

/**
 * Parses SSE text into event blocks, keeping each block's raw text. Field rules follow the SSE
 * spec (one optional space after the colon, repeated `data:` lines joined by `\n`, comments
 * ignored); lines end at LF, CRLF or CR.
 */
export function parseSse(text: string): CapturedSse {
  const frames: CaptureSseFrame[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  // A text ending in a line break leaves one empty string after the last one: not a line.
  const endsWithBreak = /[\r\n]$/.test(text);
  if (endsWithBreak || text === '') lines.pop();
  let block: string[] = [];
  const flush = (terminated: boolean): void => {
    if (block.length === 0) return;
    const frame: CaptureSseFrame = { data: '', raw: block.join('\n'), terminated };
    const data: string[] = [];
    for (const line of block) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'id') frame.id = value;
      else if (field === 'event') frame.event = value;
      else if (field === 'data') data.push(value);
    }
    frame.data = data.join('\n');
    if (data.length > 0) {
      try {
        frame.json = JSON.parse(frame.data) as unknown;
      } catch (error) {
        frame.jsonError = error instanceof Error ? error.message : String(error);
      }
    }
    frames.push(frame);
    block = [];
  };
  lines.forEach((line, index) => {
    if (line === '') flush(true);
    else {
      block.push(line);
      // The last line without a following blank line belongs to a block the stream cut off.
      if (index === lines.length - 1) flush(false);
    }
  });
  const last = frames[frames.length - 1];
  const ended = last !== undefined && last.terminated && (last.event === 'run_done' || last.event === 'run_error');
  return { frames, text, ended };
}

// ---------------------------------------------------------------------------------------------
// Routing

/** How the Go daemon routed a captured request. */
export type CaptureRoute =
  | { kind: 'operation'; operationId: OperationId; params: Record<string, string> }
  /** A known path with a method no operation has: the daemon answers 405. */
  | { kind: 'method_not_allowed'; operations: OperationInfo[] }
  /** No route: the daemon answers 404 `route not found` (or 401 first, without a token). */
  | { kind: 'unknown_route' };

/**
 * Routes a capture the way Go's daemon does: the path is percent-decoded before matching (so
 * `a%2Fb` becomes a real `/` and matches nothing), then matched segment by segment. Non-HTTP
 * captures give `undefined`.
 */
export function routeFor(capture: Capture): CaptureRoute | undefined {
  if (!isHttpCapture(capture)) return undefined;
  const path = goPath(capture.request.pathname);
  const match = matchOperation(capture.request.method, path);
  if (match) return { kind: 'operation', ...match };
  const atPath = operationsAtPath(path);
  if (atPath.length > 0) return { kind: 'method_not_allowed', operations: atPath };
  return { kind: 'unknown_route' };
}

/** The operation a capture exercises; `undefined` for unknown routes, 405s on unmatched methods and non-HTTP captures. */
export function operationFor(capture: Capture): OperationId | undefined {
  const route = routeFor(capture);
  return route?.kind === 'operation' ? route.operationId : undefined;
}

/** Go's `r.URL.Path`, re-encoded per segment so a decoded `/` stays a separator. */
function goPath(pathname: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    decoded = pathname;
  }
  return decoded
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** The first header with this name (case-insensitive), trimmed; `undefined` when absent. */
export function findHeader(headers: readonly CaptureHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** Every value of a header, in order (captures 013/014 send `Authorization` twice). */
export function findHeaders(headers: readonly CaptureHeader[], name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter((h) => h.name.toLowerCase() === lower).map((h) => h.value);
}

/**
 * The captured request ready to replay against another daemon: `$BASE` and `$TOKEN` substituted,
 * headers as ordered pairs (duplicates kept; a `Headers` object would merge them), the implicit
 * curl Content-Type added for `-d` without one. The token never leaves this object.
 */
export function replayRequest(request: CurlRequest, options: { baseUrl: string; token: string }): { method: string; url: string; headers: [string, string][]; body?: string } {
  const sub = (text: string): string => text.split('$TOKEN').join(options.token);
  const headers: [string, string][] = request.headers.map((h) => [h.name, sub(h.value)]);
  if (request.body !== undefined && findHeader(request.headers, 'content-type') === undefined) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  const out: { method: string; url: string; headers: [string, string][]; body?: string } = {
    method: request.method,
    url: options.baseUrl.replace(/\/+$/, '') + request.target,
    headers,
  };
  if (request.body !== undefined) out.body = sub(request.body);
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** `- \`NNN-name.txt\`: description` lines of the captures README. */
function readTitles(dir: string): Map<string, string> {
  const titles = new Map<string, string>();
  let readme: string;
  try {
    readme = readFileSync(join(dir, 'README.md'), 'utf8');
  } catch {
    return titles;
  }
  for (const match of readme.matchAll(/^- `(\d{3}-[^`]+\.txt)`: (.*)$/gm)) {
    if (match[1] !== undefined && match[2] !== undefined) titles.set(match[1], match[2].trim());
  }
  return titles;
}
