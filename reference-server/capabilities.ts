/**
 * `/v1/status` capabilities, derived the way Go derives them: seven that every daemon has, then
 * one per optional host interface the host implements, in Go's fixed order.
 */
import type { Capability } from '../src/protocol/types.js';
import type { MockHost } from './host.js';

const base = ['runs', 'events', 'permissions', 'permission_grants', 'tools', 'status', 'diagnostics'] as const;

const optional: ReadonlyArray<readonly [keyof MockHost, string]> = [
  ['mcpResourceCatalog', 'mcp_resources'],
  ['mcpPromptCatalog', 'mcp_prompts'],
  ['mcpReadResource', 'mcp_resource_read'],
  ['mcpRenderPrompt', 'mcp_prompt_get'],
  ['skillCatalog', 'skills'],
  ['roleCatalog', 'roles'],
  ['recallSearch', 'recall'],
  ['memoryCatalog', 'memories'],
  ['memoryForget', 'memory_forget'],
];

/** Beyond Go: the ADR-0010 §9 session lookup, only when the host has all three members. */
export function hasSessions(host: MockHost): boolean {
  return typeof host.sessionList === 'function' && typeof host.sessionGet === 'function' && typeof host.sessionMessages === 'function';
}

export function capabilitiesOf(host: MockHost): Capability[] {
  const out: string[] = [...base];
  for (const [member, capability] of optional) {
    if (typeof host[member] === 'function') out.push(capability);
  }
  if (hasSessions(host)) out.push('sessions');
  return out as Capability[];
}
