/**
 * Assertions for client cases: how the client ended, what it printed, what it sent. A broken
 * rule is a `CheckFailure`, the daemon suite's own, so results and reports are the same.
 */
import { CheckFailure } from '../conformance/expect.js';
import type { ClientOutcome, Judgement, RecordedRequest } from './types.js';

export function fail(message: string): never {
  throw new CheckFailure(message);
}

export function describeOutcome(outcome: ClientOutcome): string {
  if (outcome.flooded) return 'was killed for flooding its output';
  if (outcome.timedOut) return `was killed after ${outcome.durationMs} ms (still running at the case deadline)`;
  if (outcome.signal !== null) return `died from ${outcome.signal}`;
  return `exited ${String(outcome.exitCode)}`;
}

const tail = (text: string): string => {
  const t = text.trim();
  return t === '' ? '(nothing)' : JSON.stringify(t.length > 200 ? `…${t.slice(-200)}` : t);
};

/** The client finished the run as a success: exit 0, on its own. */
export function expectSuccess(j: Judgement, why: string): void {
  const { outcome } = j;
  if (outcome.exitCode === 0 && !outcome.timedOut && !outcome.flooded) return;
  fail(`${why}: expected the client to succeed (exit 0), but it ${describeOutcome(outcome)}; stderr ${tail(outcome.stderr)}`);
}

/** The client reported a failure: a non-zero exit, on its own (not killed, not crashed by a signal). */
export function expectFailure(j: Judgement, why: string): void {
  const { outcome } = j;
  if (outcome.timedOut || outcome.flooded) fail(`${why}: expected the client to fail on its own, but it ${describeOutcome(outcome)}`);
  if (outcome.exitCode === 0) fail(`${why}: expected a failing exit, but the client exited 0 (it reported success); stdout ${tail(outcome.stdout)}`);
  if (outcome.signal !== null && !outcome.interrupted) fail(`${why}: expected a failing exit, but the client ${describeOutcome(outcome)}`);
}

/** The client's output (stdout and stderr) mentions `text`: the clear message a user needs. */
export function expectMentions(j: Judgement, text: string, why: string): void {
  if (j.outcome.stdout.includes(text) || j.outcome.stderr.includes(text)) return;
  fail(`${why}: expected the output to mention ${JSON.stringify(text)}; stdout ${tail(j.outcome.stdout)}, stderr ${tail(j.outcome.stderr)}`);
}

export function occurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** The answer's text appears exactly once on stdout (neither lost nor doubled). */
export function expectPrintedOnce(j: Judgement, text: string, why: string): void {
  const count = occurrences(j.outcome.stdout, text);
  if (count === 1) return;
  const shown = text.length > 40 ? `${JSON.stringify(text.slice(0, 20))}…(${text.length} chars)` : JSON.stringify(text);
  fail(`${why}: expected ${shown} exactly once on stdout, found it ${count} times; stdout ${tail(j.outcome.stdout)}`);
}

const pathOf = (request: RecordedRequest): string => request.path.split('?')[0] ?? '';

export function decodedPath(request: RecordedRequest): string {
  try {
    return decodeURIComponent(pathOf(request));
  } catch {
    return pathOf(request);
  }
}

export const isStart = (r: RecordedRequest): boolean => r.method === 'POST' && /^\/v1\/sessions\/.+\/runs$/.test(pathOf(r));
export const isDecision = (r: RecordedRequest): boolean => r.method === 'POST' && /^\/v1\/runs\/[^/]+\/permissions\/[^/]+\/decision$/.test(pathOf(r));
export const isCancel = (r: RecordedRequest): boolean => r.method === 'DELETE' && /^\/v1\/runs\/[^/]+$/.test(pathOf(r));
export const isEventsGet = (r: RecordedRequest): boolean => r.method === 'GET' && (/^\/v1\/runs\/[^/]+\/events$/.test(pathOf(r)) || /^\/v1\/moved\//.test(pathOf(r)));

export function starts(j: Judgement): RecordedRequest[] {
  return j.requests.filter(isStart);
}

export function expectStarted(j: Judgement): RecordedRequest {
  const start = starts(j)[0];
  if (start === undefined) fail(`the client never started a run (POST /v1/sessions/{id}/runs); it sent ${summarizeRequests(j.requests)} and ${describeOutcome(j.outcome)}`);
  return start;
}

export function summarizeRequests(requests: readonly RecordedRequest[]): string {
  if (requests.length === 0) return 'no request';
  const shown = requests.slice(0, 6).map((r) => `${r.method} ${r.path}`);
  return shown.join(', ') + (requests.length > 6 ? ` (+${requests.length - 6} more)` : '');
}

export function bodyJson(request: RecordedRequest): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(request.body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Does the request carry the token anywhere (any header, the URL, the body)? */
export function carriesToken(request: RecordedRequest, token: string): boolean {
  return request.path.includes(token) || request.body.includes(token) || Object.values(request.headers).some((v) => v.includes(token));
}
