/**
 * CAT: catalog shapes. Every listing and every read/render answer is validated against the spec's
 * schema, because clients render them as they come; `limit` truncates on the daemon side.
 */
import type { OperationId } from '../../src/protocol/operations.js';
import { CheckSkip, expectEqual, expectValid, fail, isObject, show } from '../expect.js';
import type { Check, CheckContext } from '../types.js';

function listing(id: string, capability: string, path: string, operationId: OperationId, reference: string, rule: string): Check {
  return {
    id,
    area: 'CAT',
    level: 'MUST',
    rule,
    reference,
    capabilities: [capability as Check['capabilities'][number]],
    profile: 'any',
    async run(ctx) {
      expectValid(operationId, await ctx.http.request({ path }), 200);
    },
  };
}

async function list(ctx: CheckContext, path: string, operationId: OperationId, field: string): Promise<unknown[]> {
  const result = await ctx.http.request({ path });
  const body = expectValid(operationId, result, 200);
  const items = body[field];
  if (!Array.isArray(items)) fail(`expected ${field} to be an array, got ${show(items)}`, result.exchange);
  return items;
}

export const catalogChecks: Check[] = [
  listing('CAT-001', 'tools', '/v1/tools', 'listTools', '020-tools.txt', 'GET /v1/tools answers 200 with tool entries the spec allows (name, description, parameters, requires_permission…).'),
  listing('CAT-002', 'skills', '/v1/skills', 'listSkills', '021-skills.txt', 'GET /v1/skills answers 200 with skill entries the spec allows.'),
  listing('CAT-003', 'roles', '/v1/roles', 'listRoles', '022-roles.txt', 'GET /v1/roles answers 200 with role entries the spec allows.'),
  listing('CAT-004', 'memories', '/v1/memories', 'listMemories', '023-memories.txt', 'GET /v1/memories answers 200 with memory entries the spec allows.'),
  listing('CAT-005', 'mcp_resources', '/v1/mcp/resources', 'listMcpResources', '038-mcp-resources.txt', 'GET /v1/mcp/resources answers 200 with resource entries the spec allows.'),
  listing('CAT-006', 'mcp_prompts', '/v1/mcp/prompts', 'listMcpPrompts', '039-mcp-prompts.txt', 'GET /v1/mcp/prompts answers 200 with prompt entries the spec allows.'),
  listing('CAT-007', 'permission_grants', '/v1/permissions', 'listPermissionGrants', '047-permissions-empty.txt; 086-permissions-after-session-grant.txt', 'GET /v1/permissions answers 200 with the grant list the spec allows (never null).'),
  {
    id: 'CAT-008',
    area: 'CAT',
    level: 'MUST',
    rule: 'GET /v1/memories?limit=N returns at most N entries, the first N of the full list; limit=0 means no limit.',
    reference: '024-memories-limit-1.txt; 025-memories-limit-0.txt',
    capabilities: ['memories'],
    profile: 'any',
    async run(ctx) {
      const all = await list(ctx, '/v1/memories', 'listMemories', 'memories');
      // With fewer than two entries limit=1 has nothing to cut, and an ignored limit would pass.
      if (all.length < 2) throw new CheckSkip(`the daemon lists ${all.length} memor${all.length === 1 ? 'y' : 'ies'}, so limit=1 has nothing to cut`);
      const one = await list(ctx, '/v1/memories?limit=1', 'listMemories', 'memories');
      expectEqual(one, all.slice(0, 1), 'the limit=1 list');
      const zero = await list(ctx, '/v1/memories?limit=0', 'listMemories', 'memories');
      expectEqual(zero, all, 'the limit=0 list');
    },
  },
  {
    id: 'CAT-009',
    area: 'CAT',
    level: 'MUST',
    rule: 'POST /v1/recall with a query answers 200 with a hits array the spec allows, [] (never null) when nothing matches.',
    reference: '032-recall-ok.txt; 036-recall-no-hits.txt',
    capabilities: ['recall'],
    profile: 'any',
    async run(ctx) {
      for (const query of ['conformance', 'zq9-conformance-no-such-words-xk7']) {
        const result = await ctx.http.request({ method: 'POST', path: '/v1/recall', body: { query, limit: 5 } });
        const body = expectValid('recall', result, 200);
        if (!Array.isArray(body['hits'])) fail(`expected hits to be an array, got ${show(body['hits'])}`, result.exchange);
      }
    },
  },
  {
    id: 'CAT-010',
    area: 'CAT',
    level: 'SHOULD',
    rule: 'Reading the first listed MCP resource answers 200 with contents the spec allows.',
    reference: '040-mcp-read-ok.txt',
    capabilities: ['mcp_resources', 'mcp_resource_read'],
    profile: 'any',
    async run(ctx) {
      const [first] = await list(ctx, '/v1/mcp/resources', 'listMcpResources', 'resources');
      if (!isObject(first)) throw new CheckSkip('the daemon lists no MCP resource to read');
      const result = await ctx.http.request({ method: 'POST', path: '/v1/mcp/resources/read', body: { server: first['server'], uri: first['uri'] } });
      const body = expectValid('readMcpResource', result, 200);
      if (!Array.isArray(body['contents'])) fail(`expected contents to be an array, got ${show(body['contents'])}`, result.exchange);
    },
  },
  {
    id: 'CAT-011',
    area: 'CAT',
    level: 'SHOULD',
    rule: 'Rendering the first listed MCP prompt (required arguments filled in) answers 200 with messages the spec allows.',
    reference: '044-mcp-prompt-get-ok.txt',
    capabilities: ['mcp_prompts', 'mcp_prompt_get'],
    profile: 'any',
    async run(ctx) {
      const [first] = await list(ctx, '/v1/mcp/prompts', 'listMcpPrompts', 'prompts');
      if (!isObject(first)) throw new CheckSkip('the daemon lists no MCP prompt to render');
      const args: Record<string, string> = {};
      for (const arg of Array.isArray(first['arguments']) ? first['arguments'] : []) {
        if (isObject(arg) && arg['required'] === true && typeof arg['name'] === 'string') args[arg['name']] = 'conformance';
      }
      const result = await ctx.http.request({ method: 'POST', path: '/v1/mcp/prompts/get', body: { server: first['server'], name: first['name'], arguments: args } });
      const body = expectValid('getMcpPrompt', result, 200);
      if (!Array.isArray(body['messages'])) fail(`expected messages to be an array, got ${show(body['messages'])}`, result.exchange);
    },
  },
];
