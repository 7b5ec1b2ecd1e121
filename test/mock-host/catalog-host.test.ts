/**
 * The optional host members of the default fixtures answer exactly what the captured fake host
 * answered (the daemon only wraps them: `{"tools":[…]}`, `{"memory":{…}}`, …), and a minimal host
 * has none of them.
 */
import { describe, expect, it } from 'vitest';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import type { MockHost } from '../../reference-server/host.js';
import { validateResponse } from '../../src/protocol/validator.js';
import { captureJsonBody } from './capture-runs.js';

/** JSON text equality: values and key order, as Go's encoder would print them. */
function expectSameJson(actual: unknown, captureFile: string): void {
  expect(JSON.stringify(actual)).toBe(JSON.stringify(captureJsonBody(captureFile)));
}

function full(): Required<MockHost> {
  return loadMockHost() as Required<MockHost>;
}

describe('default catalogs reproduce the captured fake host', () => {
  it('lists tools with permission metadata and target previews (020)', () => {
    expectSameJson({ tools: full().toolCatalog() }, '020-tools.txt');
  });

  it('lists skills, roles, memories, MCP resources and prompts (021, 022, 023, 038, 039)', async () => {
    const host = full();
    expectSameJson({ skills: await host.skillCatalog() }, '021-skills.txt');
    expectSameJson({ roles: await host.roleCatalog() }, '022-roles.txt');
    expectSameJson(await host.memoryCatalog({ limit: 0 }), '023-memories.txt');
    expectSameJson({ resources: await host.mcpResourceCatalog() }, '038-mcp-resources.txt');
    expectSameJson({ prompts: await host.mcpPromptCatalog() }, '039-mcp-prompts.txt');
  });

  it('ignores the memory limit, as the captured host did (the daemon truncates)', async () => {
    expect((await full().memoryCatalog({ limit: 1 })).memories).toHaveLength(3);
  });

  it('forgets a memory for real and reports an unknown id as a host error (028, 029, 030)', async () => {
    const host = full();
    expectSameJson(await host.memoryForget({ id: 'mem_0002' }), '028-memory-delete-existing.txt');
    expectSameJson(await host.memoryCatalog({ limit: 0 }), '030-memories-after-delete.txt');
    const expected = captureJsonBody('029-memory-delete-unknown.txt') as { error: { message: string } };
    await expect(host.memoryForget({ id: 'mem_nope' })).rejects.toThrow(expected.error.message);
    // Another host instance starts from the catalog again.
    expect((await full().memoryCatalog({ limit: 0 })).memories).toHaveLength(3);
  });

  it('searches recall by any query word, with limit and memories_only (032, 036)', async () => {
    const host = full();
    expectSameJson(await host.recallSearch({ query: 'Australian Shepherd', limit: 5, memories_only: false }), '032-recall-ok.txt');
    expectSameJson(await host.recallSearch({ query: 'zebra' }), '036-recall-no-hits.txt');
    expect((await host.recallSearch({ query: 'shepherd', limit: 1 })).hits).toHaveLength(1);
    const memoriesOnly = await host.recallSearch({ query: 'shepherd', memories_only: true });
    expect(memoriesOnly.hits.map((hit) => hit.session_id)).toEqual(['__memories__']);
  });

  it('reads a resource and renders a prompt; unknown ones are host errors (040, 043, 044)', async () => {
    const host = full();
    expectSameJson(await host.mcpReadResource({ server: 'filesystem', uri: 'file:///workspace/README.md' }), '040-mcp-read-ok.txt');
    const hostError = captureJsonBody('043-mcp-read-host-error.txt') as { error: { message: string } };
    await expect(host.mcpReadResource({ server: 'nosuch', uri: 'file:///x' })).rejects.toThrow(hostError.error.message);
    await expect(host.mcpReadResource({ server: 'linear', uri: 'linear://issues/GLUE-123' })).rejects.toThrow(
      'mcp: resource "linear://issues/GLUE-123" not found on server "linear"',
    );
    expectSameJson(await host.mcpRenderPrompt({ server: 'linear', name: 'daily_brief', arguments: { topic: 'Go' } }), '044-mcp-prompt-get-ok.txt');
    await expect(host.mcpRenderPrompt({ server: 'filesystem', name: 'summarize_file' })).rejects.toThrow(
      'mcp: prompt "summarize_file" not found on server "filesystem"',
    );
  });
});

describe('catalog answers match the spec', () => {
  it('every member answer validates as the 200 body of its operation', async () => {
    const host = full();
    const bodies: [Parameters<typeof validateResponse>[0], unknown][] = [
      ['listTools', { tools: host.toolCatalog() }],
      ['listSkills', { skills: await host.skillCatalog() }],
      ['listRoles', { roles: await host.roleCatalog() }],
      ['listMcpResources', { resources: await host.mcpResourceCatalog() }],
      ['listMcpPrompts', { prompts: await host.mcpPromptCatalog() }],
      ['readMcpResource', await host.mcpReadResource({ server: 'filesystem', uri: 'file:///workspace/README.md' })],
      ['getMcpPrompt', await host.mcpRenderPrompt({ server: 'linear', name: 'daily_brief', arguments: { topic: 'Go' } })],
      ['recall', await host.recallSearch({ query: 'shepherd' })],
      ['listMemories', await host.memoryCatalog({ limit: 0 })],
      ['deleteMemory', await host.memoryForget({ id: 'mem_0001' })],
    ];
    for (const [operationId, body] of bodies) expect(validateResponse(operationId, 200, body), operationId).toEqual({ ok: true });
  });
});

describe('minimal host', () => {
  it('has the agent and no optional member', () => {
    expect(Object.keys(loadMockHost({ minimal: true }))).toEqual(['agent']);
  });

  it('full host has every optional member', () => {
    expect(Object.keys(loadMockHost()).sort()).toEqual(
      [
        'agent',
        'memoryCatalog',
        'memoryForget',
        'mcpPromptCatalog',
        'mcpReadResource',
        'mcpRenderPrompt',
        'mcpResourceCatalog',
        'recallSearch',
        'roleCatalog',
        'skillCatalog',
        'toolCatalog',
      ].sort(),
    );
  });
});
