/** Shared plumbing for the daemon-core tests: requests against `handle()`, SSE parsing, bounded waits. */
import type { ReferenceServer } from '../../reference-server/index.js';
import { parseSse as parseSseText } from '../support/captures.js';

export const token = 'test-token-0123456789abcdef';
export const base = 'http://127.0.0.1:1';

export function request(
  server: ReferenceServer,
  method: string,
  path: string,
  options: { body?: string | object; headers?: Record<string, string>; auth?: boolean; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.auth !== false) headers.set('Authorization', `Bearer ${token}`);
  let body: string | undefined;
  if (options.body !== undefined) body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return server.handle(new Request(base + path, { method, headers, body, signal: options.signal }));
}

export async function json(response: Response): Promise<unknown> {
  return JSON.parse(await response.text());
}

export interface ParsedEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** Complete SSE events of served text, via the shared capture parser (`data:` parsed as JSON). */
export function parseSse(text: string): ParsedEvent[] {
  return parseSseText(text)
    .frames.filter((frame) => frame.terminated)
    .map((frame) => ({ id: frame.id ?? '', event: frame.event ?? '', data: frame.json as Record<string, unknown> }));
}

/** Polls `condition` on the event loop (no wall-clock sleeps), failing after `maxTurns` turns. */
export async function until(condition: () => boolean, what: string, maxTurns = 10_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
