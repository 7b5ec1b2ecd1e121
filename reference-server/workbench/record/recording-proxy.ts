/**
 * `--record --upstream URL --out DIR`: a proxy in front of a real daemon. Every request is
 * forwarded as it came (the client's token included; redirects are not followed) and the answer
 * passed back unchanged, event streams streaming. For each run it starts, the proxy reads the
 * run's stream itself (a second reader; the daemon replays from seq 1) and, once it ends, writes
 * the run as scenario YAML to DIR, which `--scenarios DIR` replays. Bounded: bodies up to 1 MiB are
 * forwarded (larger get 413), a recorded stream ends after 30 min idle or 100,000 events.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readSse } from '../../../src/protocol/sse-reader.js';
import { readTextCapped } from '../../../src/protocol/read-capped.js';
import { errorResponse } from '../../responses.js';
import { scenarioFromRun, type RecordedEvent } from './scenario-from-events.js';

const MAX_BODY = 1024 * 1024;
const MAX_EVENTS = 100_000;
const IDLE_MS = 30 * 60_000;
const MAX_DECISIONS = 10_000;
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect']);

export interface RecordingProxyOptions {
  upstream: string;
  outDir: string;
  /** One line per recorded run (the file written) or recording problem. */
  log?: (line: string) => void;
}

export interface RecordingProxy {
  handle(request: Request): Promise<Response>;
  /** Resolves when every recording in progress has been written (or given up). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export function createRecordingProxy(options: RecordingProxyOptions): RecordingProxy {
  const upstream = new URL(options.upstream);
  mkdirSync(options.outDir, { recursive: true });
  const decisions = new Map<string, boolean>();
  const pending = new Set<Promise<void>>();
  const stop = new AbortController();
  let count = 0;

  async function record(runId: string, eventsUrl: string, start: { text?: string; skill?: string }, authorization: string | null): Promise<void> {
    const number = ++count;
    const response = await fetch(new URL(eventsUrl, upstream), { headers: authorization ? { Authorization: authorization } : {}, redirect: 'manual', signal: stop.signal });
    if (response.status !== 200 || !response.body) {
      options.log?.(`record: run ${runId}: events answered ${response.status}; not recorded`);
      return;
    }
    const events: RecordedEvent[] = [];
    for await (const frame of readSse(response.body, { idleTimeoutMs: IDLE_MS, signal: stop.signal })) {
      const envelope = JSON.parse(frame.data) as { type: string; payload: Record<string, unknown> };
      events.push({ type: envelope.type, payload: envelope.payload ?? {} });
      if (envelope.type === 'run_done' || envelope.type === 'run_error' || events.length >= MAX_EVENTS) break;
    }
    const slug = (start.skill ?? start.text ?? 'run').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
    const name = `rec-${String(number).padStart(3, '0')}-${slug}`;
    const doc = scenarioFromRun({ name, ...start, events, decisions });
    const file = join(options.outDir, `${name}.yaml`);
    const text = `# Run ${runId}, recorded by glue-mock-daemon --record from ${upstream.origin}.\n${stringify(doc, { lineWidth: 0 })}`;
    writeFileSync(file + '.tmp', text, { mode: 0o644 });
    renameSync(file + '.tmp', file);
    options.log?.(`record: run ${runId} (${events.length} events) → ${file}`);
  }

  function track(work: Promise<void>): void {
    const done = work.catch((error: unknown) => options.log?.(`record: ${String((error as Error)?.message ?? error)}`)).finally(() => pending.delete(done));
    pending.add(done);
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const target = new URL(url.pathname + url.search, upstream);
    const headers = new Headers();
    request.headers.forEach((value, name) => {
      if (!HOP_HEADERS.has(name)) headers.set(name, value);
    });
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await readTextCapped(request.body, MAX_BODY);
    if (body === undefined && request.method !== 'GET' && request.method !== 'HEAD') return errorResponse(413, 'invalid_request', 'request body too large');
    let response: Response;
    try {
      response = await fetch(target, { method: request.method, headers, ...(body !== undefined && body !== '' ? { body } : {}), redirect: 'manual', signal: request.signal });
    } catch (error) {
      return errorResponse(502, 'internal', `upstream ${upstream.origin} unreachable: ${String((error as Error)?.message ?? error)}`);
    }
    const startRun = request.method === 'POST' && /^\/v1\/sessions\/[^/]+\/runs$/.test(url.pathname);
    if (startRun && response.status === 201) {
      const started = (await response.clone().json().catch(() => undefined)) as { run_id?: string; events_url?: string } | undefined;
      const sent = safeJson(body);
      if (started?.run_id && started.events_url) {
        const start = typeof sent?.['skill'] === 'string' && sent['skill'].trim() !== '' ? { skill: sent['skill'].trim() } : { text: String(sent?.['text'] ?? '').trim() };
        track(record(started.run_id, started.events_url, start, request.headers.get('authorization')));
      }
    }
    const decision = /^\/v1\/runs\/[^/]+\/permissions\/([^/]+)\/decision$/.exec(url.pathname);
    if (request.method === 'POST' && decision && response.status === 200) {
      decisions.set(decodeURIComponent(decision[1] ?? ''), safeJson(body)?.['allow'] === true);
      if (decisions.size > MAX_DECISIONS) decisions.delete(decisions.keys().next().value as string);
    }
    // Node's fetch has decoded any content-encoding; the length no longer applies.
    const out = new Headers(response.headers);
    out.delete('content-encoding');
    out.delete('content-length');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: out });
  }

  return {
    handle,
    settled: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    close: async () => {
      stop.abort();
      await Promise.allSettled([...pending]);
    },
  };
}

function safeJson(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text ?? '') as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
