/**
 * Specificity for the error checks: every captured Go error answer passes the suite's own error
 * assertion (status, application/json, the envelope and its spec schema) with the code the
 * checks expect for that status.
 */
import { describe, expect, it } from 'vitest';
import { expectError } from '../../conformance/expect.js';
import type { HttpResult } from '../../src/protocol/http-client.js';
import { loadHttpCaptures } from '../support/captures.js';

const CODE_FOR_STATUS: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 500: 'internal' };
const errors = loadHttpCaptures().filter((c) => c.response.status >= 400 && c.response.bodyText !== '');

describe("the Go daemon's captured error answers pass the suite's error assertion", () => {
  it('has error answers to check', () => {
    expect(errors.length).toBeGreaterThanOrEqual(40);
  });

  it.each(errors.map((c) => [c.file, c] as const))('%s', (_file, capture) => {
    const { response } = capture;
    const headers = new Headers();
    for (const header of response.headers) headers.append(header.name, header.value);
    const result: HttpResult = {
      status: response.status,
      headers,
      text: response.bodyText,
      json: response.json,
      tokenSeen: false,
      exchange: { method: 'GET', url: capture.file, requestHeaders: {}, durationMs: 0 },
    };
    const code = CODE_FOR_STATUS[response.status];
    expect(code, `no expected code for HTTP ${response.status}`).toBeDefined();
    expect(() => expectError(result, response.status, code ?? '')).not.toThrow();
  });
});
