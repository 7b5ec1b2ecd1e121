/**
 * A host whose scenarios and catalogs can be replaced while the daemon runs (`--watch`). The
 * daemon holds one host object for its lifetime; this one forwards every member to the current
 * load. The set of members is fixed by the first load (capabilities do not flicker), and a run
 * keeps the agent it started with.
 */
import type { MockHost } from '../host.js';

export interface ReloadableHost {
  host: MockHost;
  /** Later runs and catalog requests use `next`. */
  swap(next: MockHost): void;
}

type Member = Exclude<keyof MockHost, 'agent'>;

export function createReloadableHost(first: MockHost): ReloadableHost {
  let current = first;
  const host: MockHost = { agent: { run: (input, io) => current.agent.run(input, io) } };
  for (const key of Object.keys(first) as (keyof MockHost)[]) {
    if (key === 'agent' || typeof first[key] !== 'function') continue;
    const member = key as Member;
    (host as unknown as Record<Member, (...args: unknown[]) => unknown>)[member] = (...args: unknown[]) => {
      const fn = current[member] as ((...a: unknown[]) => unknown) | undefined;
      // A member the first load had is kept; a reload without it answers as an empty host would.
      if (fn === undefined) throw new Error(`the reloaded mock host has no ${member}`);
      return fn.apply(current, args);
    };
  }
  return { host, swap: (next) => (current = next) };
}
