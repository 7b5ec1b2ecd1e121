/**
 * The operation table and capability map read from the spec, and path-template matching.
 * The expected routes are the Go daemon v1.11.0's (fixtures/captures/README.md, "Routing").
 */
import { describe, expect, it } from 'vitest';
import { fillPath, matchOperation, matchPath, operationInfo, OPERATIONS, operationsAtPath } from '../../src/protocol/operations.js';
import { allCapabilities, capabilityForOperation, capabilityMapProblems, operationsForCapability } from '../../src/protocol/capabilities.js';
import { loadSpec } from '../../src/protocol/spec.js';

const GO_ROUTES: [string, string, string][] = [
  ['GET', '/v1/health', 'getHealth'],
  ['GET', '/v1/status', 'getStatus'],
  ['GET', '/v1/diagnostics', 'getDiagnostics'],
  ['GET', '/v1/tools', 'listTools'],
  ['GET', '/v1/skills', 'listSkills'],
  ['GET', '/v1/roles', 'listRoles'],
  ['GET', '/v1/memories', 'listMemories'],
  ['GET', '/v1/permissions', 'listPermissionGrants'],
  ['GET', '/v1/mcp/resources', 'listMcpResources'],
  ['GET', '/v1/mcp/prompts', 'listMcpPrompts'],
  ['GET', '/v1/runs/{run_id}/events', 'streamRunEvents'],
  ['POST', '/v1/recall', 'recall'],
  ['POST', '/v1/mcp/resources/read', 'readMcpResource'],
  ['POST', '/v1/mcp/prompts/get', 'getMcpPrompt'],
  ['POST', '/v1/sessions/{session_id}/runs', 'startRun'],
  ['POST', '/v1/runs/{run_id}/permissions/{permission_id}/decision', 'decidePermission'],
  ['DELETE', '/v1/runs/{run_id}', 'cancelRun'],
  ['DELETE', '/v1/memories/{memory_id}', 'deleteMemory'],
  ['DELETE', '/v1/permissions/{grant_id}', 'deletePermissionGrant'],
];

describe('OPERATIONS', () => {
  it('has every Go route, with no optional flag, plus the three optional session lookups', () => {
    const required = OPERATIONS.filter((op) => !op.optional).map((op) => [op.method, op.path, op.operationId]);
    expect(new Set(required.map((r) => r.join(' ')))).toEqual(new Set(GO_ROUTES.map((r) => r.join(' '))));
    expect(OPERATIONS.filter((op) => op.optional).map((op) => op.operationId).sort()).toEqual(['getSession', 'listSessionMessages', 'listSessions']);
  });

  it('is a plain array of unique ids', () => {
    expect(Array.isArray(OPERATIONS)).toBe(true);
    expect(new Set(OPERATIONS.map((op) => op.operationId)).size).toBe(OPERATIONS.length);
    expect(operationInfo('cancelRun')).toMatchObject({ method: 'DELETE', path: '/v1/runs/{run_id}', capability: 'runs' });
  });
});

describe('matchOperation', () => {
  it.each([
    ['GET', '/v1/health', 'getHealth', {}],
    ['post', '/v1/sessions/telegram%3A42/runs', 'startRun', { session_id: 'telegram:42' }],
    ['POST', '/v1/sessions/my%20session/runs', 'startRun', { session_id: 'my session' }],
    ['POST', '/v1/runs/run_1/permissions/perm_2/decision', 'decidePermission', { run_id: 'run_1', permission_id: 'perm_2' }],
    ['DELETE', '/v1/runs/run_1', 'cancelRun', { run_id: 'run_1' }],
    ['GET', '/v1/runs/run_1/events', 'streamRunEvents', { run_id: 'run_1' }],
    ['GET', '/v1/memories?limit=1', 'listMemories', {}],
  ])('%s %s → %s', (method, path, operationId, params) => {
    expect(matchOperation(method, path)).toEqual({ operationId, params });
  });

  it.each([
    ['POST', '/v1/health'],
    ['GET', '/v1/status/'],
    ['GET', '/'],
    ['POST', '/v1/sessions//runs'],
    ['GET', '/v1/nope'],
    ['GET', '/v1/runs/run_1'],
  ])('%s %s matches nothing', (method, path) => {
    expect(matchOperation(method, path)).toBeUndefined();
  });

  it('finds every operation at a path for 405 answers', () => {
    expect(operationsAtPath('/v1/runs/run_1').map((op) => op.operationId)).toEqual(['cancelRun']);
    expect(operationsAtPath('/v1/nope')).toEqual([]);
  });

  it('matchPath and fillPath are inverse for ids with reserved characters', () => {
    const path = fillPath('/v1/sessions/{session_id}/runs', { session_id: 'a/b c' });
    expect(path).toBe('/v1/sessions/a%2Fb%20c/runs');
    expect(matchPath('/v1/sessions/{session_id}/runs', path)).toEqual({ session_id: 'a/b c' });
    expect(() => fillPath('/v1/runs/{run_id}', {})).toThrow(/missing path parameter run_id/);
  });
});

describe('capabilities', () => {
  it('the two places the spec names capabilities agree', () => {
    expect(capabilityMapProblems(loadSpec())).toEqual([]);
  });

  it('lists the 16 Go capabilities in status order, then sessions', () => {
    expect(allCapabilities()).toEqual([
      'runs', 'events', 'permissions', 'permission_grants', 'tools', 'status', 'diagnostics',
      'mcp_resources', 'mcp_prompts', 'mcp_resource_read', 'mcp_prompt_get', 'skills', 'roles', 'recall', 'memories', 'memory_forget',
      'sessions',
    ]);
  });

  it('maps capabilities to operations and back', () => {
    expect(operationsForCapability('runs')).toEqual(['startRun', 'cancelRun']);
    expect(operationsForCapability('sessions').sort()).toEqual(['getSession', 'listSessionMessages', 'listSessions']);
    expect(capabilityForOperation('recall')).toBe('recall');
    expect(capabilityForOperation('deleteMemory')).toBe('memory_forget');
    expect(capabilityForOperation('getHealth')).toBeUndefined();
  });
});
