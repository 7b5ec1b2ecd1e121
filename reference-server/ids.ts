/**
 * Where run, event and permission ids come from. Go uses `prefix + "_" + 32 random hex digits`;
 * tests inject a deterministic source. Grant ids need no source: they are derived from the grant's
 * scope and key (see grants.ts), exactly as Go derives them.
 */
import { randomBytes, toHex } from './portable-crypto.js';

export interface IdSource {
  run(): string;
  event(): string;
  permission(): string;
}

/** Random bytes drawn in blocks: one `randomBytes` call per 256 ids instead of one per event. */
const POOL_BYTES = 16 * 256;
let pool: Uint8Array = new Uint8Array(0);
let poolOffset = POOL_BYTES;

function randomId(prefix: string): string {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const hex = toHex(pool, poolOffset, poolOffset + 16);
  poolOffset += 16;
  return `${prefix}_${hex}`;
}

export const randomIds: IdSource = {
  run: () => randomId('run'),
  event: () => randomId('evt'),
  permission: () => randomId('perm'),
};

/**
 * Deterministic ids shaped like Go's (`run_` + 32 hex digits), counting up per prefix:
 * `run_00000000000000000000000000000001`, … Handy for tests and reproducible demos.
 */
export function createSequentialIds(): IdSource {
  const counters = new Map<string, number>();
  const next = (prefix: string): string => {
    const n = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, n);
    return `${prefix}_${n.toString(16).padStart(32, '0')}`;
  };
  return { run: () => next('run'), event: () => next('evt'), permission: () => next('perm') };
}

export function resolveIds(partial: Partial<IdSource> | undefined): IdSource {
  return { ...randomIds, ...partial };
}

const maxAttempts = 100;

/**
 * A fresh id from `next` that `taken` does not know. Go retries forever; an injected source that
 * keeps repeating itself would hang the daemon, so this gives up with a clear error instead.
 */
export function freshId(kind: string, next: () => string, taken: (id: string) => boolean): string {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const id = next();
    if (!taken(id)) return id;
  }
  throw new Error(`Failed to create a ${kind} id: the id source returned ids already in use ${maxAttempts} times. Give each ${kind} a new id.`);
}
