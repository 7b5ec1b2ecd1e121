/**
 * CAP: capability honesty. Clients read /v1/status to know what a daemon offers, so an advertised
 * capability's routes must work, and a host without one must answer as the Go daemon does: catalog
 * listings stay 200 with an empty list, action routes answer 404 (captures 163–175).
 */
import { allCapabilities, operationsForCapability } from '../../src/protocol/capabilities.js';
import { OPERATIONS, type OperationId } from '../../src/protocol/operations.js';
import { expectErrorCases, type ErrorCase } from '../cases.js';
import { CheckSkip, expectValid, fail, show } from '../expect.js';
import type { Check } from '../types.js';

/** Listings that answer an empty list without their capability, with the array they carry. */
const CATALOGS: Array<{ capability: string; path: string; field: string; operationId: OperationId }> = [
  { capability: 'tools', path: '/v1/tools', field: 'tools', operationId: 'listTools' },
  { capability: 'skills', path: '/v1/skills', field: 'skills', operationId: 'listSkills' },
  { capability: 'roles', path: '/v1/roles', field: 'roles', operationId: 'listRoles' },
  { capability: 'memories', path: '/v1/memories', field: 'memories', operationId: 'listMemories' },
  { capability: 'mcp_resources', path: '/v1/mcp/resources', field: 'resources', operationId: 'listMcpResources' },
  { capability: 'mcp_prompts', path: '/v1/mcp/prompts', field: 'prompts', operationId: 'listMcpPrompts' },
];

/** Action routes that answer 404 without their capability (well-formed bodies, so only the capability can refuse). */
const ACTIONS: Array<ErrorCase & { capability: string }> = [
  { capability: 'recall', method: 'POST', path: '/v1/recall', body: { query: 'conformance' }, status: 404, code: 'not_found' },
  { capability: 'memory_forget', method: 'DELETE', path: '/v1/memories/mem_conformance', status: 404, code: 'not_found' },
  { capability: 'mcp_resource_read', method: 'POST', path: '/v1/mcp/resources/read', body: { server: 'conformance', uri: 'file:///conformance' }, status: 404, code: 'not_found' },
  { capability: 'mcp_prompt_get', method: 'POST', path: '/v1/mcp/prompts/get', body: { server: 'conformance', name: 'conformance' }, status: 404, code: 'not_found' },
];

export const capabilityChecks: Check[] = [
  {
    id: 'CAP-001',
    area: 'CAP',
    level: 'MUST',
    rule: 'A catalog listing whose capability is not advertised still answers 200 with an empty list (never null, never 404).',
    reference: '163-minimal-tools.txt … 169-minimal-mcp-prompts.txt; openapi Capability',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      const missing = CATALOGS.filter((c) => !ctx.capabilities.has(c.capability));
      if (missing.length === 0) throw new CheckSkip('the daemon advertises every catalog capability');
      for (const catalog of missing) {
        const result = await ctx.http.request({ path: catalog.path });
        const body = expectValid(catalog.operationId, result, 200);
        const list = body[catalog.field];
        if (!Array.isArray(list) || list.length !== 0) fail(`expected ${catalog.field} to be [] without capability ${catalog.capability}, got ${show(list)}`, result.exchange);
      }
    },
  },
  {
    id: 'CAP-002',
    area: 'CAP',
    level: 'MUST',
    rule: 'An action route whose capability is not advertised (recall, memory delete, MCP read, MCP prompt render) answers 404 not_found.',
    reference: '171-minimal-recall-404.txt; 173-minimal-memory-delete-404.txt; 174-minimal-mcp-read-404.txt; 175-minimal-mcp-prompt-get-404.txt',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      const missing = ACTIONS.filter((a) => !ctx.capabilities.has(a.capability));
      if (missing.length === 0) throw new CheckSkip('the daemon advertises every action capability');
      await expectErrorCases(ctx, missing.map(({ capability: _capability, ...rest }) => rest));
    },
  },
  {
    id: 'CAP-003',
    area: 'CAP',
    level: 'MUST',
    rule: 'Every listing route of an advertised capability answers 200 with a body the spec allows.',
    reference: '017-status.txt; openapi x-capability-operations',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      for (const capability of ctx.capabilities) {
        const known = allCapabilities() as string[];
        if (!known.includes(capability)) continue;
        for (const operationId of operationsForCapability(capability as Parameters<typeof operationsForCapability>[0])) {
          const op = OPERATIONS.find((o) => o.operationId === operationId);
          if (!op || op.method !== 'GET' || op.path.includes('{')) continue;
          expectValid(operationId, await ctx.http.request({ path: op.path }), 200);
        }
      }
    },
  },
  {
    id: 'CAP-004',
    area: 'CAP',
    level: 'SHOULD',
    rule: 'Status advertises only capability names the protocol defines.',
    reference: 'openapi Capability',
    capabilities: [],
    profile: 'any',
    async run(ctx) {
      const known = allCapabilities() as string[];
      const unknown = [...ctx.capabilities].filter((c) => !known.includes(c));
      if (unknown.length > 0) fail(`unknown capabilities ${show(unknown)} (the spec knows ${known.join(', ')})`);
    },
  },
];
