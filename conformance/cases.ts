/**
 * Table-driven error expectations: several requests that must each get one status and code.
 * The first mismatch fails the check with that request's exchange.
 */
import { expectError } from './expect.js';
import type { CheckContext } from './types.js';

export interface ErrorCase {
  method: string;
  path: string;
  /** A string is sent verbatim (broken JSON); an object as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** Only applies when the daemon advertises this capability. */
  capability?: string;
}

export async function expectErrorCases(ctx: CheckContext, cases: readonly ErrorCase[]): Promise<void> {
  for (const c of cases) {
    if (c.capability !== undefined && !ctx.capabilities.has(c.capability)) continue;
    const result = await ctx.http.request({
      method: c.method,
      path: c.path,
      ...(c.body !== undefined ? { body: c.body } : {}),
      ...(c.headers ? { headers: c.headers } : {}),
    });
    expectError(result, c.status, c.code);
  }
}
