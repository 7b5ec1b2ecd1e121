/**
 * One exchange as lines of text, shared by the console, Markdown and HTML reporters: request
 * line and headers (`>`), status, headers and body (`<`) with an event stream kept one SSE line
 * per line (not flattened into one huge line), and a transport error (`!`).
 */
import type { Exchange } from '../../src/protocol/http-client.js';
import { isEventStream } from '../exchange-focus.js';

const JSON_BODY_CHARS = 1500;

export function exchangeLines(exchange: Exchange): string[] {
  const lines = [`> ${exchange.method} ${exchange.url}`];
  for (const [name, value] of Object.entries(exchange.requestHeaders)) lines.push(`> ${name}: ${value}`);
  if (exchange.requestBody !== undefined) lines.push(`> ${flat(exchange.requestBody, JSON_BODY_CHARS)}`);
  if (exchange.status !== undefined) {
    lines.push(`< ${exchange.status}${exchange.durationMs > 0 ? ` (${exchange.durationMs} ms)` : ''}`);
    for (const [name, value] of Object.entries(exchange.responseHeaders ?? {})) lines.push(`< ${name}: ${value}`);
    const body = exchange.responseBody;
    if (body) {
      if (isEventStream(exchange.responseHeaders)) {
        // Frames as sent; the runner already cut the stream around the frame that matters.
        for (const line of body.replace(/\n+$/, '').split(/\r\n|\r|\n/)) lines.push(line === '' ? '<' : `< ${line}`);
      } else lines.push(`< ${flat(body, JSON_BODY_CHARS)}`);
    }
  }
  if (exchange.error) lines.push(`! ${exchange.error}`);
  return lines;
}

/** A one-line title: `GET /v1/runs/run_1/events → 200`. */
export function exchangeTitle(exchange: Exchange): string {
  let path = exchange.url;
  try {
    const url = new URL(exchange.url);
    path = url.pathname + url.search;
  } catch {
    // keep the raw text
  }
  const outcome = exchange.status !== undefined ? String(exchange.status) : exchange.error ? `error: ${exchange.error}` : 'no response';
  return `${exchange.method} ${path} → ${outcome}`;
}

function flat(text: string, max: number): string {
  const one = text.replace(/\n$/, '').replace(/\r?\n/g, '\\n');
  return one.length <= max ? one : `${one.slice(0, max)}… (${one.length - max} more characters)`;
}

/**
 * Wraps one line to `width` columns: breaks at spaces, hard-breaks a longer word, and indents
 * continuation lines by `hang` spaces beyond the line's own indent.
 */
export function wrapLine(line: string, width = 80, hang = 2): string[] {
  if ([...line].length <= width) return [line];
  const indent = /^ */.exec(line)?.[0] ?? '';
  const next = indent + ' '.repeat(hang);
  const out: string[] = [];
  let current = '';
  let prefix = indent;
  const words = line.slice(indent.length).split(' ');
  const flush = (): void => {
    out.push(prefix + current);
    prefix = next;
    current = '';
  };
  for (const word of words) {
    let rest = word;
    for (;;) {
      const room = width - prefix.length - (current === '' ? 0 : current.length + 1);
      if ([...rest].length <= room) {
        current = current === '' ? rest : `${current} ${rest}`;
        break;
      }
      // A word that fits on a fresh line moves there; a longer one starts right here.
      if (current !== '' && ([...rest].length <= width - next.length || room < 8)) {
        flush();
        continue;
      }
      if (current !== '') {
        const chars = [...rest];
        out.push(`${prefix}${current} ${chars.slice(0, room).join('')}`);
        prefix = next;
        current = '';
        rest = chars.slice(room).join('');
        if (rest === '') break;
        continue;
      }
      // A word longer than the line: cut it.
      const chars = [...rest];
      const take = Math.max(1, width - prefix.length);
      out.push(prefix + chars.slice(0, take).join(''));
      prefix = next;
      rest = chars.slice(take).join('');
      if (rest === '') break;
    }
  }
  if (current !== '') out.push(prefix + current);
  return out;
}

export function wrapLines(lines: readonly string[], width = 80, hang = 2): string[] {
  return lines.flatMap((line) => wrapLine(line, width, hang));
}
