/**
 * Remembered grants that cannot be kept are never acknowledged as kept (issue 11, items 10–11):
 * a store write error or a full store fails the run with the error (as Go's decidePermission
 * does), is logged and the grant is not listed; a DELETE that cannot be written answers 500 and
 * keeps the grant. Writes are coalesced (one in flight, one pending) with an ordering guarantee.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceServer } from '../../reference-server/index.js';
import type { ReferenceServer, ReferenceServerOptions } from '../../reference-server/index.js';
import { CoalescedWriter } from '../../reference-server/coalesced-writer.js';
import { GrantStore } from '../../reference-server/grants.js';
import type { GrantSubject } from '../../reference-server/grants.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import type { PermissionGrant } from '../../src/protocol/types.js';
import { json, request, token, until } from './helpers.js';
import { StreamReader } from './replay-harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'glue-grant-store-'));
  dirs.push(dir);
  return dir;
}

function setup(overrides: Partial<ReferenceServerOptions> = {}): ReferenceServer {
  return createReferenceServer({ token, host: loadMockHost({ delayScale: 0 }), permissionTimeoutMs: 60_000, ...overrides });
}

/** Runs `permission` in `session`, answers its request with `decision`; returns the decision answer and the stream. */
async function decide(server: ReferenceServer, session: string, decision: object) {
  const started = (await json(await request(server, 'POST', `/v1/sessions/${session}/runs`, { body: { text: 'permission' } }))) as { run_id: string; events_url: string };
  const reader = new StreamReader(await request(server, 'GET', started.events_url), () => undefined);
  await until(() => reader.events.some((e) => e.event === 'permission_request') || reader.done, 'permission_request');
  const ask = reader.events.find((e) => e.event === 'permission_request');
  const permissionId = (ask?.data.payload as { permission_id: string }).permission_id;
  const answer = await request(server, 'POST', `/v1/runs/${started.run_id}/permissions/${permissionId}/decision`, { body: decision });
  await reader.finished;
  return { answer, body: await json(answer), events: reader.events };
}

const types = (events: { event: string }[]): string[] => events.map((e) => e.event);
const listed = async (server: ReferenceServer): Promise<PermissionGrant[]> =>
  ((await json(await request(server, 'GET', '/v1/permissions'))) as { permissions: PermissionGrant[] }).permissions;

describe('a grant the store cannot write', () => {
  it('fails its run with the Go-worded store error, is logged, is not listed and is not kept after a restart', async () => {
    const dir = tempDir();
    const path = join(dir, 'store', 'permissions.json');
    const lines: string[] = [];
    const server = setup({ permissionStorePath: path, log: (line) => lines.push(line) });
    // A file where the store's directory should be: unwritable even for root.
    writeFileSync(join(dir, 'store'), 'not a directory\n');

    const { answer, body, events } = await decide(server, 'ro', { allow: true, remember_for: 'forever' });
    // As Go: the decision itself is accepted (the owner did decide) ...
    expect(answer.status).toBe(200);
    expect(body).toMatchObject({ accepted: true });
    // ... but the tool does not run on a grant that was not stored: the run fails with the error.
    expect(types(events)).not.toContain('tool_end');
    const last = events.at(-1);
    expect(last?.event).toBe('run_error');
    const error = (last?.data.payload as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('internal');
    expect(error.message).toMatch(/^daemon: prepare permission store: mkdir .*store: (not a directory|file exists)$/);

    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('permission grant not remembered');
    expect(lines[0]).toContain(error.message);
    expect(await listed(server)).toEqual([]);
    const diagnostics = (await json(await request(server, 'GET', '/v1/diagnostics'))) as { recent_errors?: { error: string }[] };
    expect(diagnostics.recent_errors?.map((e) => e.error)).toEqual([error.message]);

    // Nothing asked again silently: the next identical request asks the owner again.
    rmSync(join(dir, 'store'));
    const again = await decide(server, 'ro', { allow: true, remember_for: 'forever' });
    expect(types(again.events)).toContain('permission_request');
    expect(again.events.at(-1)?.event).toBe('run_done');
    await server.close();
    expect(JSON.parse(readFileSync(path, 'utf8')).permissions).toHaveLength(1);
  });

  it('a DELETE that cannot be written answers 500 internal and keeps the grant', async () => {
    const dir = tempDir();
    const path = join(dir, 'store', 'permissions.json');
    const server = setup({ permissionStorePath: path });
    await decide(server, 'del', { allow: true, remember_for: 'forever' });
    const [grant] = await listed(server);
    expect(grant).toBeDefined();
    rmSync(join(dir, 'store'), { recursive: true });
    writeFileSync(join(dir, 'store'), 'not a directory\n');
    const answer = await request(server, 'DELETE', `/v1/permissions/${grant?.id}`);
    expect(answer.status).toBe(500);
    expect(await json(answer)).toMatchObject({ error: { code: 'internal', retryable: false } });
    expect((await listed(server)).map((g) => g.id)).toEqual([grant?.id]);
    await server.close();
  });
});

describe('the grant limit', () => {
  it('past maxGrants a remember decision fails its run with a message naming the limit; forgetting makes room', async () => {
    const server = setup({ limits: { maxGrants: 2 } });
    for (const session of ['a', 'b']) expect((await decide(server, session, { allow: true, remember_for: 'session' })).events.at(-1)?.event).toBe('run_done');
    const full = await decide(server, 'c', { allow: true, remember_for: 'session' });
    expect(full.answer.status).toBe(200);
    const error = (full.events.at(-1)?.data.payload as { error: { code: string; message: string } }).error;
    expect(error).toMatchObject({ code: 'internal' });
    expect(error.message).toContain('permission store full (2 grants');
    expect(await listed(server)).toHaveLength(2);
    // A decision that remembers nothing is not affected.
    expect((await decide(server, 'd', { allow: true })).events.at(-1)?.event).toBe('run_done');
    const [oldest] = await listed(server);
    expect((await request(server, 'DELETE', `/v1/permissions/${oldest?.id}`)).status).toBe(200);
    expect((await decide(server, 'c', { allow: true, remember_for: 'session' })).events.at(-1)?.event).toBe('run_done');
    await server.close();
  });

  it('counts bytes too: a grant that would pass maxGrantBytes is refused', async () => {
    const server = setup({ limits: { maxGrantBytes: 600 } });
    expect((await decide(server, 'x'.repeat(100), { allow: true, remember_for: 'session' })).events.at(-1)?.event).toBe('run_done');
    const refused = await decide(server, 'y'.repeat(300), { allow: true, remember_for: 'session' });
    expect((refused.events.at(-1)?.data.payload as { error: { message: string } }).error.message).toContain('permission store full');
    await server.close();
  });
});

const subject = (session: string): GrantSubject => ({ clientId: '', runSessionId: session, sessionId: session, tool: 'write_note', action: 'write', target: 't' });

describe('coalesced store writes', () => {
  it('1,000 remembers while a write is in flight cost two writes; each waits for a write that holds it', async () => {
    const writes: PermissionGrant[][] = [];
    let release: () => void = () => undefined;
    const store = new GrantStore({
      persist: (grants) => {
        writes.push(grants);
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const first = store.remember(subject('s0'), 'session', new Date(0));
    await until(() => writes.length === 1, 'the first write');
    const rest = Array.from({ length: 1000 }, (_, i) => store.remember(subject(`s${i + 1}`), 'session', new Date(i + 1)));
    let settled = 0;
    for (const change of rest) void change.persisted.then(() => settled++);
    release();
    await first.persisted;
    expect(settled).toBe(0); // the first write did not hold them
    await until(() => writes.length === 2, 'the second write');
    expect(writes[1]).toHaveLength(1001);
    release();
    await Promise.all(rest.map((change) => change.persisted));
    expect(writes).toHaveLength(2);
  });

  it('a failed write rejects every change it carried and undoes them; the next write carries the state after the undo', async () => {
    let fail = true;
    const writes: string[][] = [];
    const writer = new GrantStore({
      persist: async (grants) => {
        writes.push(grants.map((g) => g.session_id ?? ''));
        if (fail) throw new Error('disk full');
      },
    });
    const a = writer.remember(subject('a'), 'session', new Date(1));
    const b = writer.remember(subject('b'), 'session', new Date(2));
    await expect(a.persisted).rejects.toThrow('disk full');
    await expect(b.persisted).rejects.toThrow('disk full');
    expect(writer.list()).toEqual([]);
    fail = false;
    await writer.remember(subject('c'), 'session', new Date(3)).persisted;
    expect(writes).toEqual([['a', 'b'], ['c']]);
  });

  it('CoalescedWriter: writes never overlap and idle() waits for the last one', async () => {
    let active = 0;
    let most = 0;
    let count = 0;
    const writer = new CoalescedWriter(async () => {
      active++;
      most = Math.max(most, active);
      await new Promise((resolve) => setImmediate(resolve));
      count++;
      active--;
    });
    const all: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      all.push(writer.changed());
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.idle();
    await Promise.all(all);
    expect(most).toBe(1);
    expect(count).toBeLessThanOrEqual(10);
  });
});

describe('the store file encoder', () => {
  it('writes byte for byte what Go-style MarshalIndent of the whole file gives, from cached per-grant blocks', async () => {
    const { encodeStoreFile } = await import('../../reference-server/permission-store-file.js');
    const { encodeGoJsonIndented } = await import('../../reference-server/go-json.js');
    const store = new GrantStore();
    expect(encodeStoreFile(store.list())).toBe(encodeGoJsonIndented({ version: 1, permissions: [] }));
    for (let i = 0; i < 50; i++) store.remember({ ...subject(`s${i}<&>`), clientId: i % 2 ? `cli:${i}` : '', target: `t\u2028${i}` }, i % 3 ? 'forever' : 'session_target', new Date(1_700_000_000_000 + i));
    for (let round = 0; round < 2; round++) expect(encodeStoreFile(store.list())).toBe(encodeGoJsonIndented({ version: 1, permissions: store.list() }));
  });
});
