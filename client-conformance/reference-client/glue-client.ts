/**
 * The kit's reference Glue client: a small fetch-based library that starts a run, streams its
 * events, answers permission requests and cancels what it gives up on, as ADR-0010 and the spec
 * say. It passes every client case; `faults` switch single misbehaviours on for the kit's own
 * sensitivity tests (users leave it empty).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClientFaults } from './faults.js';
import { SseParser, type SseEvent } from './sse-lines.js';

export interface PermissionQuestion {
  permissionId: string;
  tool: string;
  action?: string;
  target?: string;
}

export interface GlueRunOptions {
  /** Daemon base URL and token; when either is missing both come from the metadata file. */
  baseUrl?: string | undefined;
  token?: string | undefined;
  /** Default: `$XDG_CONFIG_HOME/glue/daemon.json`, else `~/.config/glue/daemon.json`. */
  metadataPath?: string | undefined;
  prompt: string;
  sessionId?: string;
  clientId?: string;
  /** Streamed text, delta by delta. */
  onText?: (delta: string) => void;
  /** The user's answer to a permission request (true allows). */
  onPermission?: (question: PermissionQuestion) => boolean | Promise<boolean>;
  /** Things the user should know that do not end the run (a refused decision). */
  onNotice?: (message: string) => void;
  /** Longest silence on the event stream before the client gives up (and cancels). Default 60 s. */
  idleTimeoutMs?: number;
  /** Giving up: the run is canceled with DELETE and `runPrompt` rejects. */
  signal?: AbortSignal;
  /** Hard stop: every request is aborted, nothing more is sent. */
  killSignal?: AbortSignal;
  fetch?: typeof fetch;
  faults?: ClientFaults;
}

export interface GlueRunResult {
  runId: string;
  text: string;
}

export class GlueClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GlueClientError';
  }
}

const MAX_ERROR_BODY = 4096;
const RETRIES = 3;

async function describeFailure(what: string, response: Response, faults: ClientFaults): Promise<string> {
  if (faults.has('vague-errors')) return `${what} failed`;
  const text = (await response.text().catch(() => '')).slice(0, MAX_ERROR_BODY);
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof error?.message === 'string') return `${what}: HTTP ${response.status} ${String(error.code)}: ${error.message}`;
  } catch {
    // not an envelope: a proxy or another server answered
  }
  return `${what}: HTTP ${response.status} ${response.statusText}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ''}`;
}

async function readMetadata(path: string | undefined): Promise<{ baseUrl: string; token: string }> {
  const config = process.env['XDG_CONFIG_HOME'] || join(process.env['HOME'] ?? '.', '.config');
  const file = path ?? join(config, 'glue', 'daemon.json');
  let parsed: { base_url?: unknown; token?: unknown };
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new GlueClientError(`no daemon: pass a URL and token, or start one (cannot read ${file}: ${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof parsed.base_url !== 'string' || typeof parsed.token !== 'string') throw new GlueClientError(`metadata file ${file} has no base_url and token`);
  return { baseUrl: parsed.base_url, token: parsed.token };
}

export async function runPrompt(options: GlueRunOptions): Promise<GlueRunResult> {
  const faults: ClientFaults = options.faults ?? new Set();
  const doFetch = options.fetch ?? fetch;
  let baseUrl = options.baseUrl?.trim() ?? '';
  let token = options.token?.trim() ?? '';
  if ((baseUrl === '' || token === '') && !faults.has('ignores-metadata')) ({ baseUrl, token } = await readMetadata(options.metadataPath));
  if (baseUrl === '' || token === '') throw new GlueClientError('no daemon URL or token');
  baseUrl = baseUrl.replace(/\/+$/, '');
  const session = options.sessionId ?? 'default';
  const clientId = options.clientId ?? `ref-client-${process.pid}`;
  const auth = { Authorization: `Bearer ${token}` };
  const kill = options.killSignal;

  /** One request; redirects are never followed (a redirect must not carry the token away). */
  const send = async (url: string, init: RequestInit): Promise<Response> => {
    const signals = [kill, options.signal].filter((s): s is AbortSignal => s !== undefined);
    const request: RequestInit = { ...init, redirect: faults.has('follows-redirects') ? 'follow' : 'manual', ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}) };
    let response = await doFetch(url, request);
    for (let hops = 0; faults.has('follows-redirects-with-token') && response.status >= 300 && response.status < 400 && hops < 5; hops++) {
      response = await doFetch(new URL(response.headers.get('location') ?? '/', url), request);
    }
    return response;
  };

  // Start the run (a retryable answer is retried a few times).
  const path = faults.has('unencoded-session') ? session : encodeURIComponent(session);
  const body: Record<string, unknown> = { text: options.prompt };
  if (!faults.has('no-client-id')) body['client_id'] = clientId;
  if (faults.has('sends-skill-too')) body['skill'] = 'triage';
  let started: Response;
  for (let attempt = 0; ; attempt++) {
    started = await send(`${baseUrl}/v1/sessions/${path}/runs`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (started.status !== 429 && started.status !== 503) break;
    if (attempt >= RETRIES && !faults.has('retries-forever')) break;
    await started.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
  }
  if (started.status !== 201) throw new GlueClientError(await describeFailure('starting the run', started, faults));
  const start = (await started.json()) as { run_id?: unknown; events_url?: unknown };
  if (typeof start.run_id !== 'string' || typeof start.events_url !== 'string') throw new GlueClientError('the run start answer has no run_id or events_url');
  const runId = start.run_id;
  let eventsUrl = faults.has('ignores-events-url') ? `${baseUrl}/v1/runs/${encodeURIComponent(runId)}/events` : new URL(start.events_url, `${baseUrl}/`).href;
  if (faults.has('token-in-query')) eventsUrl += `${eventsUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;

  let cancelSent = false;
  const cancel = async (): Promise<void> => {
    if (cancelSent || faults.has('no-cancel') || kill?.aborted) return;
    cancelSent = true;
    await doFetch(`${baseUrl}/v1/runs/${encodeURIComponent(runId)}`, { method: 'DELETE', headers: auth, redirect: 'manual', ...(kill ? { signal: kill } : {}) }).then(
      (r) => r.body?.cancel(),
      () => undefined,
    );
  };

  const stream = await send(eventsUrl, { headers: { ...(faults.has('no-auth-on-stream') ? {} : auth), Accept: 'text/event-stream' } });
  if (stream.status !== 200 || stream.body === null) throw new GlueClientError(await describeFailure('opening the event stream', stream, faults));

  let text = '';
  let answered = 0;
  let result: GlueRunResult | undefined;
  const pending: SseEvent[] = [];
  const parser = new SseParser((event) => pending.push(event), faults);
  const reader = stream.body.getReader();
  const idleMs = faults.has('no-idle-bound') ? undefined : (options.idleTimeoutMs ?? 60_000);

  const handle = async (event: SseEvent): Promise<GlueRunResult | undefined> => {
    const envelope = JSON.parse(event.data) as Record<string, unknown> & { payload?: Record<string, unknown> };
    if (faults.has('strict-envelope')) {
      const extra = Object.keys(envelope).filter((k) => !['version', 'id', 'seq', 'run_id', 'session_id', 'time', 'type', 'payload'].includes(k));
      if (extra.length > 0) throw new GlueClientError(`unexpected envelope fields ${extra.join(', ')}`);
    }
    const payload = envelope.payload ?? {};
    switch (event.event) {
      case 'text_delta': {
        const delta = typeof payload['delta'] === 'string' ? payload['delta'] : '';
        text += delta;
        options.onText?.(delta);
        return undefined;
      }
      case 'permission_request': {
        if (faults.has('first-permission-only') && answered++ > 0) return undefined;
        const request = (payload['request'] ?? {}) as Record<string, unknown>;
        const question: PermissionQuestion = { permissionId: String(payload['permission_id']), tool: String(request['tool'] ?? '') };
        if (typeof request['action'] === 'string') question.action = request['action'];
        if (typeof request['target'] === 'string') question.target = request['target'];
        const allow = faults.has('always-allow') ? true : ((await options.onPermission?.(question)) ?? false);
        const headers: Record<string, string> = { ...auth, 'Content-Type': 'application/json' };
        if (!faults.has('no-client-id-header')) headers['X-Glue-Client-ID'] = clientId;
        const decision = await send(`${baseUrl}/v1/runs/${encodeURIComponent(runId)}/permissions/${encodeURIComponent(question.permissionId)}/decision`, {
          method: 'POST',
          headers,
          body: JSON.stringify(allow ? { allow: true } : { allow: false, reason: 'permission denied by user' }),
        });
        if (decision.status !== 200) {
          const why = await describeFailure('answering the permission request', decision, faults);
          if (faults.has('decision-error-ends-run')) throw new GlueClientError(why);
          if (faults.has('silent-decision-errors')) return undefined;
          // 404: it timed out meanwhile; 403: another client owns it. The run goes on either way.
          options.onNotice?.(why);
        } else await decision.body?.cancel();
        return undefined;
      }
      case 'run_done': {
        const done = typeof payload['text'] === 'string' ? payload['text'] : '';
        if (text === '' || faults.has('prints-twice')) options.onText?.(done);
        return { runId, text: text === '' ? done : text };
      }
      case 'run_error': {
        if (faults.has('run-error-is-success')) return { runId, text };
        const error = payload['error'] as { code?: unknown; message?: unknown } | undefined;
        if (faults.has('error-as-string')) throw new GlueClientError(`run failed: ${String(payload['error'])}`);
        throw new GlueClientError(`run failed: ${String(error?.code ?? 'unknown')}: ${String(error?.message ?? '')}`);
      }
      default:
        if (faults.has('unknown-event-throws') && !['run_start', 'loop_start', 'turn_start', 'message_start', 'message_end', 'turn_end', 'loop_end', 'tool_start', 'tool_end'].includes(event.event)) {
          throw new GlueClientError(`unknown event ${event.event}`);
        }
        return undefined;
    }
  };

  /** The next chunk, or why there is none: the stream ended, went silent, or the user gave up. */
  const nextChunk = async (): Promise<ReadableStreamReadResult<Uint8Array> | 'idle' | 'interrupted'> => {
    const waits: Array<Promise<ReadableStreamReadResult<Uint8Array> | 'idle' | 'interrupted'>> = [reader.read()];
    let timer: NodeJS.Timeout | undefined;
    if (idleMs !== undefined) waits.push(new Promise((resolve) => (timer = setTimeout(() => resolve('idle'), idleMs))));
    const onAbort = (resolve: (v: 'interrupted') => void) => () => resolve('interrupted');
    let remove = (): void => undefined;
    if (options.signal) {
      const signal = options.signal;
      waits.push(
        new Promise((resolve) => {
          if (signal.aborted) return resolve('interrupted');
          const listener = onAbort(resolve);
          signal.addEventListener('abort', listener, { once: true });
          remove = () => signal.removeEventListener('abort', listener);
        }),
      );
    }
    try {
      return await Promise.race(waits);
    } finally {
      clearTimeout(timer);
      remove();
    }
  };

  try {
    for (;;) {
      const next = await nextChunk();
      if (next === 'idle' || next === 'interrupted') {
        await cancel();
        throw new GlueClientError(next === 'idle' ? `no event from the daemon for ${idleMs} ms; run ${runId} canceled` : `interrupted; run ${runId} canceled`);
      }
      if (next.done) parser.end();
      else parser.push(next.value);
      while (pending.length > 0) {
        result = await handle(pending.shift() as SseEvent);
        if (result) return result;
      }
      if (next.done) break;
    }
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  if (faults.has('cut-stream-is-success')) return { runId, text };
  throw new GlueClientError(`the event stream ended before run_done or run_error (run ${runId})`);
}
