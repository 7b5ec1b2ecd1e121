/**
 * Remembered permission decisions (Go's sessionAllows / targetAllows / foreverAllows):
 * - keys: owner, session, tool, action (+ target for `session_target`); `forever` drops the session;
 * - owner is `client:<client_id>`, or `session:<session_id>` when the run has no client;
 * - ids are `grant_` + the first 8 bytes of SHA-256(scope NUL key), so they are deterministic;
 * - listing is sorted by created_at (at Go's nanosecond precision), then id.
 */
import { sha256Utf8, toHex } from './portable-crypto.js';
import type { PermissionGrant } from '../src/protocol/types.js';
import { CoalescedWriter } from './coalesced-writer.js';
import { formatGoTime, goTimeToNanos, zeroGoTime } from './go-time.js';

export type RememberScope = 'session' | 'session_target' | 'forever';

/** The parts of a permission request a grant is keyed on. */
export interface GrantSubject {
  clientId: string;
  runSessionId: string;
  sessionId: string;
  tool: string;
  action: string;
  target: string;
}

interface Grant {
  id: string;
  scope: string;
  owner: string;
  clientId: string;
  sessionId: string;
  tool: string;
  action: string;
  target: string;
  createdAt: string;
}

const nul = '\x00';

export function ownerKey(subject: Pick<GrantSubject, 'clientId' | 'runSessionId' | 'sessionId'>): string {
  const client = subject.clientId.trim();
  if (client) return 'client:' + client;
  const runSession = subject.runSessionId.trim();
  if (runSession) return 'session:' + runSession;
  return 'session:' + subject.sessionId.trim();
}

function keyOf(scope: string, g: Pick<Grant, 'owner' | 'sessionId' | 'tool' | 'action' | 'target'>): string {
  const session = [g.owner, g.sessionId, g.tool, g.action].join(nul);
  switch (scope) {
    case 'session':
      return session;
    case 'session_target':
      return session + nul + g.target;
    case 'forever':
      return [g.owner, g.tool, g.action, g.target].join(nul);
    default:
      return [g.owner, g.sessionId, g.tool, g.action, g.target].join(nul);
  }
}

export function grantId(scope: string, g: Pick<Grant, 'owner' | 'sessionId' | 'tool' | 'action' | 'target'>): string {
  return 'grant_' + toHex(sha256Utf8(scope + nul + keyOf(scope, g)), 0, 8);
}

/** Go's PermissionGrant JSON: struct order, omitempty strings, created_at always present. */
function toWire(g: Grant): PermissionGrant {
  const out: Record<string, unknown> = { id: g.id, scope: g.scope, owner: g.owner };
  if (g.clientId) out.client_id = g.clientId;
  if (g.sessionId) out.session_id = g.sessionId;
  out.tool = g.tool;
  out.action = g.action;
  if (g.target) out.target = g.target;
  out.created_at = g.createdAt || zeroGoTime;
  return out as PermissionGrant;
}

const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** Grants never change once made, so their sort key and wire form are computed once (a listing or store write of thousands stays cheap). */
const derived = new WeakMap<Grant, { nanos: bigint; wire: PermissionGrant }>();
function derive(g: Grant): { nanos: bigint; wire: PermissionGrant } {
  let d = derived.get(g);
  if (!d) {
    d = { nanos: goTimeToNanos(g.createdAt) ?? 0n, wire: toWire(g) };
    derived.set(g, d);
  }
  return d;
}

/** Grants kept (all scopes, loaded ones included) and their approximate encoded size. */
export const grantLimits = {
  maxGrants: 10_000,
  maxBytes: 16 * 1024 * 1024,
} as const;

/** Remembering was refused: the store is at one of its limits. */
export class GrantLimitError extends Error {}

/** A change to the grants and the promise that it reached the store (rejects when the write failed; the change is then undone). */
export interface GrantChange {
  grant: PermissionGrant;
  persisted: Promise<void>;
}

export interface GrantStoreOptions {
  /** Persist the current grants (called with coalesced changes, never two at once); absent = memory only. */
  persist?: (grants: PermissionGrant[]) => Promise<void>;
  maxGrants?: number;
  maxBytes?: number;
}

/** Roughly the bytes a grant takes in the store file (its strings plus the indented keys). */
function sizeOf(g: Grant): number {
  return 200 + g.id.length + g.scope.length + g.owner.length + g.clientId.length + g.sessionId.length + g.tool.length + g.action.length + g.target.length + g.createdAt.length;
}

export class GrantStore {
  private readonly byScope = new Map<string, Map<string, Grant>>([
    ['session', new Map()],
    ['session_target', new Map()],
    ['forever', new Map()],
  ]);
  private count = 0;
  private bytes = 0;
  private readonly writer: CoalescedWriter | undefined;
  private readonly maxGrants: number;
  private readonly maxBytes: number;

  constructor(options: GrantStoreOptions = {}) {
    const persist = options.persist;
    // The snapshot is taken when the write starts, so one write carries every change before it.
    this.writer = persist ? new CoalescedWriter(() => persist(this.list())) : undefined;
    this.maxGrants = options.maxGrants ?? grantLimits.maxGrants;
    this.maxBytes = options.maxBytes ?? grantLimits.maxBytes;
  }

  /** Is there a grant for this request? `anyOwner` is the 'grant-shared-across-clients' fault. */
  allows(subject: GrantSubject, anyOwner = false): boolean {
    const wanted = this.asGrantFields(subject);
    // Go checks forever, then session, then session_target; only the yes/no matters here.
    for (const scope of ['forever', 'session', 'session_target'] as const) {
      const grants = this.byScope.get(scope);
      if (!grants) continue;
      if (!anyOwner) {
        if (grants.has(keyOf(scope, wanted))) return true;
        continue;
      }
      for (const g of grants.values()) {
        if (keyOf(scope, { ...g, owner: '' }) === keyOf(scope, { ...wanted, owner: '' })) return true;
      }
    }
    return false;
  }

  /** O(1) in memory; the file is rewritten later, coalesced. Throws GrantLimitError when full. */
  remember(subject: GrantSubject, scope: RememberScope, now: Date): GrantChange {
    const fields = this.asGrantFields(subject);
    const grant: Grant = { ...fields, id: grantId(scope, fields), scope, clientId: subject.clientId.trim(), createdAt: formatGoTime(now) };
    const grants = this.byScope.get(scope) as Map<string, Grant>;
    const key = keyOf(scope, grant);
    const previous = grants.get(key);
    const count = this.count + (previous ? 0 : 1);
    const bytes = this.bytes - (previous ? sizeOf(previous) : 0) + sizeOf(grant);
    if (count > this.maxGrants || bytes > this.maxBytes) {
      throw new GrantLimitError(
        `daemon: permission store full (${this.count} grants, ${this.bytes} bytes; the limit is ${this.maxGrants} grants or ${this.maxBytes} bytes): ` +
          'delete grants with DELETE /v1/permissions/{id}',
      );
    }
    this.put(grants, key, grant, previous);
    const persisted = this.persisted(() => {
      // Undo only if nothing replaced it since.
      if (grants.get(key) === grant) this.put(grants, key, previous, grant);
    });
    return { grant: derive(grant).wire, persisted };
  }

  list(): PermissionGrant[] {
    const all: Grant[] = [];
    for (const grants of this.byScope.values()) all.push(...grants.values());
    all.sort((a, b) => {
      const ta = derive(a).nanos;
      const tb = derive(b).nanos;
      if (ta !== tb) return ta < tb ? -1 : 1;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    return all.map((g) => derive(g).wire);
  }

  forget(id: string): GrantChange | undefined {
    for (const grants of this.byScope.values()) {
      for (const [key, grant] of grants) {
        if (grant.id !== id) continue;
        this.put(grants, key, undefined, grant);
        const persisted = this.persisted(() => {
          if (!grants.has(key)) this.put(grants, key, grant, undefined);
        });
        return { grant: derive(grant).wire, persisted };
      }
    }
    return undefined;
  }

  /** Resolves once every change so far is on disk (or failed). */
  async flushed(): Promise<void> {
    await this.writer?.idle();
  }

  /** Replace `old` (or nothing) at `key` by `next` (or nothing), keeping the totals. */
  private put(grants: Map<string, Grant>, key: string, next: Grant | undefined, old: Grant | undefined): void {
    if (old) {
      this.count--;
      this.bytes -= sizeOf(old);
    }
    if (next) {
      grants.set(key, next);
      this.count++;
      this.bytes += sizeOf(next);
    } else {
      grants.delete(key);
    }
  }

  /** The write of the change just made; on failure `undo` runs before the caller hears of it. */
  private persisted(undo: () => void): Promise<void> {
    if (!this.writer) return Promise.resolve();
    const persisted = this.writer.changed().catch((error: unknown) => {
      undo();
      throw error;
    });
    // Callers await it; one that does not must not see an unhandled rejection.
    persisted.catch(() => undefined);
    return persisted;
  }

  /** Load persisted grants as Go does: normalise, skip incomplete ones, derive missing ids. */
  load(entries: readonly unknown[]): void {
    for (const entry of entries) {
      if (typeof entry !== 'object' || entry === null) continue;
      const raw = entry as Record<string, unknown>;
      const g: Grant = {
        id: str(raw.id),
        scope: str(raw.scope),
        owner: str(raw.owner),
        clientId: str(raw.client_id),
        sessionId: str(raw.session_id),
        tool: str(raw.tool),
        action: str(raw.action),
        target: str(raw.target),
        createdAt: typeof raw.created_at === 'string' ? raw.created_at : '',
      };
      if (!g.id) g.id = grantId(g.scope, g);
      if (!g.owner || !g.tool || !g.action) continue;
      if ((g.scope === 'session' || g.scope === 'session_target') && !g.sessionId) continue;
      const grants = this.byScope.get(g.scope);
      if (!grants) continue;
      const key = keyOf(g.scope, g);
      this.put(grants, key, g, grants.get(key));
    }
  }

  private asGrantFields(subject: GrantSubject): Pick<Grant, 'owner' | 'sessionId' | 'tool' | 'action' | 'target'> {
    return {
      owner: ownerKey(subject),
      sessionId: subject.sessionId.trim() || subject.runSessionId.trim(),
      tool: subject.tool.trim(),
      action: subject.action.trim(),
      target: subject.target.trim(),
    };
  }
}
