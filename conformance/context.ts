/**
 * Builds the context one check runs in: its own recording HTTP client tied to the check's abort
 * signal, and a source of unique ids so concurrent checks never share sessions, clients or grants.
 */
import { randomBytes } from 'node:crypto';
import { createHttpClient, excerpt, type Exchange } from '../src/protocol/http-client.js';
import { RESULT_LIMITS } from './limits.js';
import type { CheckContext, Profile, ScenarioPrompts } from './types.js';

export interface ContextOptions {
  baseUrl: string;
  token: string;
  capabilities: ReadonlySet<string>;
  profile: Profile;
  prompts: ScenarioPrompts;
  permissionTimeoutMs: number | undefined;
  timeoutMs: number;
  /** Per-request bound (headers + body) inside the check. */
  requestTimeoutMs: number;
  maxBodyBytes: number;
  signal: AbortSignal;
  checkId: string;
  fetch?: typeof fetch;
}

export interface CheckRecording {
  context: CheckContext;
  exchanges: Exchange[];
  notes: string[];
}

const runTag = randomBytes(3).toString('hex');
let counter = 0;

export function createCheckContext(options: ContextOptions): CheckRecording {
  const exchanges: Exchange[] = [];
  const notes: string[] = [];
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    token: options.token,
    timeoutMs: Math.min(options.requestTimeoutMs, options.timeoutMs),
    maxBodyBytes: options.maxBodyBytes,
    signal: options.signal,
    onExchange: (exchange) => exchanges.push(exchange),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const prefix = options.checkId.toLowerCase();
  const context: CheckContext = {
    http,
    baseUrl: http.baseUrl,
    token: options.token,
    capabilities: options.capabilities,
    profile: options.profile,
    prompts: options.prompts,
    permissionTimeoutMs: options.permissionTimeoutMs,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    unique: (label) => `conf-${prefix}-${label}-${runTag}${(++counter).toString(36)}`,
    note: (message) => {
      if (notes.length < RESULT_LIMITS.notes) notes.push(excerpt(message, RESULT_LIMITS.noteChars));
    },
  };
  return { context, exchanges, notes };
}
