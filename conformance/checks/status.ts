/**
 * STATUS: `/v1/status` and `/v1/diagnostics` describe the daemon; clients read capabilities from
 * status to decide which routes exist, so its shape and honesty come first.
 */
import { expectStatus, expectValid, fail, show } from '../expect.js';
import type { Check } from '../types.js';

/** Present on every Go daemon, whatever its host implements (captures 017, 161). */
const CORE_CAPABILITIES = ['runs', 'events', 'permissions', 'status'];
const BASE_CAPABILITIES = ['permission_grants', 'tools', 'diagnostics'];

export const statusChecks: Check[] = [
  {
    id: 'STATUS-001',
    area: 'STATUS',
    level: 'MUST',
    rule: 'GET /v1/status answers 200 with ok, version 1, active_runs, tools_count and a capabilities list, as the spec defines.',
    reference: 'ADR-0010; 017-status.txt',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      const body = expectValid('getStatus', await ctx.http.request({ path: '/v1/status' }), 200);
      const caps = body['capabilities'];
      if (Array.isArray(caps) && new Set(caps).size !== caps.length) fail(`capabilities has duplicates: ${show(caps)}`);
    },
  },
  {
    id: 'STATUS-002',
    area: 'STATUS',
    level: 'MUST',
    rule: 'Status advertises the core capabilities runs, events, permissions and status.',
    reference: '017-status.txt; 161-minimal-status.txt',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      const missing = CORE_CAPABILITIES.filter((c) => !ctx.capabilities.has(c));
      if (missing.length > 0) fail(`expected capabilities ${show(CORE_CAPABILITIES)} in /v1/status, missing ${show(missing)} (got ${show([...ctx.capabilities])})`);
    },
  },
  {
    id: 'STATUS-003',
    area: 'STATUS',
    level: 'SHOULD',
    rule: 'Status also advertises permission_grants, tools and diagnostics, which the daemon itself provides on every host.',
    reference: '161-minimal-status.txt',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      const missing = BASE_CAPABILITIES.filter((c) => !ctx.capabilities.has(c));
      if (missing.length > 0) fail(`expected capabilities ${show(BASE_CAPABILITIES)} in /v1/status, missing ${show(missing)}`);
    },
  },
  {
    id: 'STATUS-004',
    area: 'STATUS',
    level: 'MUST',
    rule: 'GET /v1/diagnostics answers 200 with the status fields plus a runtime block, as the spec defines.',
    reference: '019-diagnostics.txt; 155-diagnostics-after-errors.txt',
    capabilities: ['diagnostics'],
    profile: 'any',
    async run(ctx) {
      const body = expectValid('getDiagnostics', await ctx.http.request({ path: '/v1/diagnostics' }), 200);
      if (typeof body['runtime'] !== 'object' || body['runtime'] === null) fail(`expected a runtime object in /v1/diagnostics, got ${show(body['runtime'])}`);
    },
  },
  {
    id: 'STATUS-005',
    area: 'STATUS',
    level: 'MUST',
    rule: 'Neither /v1/status nor /v1/diagnostics ever contains the bearer token.',
    reference: 'ADR-0010 §3 ("must never log bearer tokens")',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      const paths = ['/v1/status', ...(ctx.capabilities.has('diagnostics') ? ['/v1/diagnostics'] : [])];
      for (const path of paths) {
        const result = await ctx.http.request({ path });
        expectStatus(result, 200);
        if (result.tokenSeen) fail(`GET ${path} returned the bearer token (${result.tokenEcho ?? 'body'}; shown redacted)`, result.exchange);
      }
    },
  },
  {
    id: 'STATUS-006',
    area: 'STATUS',
    level: 'SHOULD',
    rule: 'tools_count in /v1/status equals the number of entries GET /v1/tools lists.',
    reference: '017-status.txt; 020-tools.txt; 163-minimal-tools.txt',
    capabilities: ['tools'],
    profile: 'any',
    async run(ctx) {
      const status = expectValid('getStatus', await ctx.http.request({ path: '/v1/status' }), 200);
      const tools = expectValid('listTools', await ctx.http.request({ path: '/v1/tools' }), 200);
      const list = tools['tools'];
      const count = Array.isArray(list) ? list.length : -1;
      if (status['tools_count'] !== count) fail(`expected tools_count ${count} (the /v1/tools length), got ${show(status['tools_count'])}`);
    },
  },
];
