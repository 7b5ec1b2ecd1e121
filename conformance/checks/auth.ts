/**
 * AUTH: ADR-0010 §3 "require `Authorization: Bearer <token>` on every route except
 * `GET /v1/health`". Every operation of the spec is probed, whatever the host implements, and the
 * token check comes before routing and method checks, so nothing leaks to a caller without it.
 */
import { fillPath, OPERATIONS, type OperationInfo } from '../../src/protocol/operations.js';
import type { AuthMode } from '../../src/protocol/http-client.js';
import { expectError, fail } from '../expect.js';
import type { Check, CheckContext } from '../types.js';

const PLACEHOLDERS: Record<string, string> = {
  session_id: 'conformance',
  run_id: 'run_00000000000000000000000000000000',
  permission_id: 'perm_00000000000000000000000000000000',
  memory_id: 'mem_conformance',
  grant_id: 'grant_0000000000000000',
};

/** Every authenticated operation the daemon should serve (optional ones only when advertised). */
function authenticatedOperations(ctx: CheckContext): OperationInfo[] {
  return OPERATIONS.filter((op) => op.operationId !== 'getHealth' && (!op.optional || (op.capability !== undefined && ctx.capabilities.has(op.capability))));
}

function concretePath(template: string): string {
  const params: Record<string, string> = {};
  for (const match of template.matchAll(/\{([^}]+)\}/g)) {
    const name = match[1] ?? '';
    params[name] = PLACEHOLDERS[name] ?? 'conformance';
  }
  return fillPath(template, params);
}

async function expectUnauthorized(ctx: CheckContext, auth: AuthMode): Promise<void> {
  for (const op of authenticatedOperations(ctx)) {
    const result = await ctx.http.request({
      method: op.method,
      path: concretePath(op.path),
      auth,
      ...(op.method === 'POST' ? { body: {} } : {}),
    });
    expectError(result, 401, 'unauthorized');
  }
}

export const authChecks: Check[] = [
  {
    id: 'AUTH-001',
    area: 'AUTH',
    level: 'MUST',
    rule: 'Every operation except GET /v1/health answers 401 unauthorized (error envelope) without an Authorization header.',
    reference: 'ADR-0010 §3; 007-unauth-no-header.txt',
    capabilities: [],
    profile: 'any',
    run: (ctx) => expectUnauthorized(ctx, 'none'),
  },
  {
    id: 'AUTH-002',
    area: 'AUTH',
    level: 'MUST',
    rule: 'Every operation except GET /v1/health answers 401 unauthorized to a wrong bearer token.',
    reference: 'ADR-0010 §3; 008-unauth-wrong-token.txt',
    capabilities: [],
    profile: 'any',
    run: (ctx) => expectUnauthorized(ctx, { authorization: 'Bearer conformance-wrong-token' }),
  },
  {
    id: 'AUTH-003',
    area: 'AUTH',
    level: 'MUST',
    rule: 'Only the exact token in the Bearer scheme counts: the bare token, other schemes, a prefix of the token, the token with text appended, or with its letters\' case changed get 401.',
    reference: 'ADR-0010 §3; 010-unauth-token-without-bearer.txt; 011-unauth-double-space.txt',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      const token = ctx.token;
      const swapped = [...token].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join('');
      // Near-misses of the token are shown by description only: they would leak it otherwise.
      const variants: Array<{ authorization: string; shownAs: string }> = [
        { authorization: token, shownAs: '<token>' },
        { authorization: `Basic ${token}`, shownAs: 'Basic <token>' },
        { authorization: `Token ${token}`, shownAs: 'Token <token>' },
        { authorization: 'Bearer', shownAs: 'Bearer' },
        // A one-character token has no non-empty proper prefix (and `Bearer` alone is above).
        ...(token.length > 1 ? [{ authorization: `Bearer ${token.slice(0, -1)}`, shownAs: 'Bearer <token without its last character>' }] : []),
        { authorization: `Bearer ${token}x`, shownAs: 'Bearer <token>x' },
        { authorization: `Bearer ${token} extra`, shownAs: 'Bearer <token> extra' },
        ...(swapped !== token ? [{ authorization: `Bearer ${swapped}`, shownAs: 'Bearer <token with its letter case swapped>' }] : []),
      ];
      for (const auth of variants) {
        const result = await ctx.http.request({ path: '/v1/status', auth });
        if (result.status !== 401) fail(`expected 401 for "Authorization: ${auth.shownAs}", got ${result.status}`, result.exchange);
        expectError(result, 401, 'unauthorized');
      }
    },
  },
  {
    id: 'AUTH-004',
    area: 'AUTH',
    level: 'MUST',
    rule: 'The token is checked before the method and the route: a wrong method or an unknown path without a token gets 401, not 405 or 404.',
    reference: '015-unauth-post-status.txt; 016-unauth-unknown-route.txt',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      expectError(await ctx.http.request({ method: 'POST', path: '/v1/status', auth: 'none', body: {} }), 401, 'unauthorized');
      expectError(await ctx.http.request({ path: '/v1/conformance-unknown', auth: 'none' }), 401, 'unauthorized');
    },
  },
];

