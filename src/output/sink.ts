/**
 * Where output leaves the process. Every console line, report and error message the CLIs write
 * goes through a sink, and a sink applies the one redaction step (`redact.ts`) to all of it, so a
 * new reporter is safe by construction: it returns text, the sink writes it.
 *
 * Two kinds of text:
 * - `lines`: human text for a console or a log (pretty reporter, progress, errors). Each entry is
 *   one line: it is redacted, every control character in it (a newline included) becomes a visible
 *   escape, and only then are the reporter's style markers turned into colours (or dropped).
 * - `document`: a machine report (JSON, JUnit XML…), faithful to the data: redacted, nothing else.
 *   Its format escapes what it cannot hold (see the json and junit reporters).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { CONTROL_CHARS, escapeControl } from './escape.js';
import type { Redactor } from './redact.js';
import { applyStyles } from './style.js';
import { wrapLine } from './wrap.js';

/** Largest text one sink writes; past it the output ends with a line saying so (never silently). */
export const MAX_SINK_BYTES = 64 * 1024 * 1024;
const DEFAULT_WIDTH = 80;
/** Longest console line (before wrapping); longer ones are cut with how much more there was. */
export const MAX_LINE_CHARS = 16 * 1024;

export interface OutputSink {
  /** Human text: a string is split at its newlines; an array is one line per entry (see `toLines`). */
  lines(lines: string | readonly string[]): void;
  /** A machine-readable document, written as is after redaction. */
  document(text: string): void;
  /**
   * A TTY status line that the next write replaces (`3/95 checks done`), or `undefined` to clear
   * it. The erase sequence is the sink's own; the text is treated like a console line.
   */
  progress(text: string | undefined): void;
}

export interface SinkOptions {
  redactor: Redactor;
  /** Turn style markers into ANSI colours (a TTY without NO_COLOR). Default false. */
  color?: boolean;
  /** Columns console lines wrap at, after redaction (default 80; 0 = never). */
  width?: number;
  maxBytes?: number;
}

/** One console line: redacted, controls escaped, wrapped, styles applied; may become several lines. */
export function renderLine(line: string, redactor: Redactor, color = false, width = 0): string {
  // Redact again after escaping: an escape must not complete a secret either.
  let safe = redactor.redact(redactor.redact(line).replace(CONTROL_CHARS, escapeControl));
  // Cut after redaction, so a cut cannot split a secret.
  if (safe.length > MAX_LINE_CHARS) safe = `${safe.slice(0, MAX_LINE_CHARS)}… (${safe.length - MAX_LINE_CHARS} more characters)`;
  return (width > 0 ? wrapLine(safe, width) : [safe]).map((l) => applyStyles(l, color)).join('\n');
}

/**
 * A string is text the kit wrote (help, a message with its own line breaks): split at newlines.
 * An array holds one line per entry: a newline inside an entry came from data and is escaped,
 * so a peer cannot start a line of its own (a fake verdict).
 */
function toLines(input: string | readonly string[]): string[] {
  return typeof input === 'string' ? input.replace(/\n$/, '').split('\n') : [...input];
}

function limiter(maxBytes: number): (text: string) => string | undefined {
  let written = 0;
  let stopped = false;
  return (text) => {
    if (stopped) return undefined;
    const size = Buffer.byteLength(text);
    if (written + size <= maxBytes) {
      written += size;
      return text;
    }
    stopped = true;
    return `\n[output truncated: more than ${maxBytes} bytes]\n`;
  };
}

/** A sink over a stream (stdout, stderr). */
export function createStreamSink(stream: NodeJS.WritableStream, options: SinkOptions): OutputSink {
  const limit = limiter(options.maxBytes ?? MAX_SINK_BYTES);
  const write = (text: string): void => {
    const allowed = limit(text);
    if (allowed !== undefined) stream.write(allowed);
  };
  return {
    lines: (input) => write(toLines(input).map((l) => `${renderLine(l, options.redactor, options.color ?? false, options.width ?? DEFAULT_WIDTH)}\n`).join('')),
    document: (text) => write(options.redactor.redact(text)),
    progress: (text) => write(`\r\u001b[K${text === undefined ? '' : renderLine(text, options.redactor, options.color ?? false)}`),
  };
}

/** A sink that writes one file: the first write creates (or truncates) it, later ones append. */
export function createFileSink(path: string, options: Omit<SinkOptions, 'color'>): OutputSink {
  let started = false;
  const limit = limiter(options.maxBytes ?? MAX_SINK_BYTES);
  const write = (text: string): void => {
    const allowed = limit(text);
    if (allowed === undefined) return;
    if (started) appendFileSync(path, allowed);
    else writeFileSync(path, allowed);
    started = true;
  };
  return {
    lines: (input) => write(toLines(input).map((l) => `${renderLine(l, options.redactor, false, options.width ?? DEFAULT_WIDTH)}\n`).join('')),
    document: (text) => write(options.redactor.redact(text)),
    progress: () => undefined,
  };
}
