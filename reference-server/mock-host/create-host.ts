/**
 * A mock host from a validated definition: the scripted agent, the catalog members (unless
 * `minimal`) and the optional session store. No file system: shared by the Node loader and the
 * browser entry.
 */
import type { MockHost } from '../host.js';
import { createCatalogMembers } from './catalog-host.js';
import type { MockHostDefinition } from './definitions.js';
import { realClock, type MockHostClock } from './delay.js';
import { createScriptedAgent } from './scripted-agent.js';
import { createSessionStore, type SessionStore } from './session-store.js';

/** The options that shape behaviour rather than where fixtures come from. */
export interface HostBehaviour {
  minimal?: boolean;
  delayScale?: number;
  clock?: MockHostClock;
  sessions?: boolean;
  sessionStore?: SessionStore;
}

export function createMockHost(definition: MockHostDefinition, options: HostBehaviour = {}): MockHost {
  const delayScale = options.delayScale ?? 1;
  if (!Number.isFinite(delayScale) || delayScale < 0) {
    throw new RangeError(`failed to load mock host: delayScale must be a number >= 0, got ${String(delayScale)}`);
  }
  const store = options.sessions ? (options.sessionStore ?? createSessionStore()) : undefined;
  const agent = createScriptedAgent({
    catalog: definition.catalog,
    scenarios: definition.scenarios,
    clock: options.clock ?? realClock,
    delayScale,
    ...(store ? { sessions: store } : {}),
  });
  const sessionMembers = store
    ? { sessionList: store.sessionList, sessionGet: store.sessionGet, sessionMessages: store.sessionMessages }
    : {};
  if (options.minimal) return { agent, ...sessionMembers };
  return { agent, ...createCatalogMembers(definition.catalog), ...sessionMembers };
}
