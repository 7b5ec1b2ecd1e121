/**
 * A minimal reader of the reference captures (fixtures/captures/NNN-name.txt): the curl command on
 * line 1 becomes a request description, the rest a status line, headers and body. Files that are
 * not curl exchanges (startup stdout, metadata and store files, timings) come back as `other`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../src/protocol/package-root.js';

export interface CapturedRequest {
  method: string;
  /** URL path + query after `$BASE`, still percent-encoded and with the captured ids. */
  target: string;
  headers: Array<[string, string]>;
  body?: string;
  /** `--max-time`: the reader gave up, so the captured stream is a prefix. */
  cutShort: boolean;
  raw: boolean;
}

export interface CapturedResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

export type Capture =
  | { number: number; file: string; kind: 'exchange'; command: string; request: CapturedRequest; response: CapturedResponse }
  | { number: number; file: string; kind: 'refused'; command: string; request: CapturedRequest; output: string }
  | { number: number; file: string; kind: 'other'; command: string; text: string };

/** Shell words of a curl command line: '…' literal, "…" with \" and \\ escapes. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (ch === ' ') {
      if (current !== undefined) words.push(current);
      current = undefined;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      current = (current ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      let text = '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
        text += line[i];
      }
      current = (current ?? '') + text;
    } else {
      current = (current ?? '') + ch;
    }
  }
  if (current !== undefined) words.push(current);
  return words;
}

export function parseCurl(command: string): CapturedRequest {
  const words = shellWords(command);
  let method: string | undefined;
  let body: string | undefined;
  let target = '';
  let cutShort = false;
  let raw = false;
  const headers: Array<[string, string]> = [];
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '-X') method = words[++i];
    else if (word === '-I') method = 'HEAD';
    else if (word === '-H') {
      const header = words[++i] ?? '';
      const colon = header.indexOf(':');
      headers.push([header.slice(0, colon), header.slice(colon + 1)]);
    } else if (word === '-d') body = words[++i];
    else if (word === '--max-time') {
      cutShort = true;
      i++;
    } else if (word === '--raw') raw = true;
    else if (word.startsWith('$BASE')) target = word.slice('$BASE'.length);
  }
  if (body !== undefined && !headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']); // what curl -d sends
  }
  return { method: method ?? (body !== undefined ? 'POST' : 'GET'), target, headers, body, cutShort, raw };
}

export function parseCapture(file: string, text: string): Capture {
  const number = Number(file.slice(0, 3));
  const newline = text.indexOf('\n');
  const command = text.slice(2, newline);
  const rest = text.slice(newline + 1);
  if (!command.startsWith('curl ')) return { number, file, kind: 'other', command, text: rest };
  const request = parseCurl(command);
  if (!rest.startsWith('HTTP/')) return { number, file, kind: 'refused', command, request, output: rest };
  const headerEnd = rest.indexOf('\r\n\r\n');
  const head = rest.slice(0, headerEnd).split('\r\n');
  const status = Number((head[0] ?? '').split(' ')[1]);
  const headers = new Map<string, string>();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { number, file, kind: 'exchange', command, request, response: { status, headers, body: rest.slice(headerEnd + 4) } };
}

export function loadCaptures(): Capture[] {
  const dir = packagePath('fixtures', 'captures');
  return readdirSync(dir)
    .filter((file) => /^\d{3}-.*\.txt$/.test(file))
    .sort()
    .map((file) => parseCapture(file, readFileSync(join(dir, file), 'utf8')));
}

/** The body of a `--raw` capture without its chunked framing, plus the chunks. */
export function unchunk(body: string): { text: string; chunks: string[] } {
  const chunks: string[] = [];
  let rest = Buffer.from(body, 'utf8');
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd < 0) break;
    const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size).toString('utf8'));
    rest = rest.subarray(lineEnd + 2 + size + 2);
  }
  return { text: chunks.join(''), chunks };
}
