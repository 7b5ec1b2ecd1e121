/**
 * Assertions for check bodies. A failure is thrown as `CheckFailure` carrying the exchange it is
 * about, so the report can show expected vs actual next to what went over the wire.
 */
import type { Exchange, HttpResult } from '../src/protocol/http-client.js';
import type { OperationId } from '../src/protocol/operations.js';
import { validateResponse, validateSchema } from '../src/protocol/validator.js';

export class CheckFailure extends Error {
  constructor(
    message: string,
    readonly exchange?: Exchange,
    /**
     * The check whose rule the failing step is about, when it is not the running check's own
     * (a run that would not start, a stream that would not open): the report then names that
     * first broken rule instead of blaming the later one.
     */
    readonly rule?: string,
  ) {
    super(message);
    this.name = 'CheckFailure';
  }
}

/**
 * The check could not test its rule through its own slowness, not the daemon's fault (its
 * permission request expired, by the daemon's own expires_at, before the check answered it): the
 * runner runs the check again, and reports this as its failure only when every run was cut short.
 */
export class CheckInconclusive extends CheckFailure {
  override name = 'CheckInconclusive';
}

/** Re-throws a failure of a prerequisite step as one about `rule` (other errors pass through). */
export async function asPrerequisite<T>(rule: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof CheckFailure && error.rule === undefined) throw new CheckFailure(error.message, error.exchange, rule);
    throw error;
  }
}

/** Thrown by a check that finds at run time that it cannot apply (the reason is reported). */
export class CheckSkip extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CheckSkip';
  }
}

export function fail(message: string, exchange?: Exchange, rule?: string): never {
  throw new CheckFailure(message, exchange, rule);
}

/** A short, single-line rendering of a value for messages. */
export function show(value: unknown, max = 300): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'string') text = JSON.stringify(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function label(result: HttpResult): string {
  return `${result.exchange.method} ${pathOf(result.exchange.url)}`;
}

function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

export function expectStatus(result: HttpResult, want: number | readonly number[]): void {
  const wanted = typeof want === 'number' ? [want] : want;
  if (!wanted.includes(result.status)) {
    fail(`expected HTTP ${wanted.join(' or ')} from ${label(result)}, got ${result.status} ${show(result.text.trim(), 200)}`, result.exchange);
  }
}

/** JSON bodies are `application/json` (parameters such as charset are tolerated). */
export function expectJsonContentType(result: HttpResult): void {
  const type = result.headers.get('content-type');
  if (type === null || type.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    fail(`expected Content-Type application/json from ${label(result)}, got ${show(type)}`, result.exchange);
  }
}

export function expectJsonObject(result: HttpResult): Record<string, unknown> {
  if (!isObject(result.json)) {
    fail(`expected a JSON object from ${label(result)}, got ${result.jsonError ?? show(result.json)}`, result.exchange);
  }
  return result.json;
}

/** Status, content type and body validate against the spec for this operation. */
export function expectValid(operationId: OperationId, result: HttpResult, status: number): Record<string, unknown> {
  expectStatus(result, status);
  expectJsonContentType(result);
  const body = expectJsonObject(result);
  const verdict = validateResponse(operationId, result.status, body);
  if (!verdict.ok) {
    fail(`${label(result)} ${result.status} body does not match the spec (${operationId}): ${verdict.errors.slice(0, 5).join('; ')}`, result.exchange);
  }
  return body;
}

export const ERROR_CODES = ['invalid_request', 'unauthorized', 'forbidden', 'not_found', 'method_not_allowed', 'conflict', 'canceled', 'provider_error', 'internal'] as const;

/**
 * The error answer: the given status, `application/json`, and `{"error":{"code","message","retryable"}}`
 * with the given code and a non-empty message. Returns the message.
 */
export function expectError(result: HttpResult, status: number, code: string): string {
  expectStatus(result, status);
  expectJsonContentType(result);
  const body = expectJsonObject(result);
  const error = body['error'];
  if (!isObject(error)) fail(`expected an error envelope {"error":{…}} from ${label(result)}, got ${show(body)}`, result.exchange);
  if (error['code'] !== code) fail(`expected error code ${show(code)} from ${label(result)}, got ${show(error['code'])}`, result.exchange);
  if (typeof error['message'] !== 'string' || error['message'] === '') {
    fail(`expected a non-empty error.message from ${label(result)}, got ${show(error['message'])}`, result.exchange);
  }
  if (typeof error['retryable'] !== 'boolean') fail(`expected a boolean error.retryable from ${label(result)}, got ${show(error['retryable'])}`, result.exchange);
  const verdict = validateSchema('ErrorEnvelope', body);
  if (!verdict.ok) fail(`${label(result)} error body does not match the spec's ErrorEnvelope: ${verdict.errors.slice(0, 5).join('; ')}`, result.exchange);
  return error['message'];
}

export function expectEqual(actual: unknown, expected: unknown, what: string, exchange?: Exchange): void {
  if (!deepEqual(actual, expected)) fail(`expected ${what} to be ${show(expected)}, got ${show(actual)}`, exchange);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
