/**
 * The opt-in session store of the mock host: each run's user message and completed messages are
 * kept per session (failed runs too, as glue.Session.Prompt does), dated by the daemon's clock,
 * listed most recently updated first, filtered by id or title, and bounded in count.
 */
import { describe, expect, it } from 'vitest';
import { RunFailure } from '../../reference-server/host.js';
import type { AgentIO, MockHost, RunInput } from '../../reference-server/host.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { createSessionStore, userMessage } from '../../reference-server/mock-host/session-store.js';
import type { MockHostClock } from '../../reference-server/mock-host/index.js';

const instantClock: MockHostClock = {
  sleep: (_ms, signal) => (signal.aborted ? Promise.reject(new RunFailure('canceled', 'context canceled')) : Promise.resolve()),
};

/** Every `now()` is one second after the last, from a fixed start. */
function io(): AgentIO {
  let ms = Date.parse('2026-11-25T10:00:00Z');
  return {
    emit: () => undefined,
    askPermission: async () => ({ allow: true, reason: '' }),
    signal: new AbortController().signal,
    now: () => new Date((ms += 1000)),
  };
}

const input = (sessionId: string, text: string): RunInput => ({ runId: `run_${text}`, sessionId, clientId: '', text });
const textsOf = (messages: unknown[] | undefined): [string, string | undefined][] =>
  (messages as { role: string; content?: { text?: string }[] }[] | undefined ?? []).map((m) => [m.role, m.content?.[0]?.text]);

function sessionHost(): Required<Pick<MockHost, 'agent' | 'sessionList' | 'sessionGet' | 'sessionMessages'>> {
  const host = loadMockHost({ sessions: true, clock: instantClock });
  if (!host.sessionList || !host.sessionGet || !host.sessionMessages) throw new Error('sessions: true must add the three members');
  return host as Required<Pick<MockHost, 'agent' | 'sessionList' | 'sessionGet' | 'sessionMessages'>>;
}

describe('loadMockHost({ sessions })', () => {
  it('is off by default, on the full and the minimal host', () => {
    for (const host of [loadMockHost(), loadMockHost({ minimal: true })]) {
      expect([host.sessionList, host.sessionGet, host.sessionMessages]).toEqual([undefined, undefined, undefined]);
    }
    const minimal = loadMockHost({ minimal: true, sessions: true });
    expect(Object.keys(minimal).sort()).toEqual(['agent', 'sessionGet', 'sessionList', 'sessionMessages']);
  });

  it('stores the user message and the new messages of each run, in order, with clock times', async () => {
    const host = sessionHost();
    const clock = io();
    const first = await host.agent.run(input('telegram:42', 'hello'), clock);
    await host.agent.run(input('telegram:42', 'say again'), clock);
    const messages = await host.sessionMessages({ id: 'telegram:42' });
    expect(textsOf(messages)).toEqual([
      ['user', 'hello'],
      ['assistant', 'Hello, world'],
      ['user', 'say again'],
      ['assistant', 'say again'],
    ]);
    // The stored reply is the run's new message, the user message dated when the run began.
    expect(messages?.[1]).toEqual(first.newMessages[0]);
    expect(messages?.[0]).toEqual(userMessage('hello', new Date('2026-11-25T10:00:01Z')));
    expect(await host.sessionGet({ id: 'telegram:42' })).toEqual({
      id: 'telegram:42',
      title: 'hello',
      message_count: 4,
      created_at: '2026-11-25T10:00:01Z',
      updated_at: expect.stringMatching(/^2026-11-25T10:00:\d\dZ$/),
    });
  });

  it('stores a failed run too: its user message and what the loop completed', async () => {
    const host = sessionHost();
    await expect(host.agent.run(input('s', 'fail'), io())).rejects.toBeInstanceOf(RunFailure);
    expect(textsOf(await host.sessionMessages({ id: 's' }))).toEqual([['user', 'fail']]);
  });

  it('hands out copies: changing an answer does not change the store', async () => {
    const host = sessionHost();
    await host.agent.run(input('s', 'hello'), io());
    const messages = await host.sessionMessages({ id: 's' });
    messages?.splice(0);
    expect(await host.sessionMessages({ id: 's' })).toHaveLength(2);
  });

  it('answers undefined for an unknown session', async () => {
    const host = sessionHost();
    expect(await host.sessionGet({ id: 'nope' })).toBeUndefined();
    expect(await host.sessionMessages({ id: 'nope' })).toBeUndefined();
  });
});

describe('createSessionStore', () => {
  const at = (s: number): Date => new Date(Date.UTC(2026, 10, 25, 10, 0, s));
  const user = (text: string) => userMessage(text, at(0));

  it('lists the most recently updated first (ties by update order), filtered by id or title, limited', async () => {
    const store = createSessionStore();
    store.append('a', [user('Walk the dog')], at(1), at(1));
    store.append('b', [user('other')], at(1), at(1));
    store.append('c', [user('third')], at(1), at(1));
    store.append('a', [user('again')], at(2), at(2));
    expect((await store.sessionList({ query: '', limit: 0 })).map((s) => s.id)).toEqual(['a', 'c', 'b']);
    expect((await store.sessionList({ query: '', limit: 2 })).map((s) => s.id)).toEqual(['a', 'c']);
    expect((await store.sessionList({ query: 'DOG', limit: 0 })).map((s) => s.id)).toEqual(['a']);
    expect((await store.sessionList({ query: ' b ', limit: 0 })).map((s) => s.id)).toEqual(['b']);
    expect(await store.sessionList({ query: 'zzz', limit: 0 })).toEqual([]);
  });

  it('titles a session by the first line of its first user text, shortened', async () => {
    const store = createSessionStore();
    store.append('long', [user(`${'x'.repeat(100)}\nsecond line`)], at(1), at(1));
    store.append('none', [], at(1), at(1));
    expect((await store.sessionGet({ id: 'long' }))?.title).toBe(`${'x'.repeat(79)}…`);
    expect(await store.sessionGet({ id: 'none' })).toEqual({ id: 'none', message_count: 0, created_at: '2026-11-25T10:00:01Z', updated_at: '2026-11-25T10:00:01Z' });
  });

  it('evicts the least recently updated session beyond maxSessions', async () => {
    const store = createSessionStore({ maxSessions: 2 });
    store.append('a', [user('a')], at(1), at(1));
    store.append('b', [user('b')], at(2), at(2));
    store.append('a', [user('a2')], at(3), at(3));
    store.append('c', [user('c')], at(4), at(4));
    expect((await store.sessionList({ query: '', limit: 0 })).map((s) => s.id)).toEqual(['c', 'a']);
    expect(await store.sessionGet({ id: 'b' })).toBeUndefined();
  });

  it('keeps the stored messages within maxChars: least recently updated sessions go first, then the oldest messages', async () => {
    const size = JSON.stringify(user('x'.repeat(100))).length;
    const store = createSessionStore({ maxChars: 3 * size });
    store.append('a', [user('x'.repeat(100))], at(1), at(1));
    store.append('b', [user('y'.repeat(100))], at(2), at(2));
    store.append('a', [user('z'.repeat(100))], at(3), at(3));
    // Three messages fit; a fourth forgets b (the least recently updated), not a.
    store.append('c', [user('w'.repeat(100))], at(4), at(4));
    expect((await store.sessionList({ query: '', limit: 0 })).map((s) => s.id)).toEqual(['c', 'a']);
    expect((await store.sessionGet({ id: 'a' }))?.message_count).toBe(2);
    // One session alone over the budget keeps its newest messages.
    store.append('c', [user('1'.repeat(100)), user('2'.repeat(100)), user('3'.repeat(100))], at(5), at(5));
    expect((await store.sessionList({ query: '', limit: 0 })).map((s) => s.id)).toEqual(['c']);
    expect((await store.sessionMessages({ id: 'c' }))?.map((m) => (m.content as { text: string }[])[0]?.text[0])).toEqual(['1', '2', '3']);
  });
});
