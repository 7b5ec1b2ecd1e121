/**
 * What one check result and one report may hold, so a daemon that sends huge values (3.9 MB event
 * type names, kilobytes of headers) costs the suite bounded memory and bounded report bytes.
 * Past a cap the text is cut with `… (N more characters)` or the detail is left out with a note:
 * never silently.
 */
import { detach, type Exchange } from '../src/protocol/http-client.js';
import type { CheckResult } from './types.js';

/**
 * What the suite reads from the daemon. The kit's run texts produce events of a few hundred bytes
 * and streams of a few KB on the Go daemon; these caps are three orders of magnitude above that.
 * Past one, the request or stream fails with the reason (`response body larger than …`,
 * `event larger than …`), and the check fails.
 */
export const WIRE_LIMITS = {
  /** One JSON response body. */
  bodyBytes: 8 * 1024 * 1024,
  /** One SSE event (bytes since the previous one). */
  eventBytes: 1024 * 1024,
  /** One SSE stream. */
  streamBytes: 8 * 1024 * 1024,
} as const;

export const RESULT_LIMITS = {
  /** Characters of a failure or skip message. */
  messageChars: 4000,
  /** Notes kept per check, and characters per note. */
  notes: 20,
  noteChars: 1000,
  /** Exchanges kept per check (the one a failure points at first). */
  exchanges: 20,
  /** Characters of notes and exchanges across the whole report; past it, results keep their message only. */
  reportDetailChars: 4 * 1024 * 1024,
  /** Characters of one event type (or id) when a message names it. */
  nameChars: 80,
} as const;

function exchangeSize(exchange: Exchange): number {
  let size = exchange.url.length + (exchange.requestBody?.length ?? 0) + (exchange.responseBody?.length ?? 0) + (exchange.error?.length ?? 0);
  for (const [name, value] of Object.entries(exchange.requestHeaders)) size += name.length + value.length;
  for (const [name, value] of Object.entries(exchange.responseHeaders ?? {})) size += name.length + value.length;
  return size;
}

function detailSize(result: CheckResult): number {
  return result.notes.reduce((n, note) => n + note.length, 0) + result.exchanges.reduce((n, e) => n + exchangeSize(e), 0);
}

/** Keeps the report's details under `RESULT_LIMITS.reportDetailChars`, result by result as they finish. */
export function createDetailBudget(limit: number = RESULT_LIMITS.reportDetailChars): (result: CheckResult) => CheckResult {
  let left = limit;
  return (result) => {
    let fitted = result;
    if (detailSize(fitted) > left) fitted = { ...result, notes: result.notes.slice(0, 3), exchanges: result.exchanges.slice(0, 1) };
    if (detailSize(fitted) > left) fitted = { ...result, notes: [], exchanges: [] };
    if (fitted !== result) fitted.notes.push(`details left out: the report's size cap (${limit} characters of notes and exchanges) was reached`);
    left -= Math.min(left, detailSize(fitted));
    return fitted;
  };
}

/** A name taken from the peer (event type, id), shortened for messages. */
export function shortName(name: string | undefined): string {
  if (name === undefined) return '?';
  return name.length <= RESULT_LIMITS.nameChars ? name : `${detach(name.slice(0, RESULT_LIMITS.nameChars))}…(${name.length} chars)`;
}
