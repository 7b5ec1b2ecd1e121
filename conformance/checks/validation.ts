/**
 * VAL: request validation. Bad input gets 400 with code invalid_request and the error envelope
 * (ADR-0010 §8); a known path with the wrong method gets 405 method_not_allowed, never 404.
 */
import { expectErrorCases } from '../cases.js';
import { runsPath } from '../events.js';
import { expectJsonObject, expectStatus, fail, show } from '../expect.js';
import type { Check } from '../types.js';

const RUN = 'run_00000000000000000000000000000000';

export const validationChecks: Check[] = [
  {
    id: 'VAL-001',
    area: 'VAL',
    level: 'MUST',
    rule: 'Starting a run without text or skill (or with whitespace-only text) answers 400 invalid_request.',
    reference: 'ADR-0010 §4, §8; 055-run-start-neither-400.txt; 056-run-start-whitespace-text-400.txt',
    capabilities: ['runs'],
    profile: 'any',
    run: (ctx) => {
      const path = runsPath(ctx.unique('s'));
      return expectErrorCases(ctx, [
        { method: 'POST', path, body: {}, status: 400, code: 'invalid_request' },
        { method: 'POST', path, body: { text: ' \n\t ' }, status: 400, code: 'invalid_request' },
        { method: 'POST', path, body: { client_id: 'conformance' }, status: 400, code: 'invalid_request' },
      ]);
    },
  },
  {
    id: 'VAL-002',
    area: 'VAL',
    level: 'MUST',
    rule: 'Starting a run with both text and skill answers 400 invalid_request.',
    reference: '054-run-start-text-and-skill-400.txt',
    capabilities: ['runs'],
    profile: 'any',
    run: (ctx) => expectErrorCases(ctx, [{ method: 'POST', path: runsPath(ctx.unique('s')), body: { text: ctx.prompts.hello, skill: 'triage' }, status: 400, code: 'invalid_request' }]),
  },
  {
    id: 'VAL-003',
    area: 'VAL',
    level: 'MUST',
    rule: 'A run start body that is not a JSON object of the right types (truncated, empty, "text":5) answers 400 invalid_request.',
    reference: '057-run-start-invalid-json-400.txt; 058-run-start-empty-body-400.txt; 059-run-start-wrong-type-400.txt',
    capabilities: ['runs'],
    profile: 'any',
    run: (ctx) => {
      const path = runsPath(ctx.unique('s'));
      const json = { 'Content-Type': 'application/json' };
      return expectErrorCases(ctx, [
        { method: 'POST', path, body: '{"text":"hel', headers: json, status: 400, code: 'invalid_request' },
        { method: 'POST', path, body: '', headers: json, status: 400, code: 'invalid_request' },
        { method: 'POST', path, body: '{"text":5}', headers: json, status: 400, code: 'invalid_request' },
      ]);
    },
  },
  {
    id: 'VAL-004',
    area: 'VAL',
    level: 'MUST',
    rule: 'Unknown request fields, nested ones included, are ignored: the run starts with 201.',
    reference: 'ADR-0010 §2 ("Unknown JSON fields are ignored"); 060-run-start-unknown-fields-201.txt',
    capabilities: ['runs'],
    profile: 'any',
    async run(ctx) {
      const session = ctx.unique('s');
      const result = await ctx.http.request({
        method: 'POST',
        path: runsPath(session),
        body: { text: ctx.prompts.hello, conformance_extra: 1, options: { conformance_nested: { deep: [1, 2] } } },
      });
      expectStatus(result, 201);
      const body = expectJsonObject(result);
      if (typeof body['run_id'] !== 'string') fail(`expected a run_id in the 201 answer, got ${show(body)}`, result.exchange);
    },
  },
  {
    id: 'VAL-005',
    area: 'VAL',
    level: 'MUST',
    rule: 'A known path with the wrong method answers 405 method_not_allowed (not 404).',
    reference: '004-health-post-405.txt; 018, 031, 037, 046, 070, 101, 116, 128, 129 (*-405.txt)',
    capabilities: [],
    profile: 'any',
    run: (ctx) =>
      expectErrorCases(ctx, [
        { method: 'POST', path: '/v1/health', body: {}, status: 405, code: 'method_not_allowed' },
        { method: 'POST', path: '/v1/status', body: {}, status: 405, code: 'method_not_allowed' },
        { method: 'GET', path: `/v1/sessions/${ctx.unique('s')}/runs`, status: 405, code: 'method_not_allowed', capability: 'runs' },
        { method: 'GET', path: `/v1/runs/${RUN}`, status: 405, code: 'method_not_allowed', capability: 'runs' },
        { method: 'POST', path: `/v1/runs/${RUN}/events`, body: {}, status: 405, code: 'method_not_allowed', capability: 'events' },
        { method: 'GET', path: `/v1/runs/${RUN}/permissions/perm_x/decision`, status: 405, code: 'method_not_allowed', capability: 'permissions' },
        { method: 'GET', path: '/v1/permissions/grant_0000000000000000', status: 405, code: 'method_not_allowed', capability: 'permission_grants' },
        { method: 'GET', path: '/v1/recall', status: 405, code: 'method_not_allowed', capability: 'recall' },
        { method: 'GET', path: '/v1/memories/mem_x', status: 405, code: 'method_not_allowed', capability: 'memory_forget' },
        { method: 'GET', path: '/v1/mcp/prompts/get', status: 405, code: 'method_not_allowed', capability: 'mcp_prompt_get' },
        { method: 'GET', path: '/v1/mcp/resources/read', status: 405, code: 'method_not_allowed', capability: 'mcp_resource_read' },
      ]),
  },
  {
    id: 'VAL-006',
    area: 'VAL',
    level: 'MUST',
    rule: 'GET /v1/memories with a negative or non-numeric limit answers 400 invalid_request, also on a host without the memories capability.',
    reference: '026-memories-limit-negative.txt; 027-memories-limit-abc.txt; 167-minimal-memories-limit-abc.txt (limit is validated before the host is asked)',
    capabilities: [],
    profile: 'any',
    run: (ctx) =>
      expectErrorCases(ctx, [
        { method: 'GET', path: '/v1/memories?limit=-1', status: 400, code: 'invalid_request' },
        { method: 'GET', path: '/v1/memories?limit=abc', status: 400, code: 'invalid_request' },
      ]),
  },
  {
    id: 'VAL-007',
    area: 'VAL',
    level: 'MUST',
    rule: 'POST /v1/recall with a blank query, a negative limit or invalid JSON answers 400 invalid_request.',
    reference: '033-recall-empty-query.txt; 034-recall-limit-negative.txt; 035-recall-bad-json.txt',
    capabilities: ['recall'],
    profile: 'any',
    run: (ctx) =>
      expectErrorCases(ctx, [
        { method: 'POST', path: '/v1/recall', body: { query: '   ' }, status: 400, code: 'invalid_request' },
        { method: 'POST', path: '/v1/recall', body: { query: 'conformance', limit: -1 }, status: 400, code: 'invalid_request' },
        { method: 'POST', path: '/v1/recall', body: '{"query":', headers: { 'Content-Type': 'application/json' }, status: 400, code: 'invalid_request' },
      ]),
  },
  {
    id: 'VAL-008',
    area: 'VAL',
    level: 'MUST',
    rule: 'POST /v1/mcp/resources/read without server or with a blank uri answers 400 invalid_request.',
    reference: '041-mcp-read-missing-server.txt; 042-mcp-read-missing-uri.txt',
    capabilities: ['mcp_resource_read'],
    profile: 'any',
    run: (ctx) =>
      expectErrorCases(ctx, [
        { method: 'POST', path: '/v1/mcp/resources/read', body: { uri: 'file:///conformance' }, status: 400, code: 'invalid_request' },
        { method: 'POST', path: '/v1/mcp/resources/read', body: { server: 'conformance', uri: '  ' }, status: 400, code: 'invalid_request' },
      ]),
  },
  {
    id: 'VAL-009',
    area: 'VAL',
    level: 'MUST',
    rule: 'POST /v1/mcp/prompts/get without server or without name answers 400 invalid_request.',
    reference: '045-mcp-prompt-get-missing-name.txt',
    capabilities: ['mcp_prompt_get'],
    profile: 'any',
    run: (ctx) =>
      expectErrorCases(ctx, [
        { method: 'POST', path: '/v1/mcp/prompts/get', body: { server: 'conformance' }, status: 400, code: 'invalid_request' },
        { method: 'POST', path: '/v1/mcp/prompts/get', body: { name: 'conformance' }, status: 400, code: 'invalid_request' },
      ]),
  },
];
