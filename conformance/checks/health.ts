/**
 * HEALTH: `GET /v1/health` is the one open route (ADR-0010 §3: a bearer token is required "on every
 * route except GET /v1/health"), so clients and supervisors can probe a daemon without the token.
 */
import { expectValid } from '../expect.js';
import type { Check } from '../types.js';

export const healthChecks: Check[] = [
  {
    id: 'HEALTH-001',
    area: 'HEALTH',
    level: 'MUST',
    rule: 'GET /v1/health answers 200 {"ok":true,"version":1} without an Authorization header.',
    reference: 'ADR-0010 §3; 003-health-get.txt',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      const result = await ctx.http.request({ path: '/v1/health', auth: 'none' });
      expectValid('getHealth', result, 200);
    },
  },
  {
    id: 'HEALTH-002',
    area: 'HEALTH',
    level: 'SHOULD',
    rule: 'GET /v1/health ignores the Authorization header: a wrong bearer token still gets 200.',
    reference: '006-health-with-wrong-token.txt',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      const result = await ctx.http.request({ path: '/v1/health', auth: { authorization: 'Bearer conformance-wrong-token' } });
      expectValid('getHealth', result, 200);
    },
  },
];
