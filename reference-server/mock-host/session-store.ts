/**
 * The mock host's opt-in session store (ADR-0010 §9 lookup, capability `sessions`): like
 * glue.Session.Prompt, each run appends its user message and the messages its loop completed,
 * and the store answers the three `MockHost` session members from memory.
 */
import type { MockHost } from '../host.js';
import type { Message, SessionInfo } from '../../src/protocol/types.js';
import { formatTime, textPart } from './messages.js';

/** More sessions than this evict the least recently updated: a long-lived mock daemon stays bounded. */
export const DEFAULT_MAX_SESSIONS = 1000;
/**
 * Characters of the stored messages' JSON, all sessions together (a `flood 20000` run stores a
 * 20 KB message; a session of many runs grows with each): past it the least recently updated
 * sessions are forgotten, then the oldest messages of the session being appended to.
 */
export const DEFAULT_MAX_SESSION_CHARS = 64 * 1024 * 1024;
const TITLE_CHARS = 80;

export type SessionMembers = Required<Pick<MockHost, 'sessionList' | 'sessionGet' | 'sessionMessages'>>;

export interface SessionStore extends SessionMembers {
  /** Appends one run's messages; `startedAt` dates a new session, `endedAt` its update. */
  append(sessionId: string, messages: readonly Message[], startedAt: Date, endedAt: Date): void;
}

interface StoredSession {
  id: string;
  title: string;
  messages: Message[];
  /** JSON length of each message, and their sum. */
  sizes: number[];
  chars: number;
  createdAt: string;
  updatedAt: string;
  /** Order of the last update: ties of the injected clock still list the latest first. */
  tick: number;
}

/** The user message glue.Session.Prompt stores in front of a run's new messages. */
export function userMessage(text: string, at: Date): Message {
  return { role: 'user', content: [textPart(text)], created_at: formatTime(at) };
}

export function createSessionStore(options: { maxSessions?: number; maxChars?: number } = {}): SessionStore {
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const maxChars = options.maxChars ?? DEFAULT_MAX_SESSION_CHARS;
  let chars = 0;
  // A Map keeps insertion order; re-inserting on update keeps the oldest update first.
  const sessions = new Map<string, StoredSession>();
  let tick = 0;

  return {
    append(sessionId, messages, startedAt, endedAt) {
      const existing = sessions.get(sessionId);
      const session: StoredSession = existing ?? {
        id: sessionId,
        title: titleOf(messages),
        messages: [],
        sizes: [],
        chars: 0,
        createdAt: formatTime(startedAt),
        updatedAt: '',
        tick: 0,
      };
      for (const message of structuredClone([...messages])) {
        const size = JSON.stringify(message).length;
        session.messages.push(message);
        session.sizes.push(size);
        session.chars += size;
        chars += size;
      }
      session.updatedAt = formatTime(endedAt);
      session.tick = ++tick;
      sessions.delete(sessionId);
      sessions.set(sessionId, session);
      // Map order is update order: the first entries are the least recently updated.
      for (const [id, oldest] of sessions) {
        if (sessions.size <= maxSessions && chars <= maxChars) break;
        if (oldest === session) break;
        sessions.delete(id);
        chars -= oldest.chars;
      }
      // This session alone is over the budget: it keeps its newest messages (at least the last).
      while (chars > maxChars && session.messages.length > 1) {
        session.messages.shift();
        const size = session.sizes.shift() ?? 0;
        session.chars -= size;
        chars -= size;
      }
    },
    async sessionList({ query, limit }) {
      const needle = query.trim().toLowerCase();
      const matching = [...sessions.values()]
        .filter((s) => needle === '' || s.id.toLowerCase().includes(needle) || s.title.toLowerCase().includes(needle))
        .sort((a, b) => b.tick - a.tick);
      return (limit > 0 ? matching.slice(0, limit) : matching).map(infoOf);
    },
    async sessionGet({ id }) {
      const session = sessions.get(id);
      return session ? infoOf(session) : undefined;
    },
    async sessionMessages({ id }) {
      const session = sessions.get(id);
      return session ? structuredClone(session.messages) : undefined;
    },
  };
}

function infoOf(session: StoredSession): SessionInfo {
  return {
    id: session.id,
    ...(session.title ? { title: session.title } : {}),
    message_count: session.messages.length,
    created_at: session.createdAt,
    updated_at: session.updatedAt,
  };
}

/** The first line of the first user text, shortened: what a client shows in a session picker. */
function titleOf(messages: readonly Message[]): string {
  const first = messages.find((m) => m.role === 'user');
  const content = (first as { content?: { type?: string; text?: string }[] } | undefined)?.content ?? [];
  const text = content.find((part) => part.type === 'text')?.text ?? '';
  const line = Array.from(text.trim().split('\n', 1)[0]?.trim() ?? '');
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1).join('')}…` : line.join('');
}
