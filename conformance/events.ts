/**
 * Run helpers for check bodies: start a run, open its event stream and read envelopes with
 * bounded waits. Only JSON parsing happens here; what a stream must look like is for the checks.
 */
import { excerpt, type Exchange, type HttpResult } from '../src/protocol/http-client.js';
import { parseJsonBounded } from '../src/protocol/json-bounded.js';
import { SseReadError, type SseFrame, type SseStream } from '../src/protocol/sse-reader.js';
import { shortName, WIRE_LIMITS } from './limits.js';
import { asPrerequisite, expectJsonObject, expectStatus, fail, isObject, label, show } from './expect.js';
import type { CheckContext, ScenarioName } from './types.js';

export const TERMINAL_TYPES: readonly string[] = ['run_done', 'run_error'];
const STREAM_BODY_CHARS = 1024 * 1024;

/**
 * How long any read waits for the response to end after the terminal event, so a stream left
 * open fails fast. Generous for a loaded machine; SSE-007 itself holds the daemon to `CLOSE_PROMPT_MS`.
 */
export const CLOSE_GRACE_MS = 3000;
/** SSE-007: the daemon ends the response right after the terminal event (Go: the same write, capture 051). */
export const CLOSE_PROMPT_MS = 1000;

export function isTerminal(event: ReceivedEvent): boolean {
  return event.type !== undefined && TERMINAL_TYPES.includes(event.type);
}

export interface ReceivedEvent {
  frame: SseFrame;
  /** The parsed `data:` JSON object. */
  envelope: Record<string, unknown>;
  type: string | undefined;
  seq: number | undefined;
  payload: Record<string, unknown>;
}

export interface StartedRun {
  runId: string;
  sessionId: string;
  clientId: string | undefined;
  eventsPath: string;
  result: HttpResult;
}

export interface StartOptions {
  clientId?: string;
  /** Extra request fields (`skill`, `role`, `model`…). */
  extra?: Record<string, unknown>;
}

export function runsPath(sessionId: string): string {
  return `/v1/sessions/${encodeURIComponent(sessionId)}/runs`;
}

export function eventsPath(runId: string): string {
  return `/v1/runs/${encodeURIComponent(runId)}/events`;
}

export function decisionPath(runId: string, permissionId: string): string {
  return `/v1/runs/${encodeURIComponent(runId)}/permissions/${encodeURIComponent(permissionId)}/decision`;
}

/** Starts a run with `text`; fails the check unless the daemon answers 201 with a run id. */
export async function startRun(ctx: CheckContext, sessionId: string, text: string, options: StartOptions = {}): Promise<StartedRun> {
  const body: Record<string, unknown> = { text, ...options.extra };
  if (options.clientId !== undefined) body['client_id'] = options.clientId;
  // Every check that runs something stands on RUN-001: name it when the start itself is broken.
  return asPrerequisite('RUN-001', async () => {
    const result = await ctx.http.request({ method: 'POST', path: runsPath(sessionId), body });
    expectStatus(result, 201);
    const json = expectJsonObject(result);
    const runId = json['run_id'];
    if (typeof runId !== 'string' || runId === '') fail(`expected a run_id string from ${label(result)}, got ${show(runId)}`, result.exchange);
    return { runId, sessionId, clientId: options.clientId, eventsPath: eventsPath(runId), result };
  });
}

/** Starts one of the scripted scenarios (the run text comes from the suite's prompt table). */
export function startScenario(ctx: CheckContext, scenario: ScenarioName, sessionId: string, options: StartOptions = {}): Promise<StartedRun> {
  return startRun(ctx, sessionId, ctx.prompts[scenario], options);
}

export class EventStream {
  readonly events: ReceivedEvent[] = [];
  private readonly iterator: AsyncIterator<SseFrame>;
  private ended = false;
  private terminalAt: number | undefined;
  private endedAt: number | undefined;

  constructor(
    readonly result: { status: number; headers: Headers; exchange: Exchange },
    private readonly sse: SseStream,
  ) {
    this.iterator = sse[Symbol.asyncIterator]();
  }

  get exchange(): Exchange {
    return this.result.exchange;
  }

  get rawText(): string {
    return this.sse.rawText;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Milliseconds from the first terminal event to the end of the response, once both were read. */
  get closeDelayMs(): number | undefined {
    return this.terminalAt === undefined || this.endedAt === undefined ? undefined : this.endedAt - this.terminalAt;
  }

  /** The next event, or `undefined` once the stream has ended. Fails on read errors and bad JSON. */
  async next(): Promise<ReceivedEvent | undefined> {
    if (this.ended) return undefined;
    let step: IteratorResult<SseFrame>;
    try {
      step = await this.iterator.next();
    } catch (error) {
      this.ended = true;
      this.syncBody();
      const why = error instanceof SseReadError ? error.message : String(error);
      const last = this.events.at(-1);
      fail(`event stream ${pathOf(this.exchange.url)} failed after ${this.events.length} events${last ? ` (last: ${shortName(last.type)} seq ${last.seq})` : ''}: ${why}`, this.exchange);
    }
    this.syncBody();
    if (step.done) {
      this.ended = true;
      this.endedAt = performance.now();
      return undefined;
    }
    const event = parseFrame(step.value, this.exchange);
    this.events.push(event);
    if (this.terminalAt === undefined && isTerminal(event)) this.terminalAt = performance.now();
    return event;
  }

  /** Reads until an event matches; fails if the stream ends first. */
  async until(match: string | ((event: ReceivedEvent) => boolean), what?: string): Promise<ReceivedEvent> {
    const test = typeof match === 'string' ? (e: ReceivedEvent) => e.type === match : match;
    for (;;) {
      const event = await this.next();
      if (event === undefined) {
        fail(`event stream ended before ${what ?? (typeof match === 'string' ? `a ${match} event` : 'the expected event')}; got ${this.typeList()}`, this.exchange);
      }
      if (test(event)) return event;
    }
  }

  /**
   * Reads every remaining event until the daemon closes the stream. Once a terminal event has
   * arrived the daemon gets `CLOSE_GRACE_MS` to end the response: a stream left open fails fast
   * instead of holding the check until its deadline.
   */
  async readToEnd(): Promise<ReceivedEvent[]> {
    for (;;) {
      const seenTerminal = this.events.some(isTerminal);
      const event = seenTerminal ? await this.nextWithin(CLOSE_GRACE_MS) : await this.next();
      if (event === undefined) return this.events;
    }
  }

  /** Like `next()`, but fails when neither an event nor the end arrives within `ms`. */
  async nextWithin(ms: number): Promise<ReceivedEvent | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ms);
    });
    const pending = this.next();
    // If the timer wins, this read settles after the cancel below; its outcome no longer matters.
    pending.catch(() => undefined);
    try {
      const outcome = await Promise.race([pending, late]);
      if (outcome === 'late') {
        await this.cancel();
        const last = this.events.at(-1);
        fail(`event stream still open ${ms} ms after ${last ? `the last event (${shortName(last.type)} seq ${last.seq})` : 'opening'}; the daemon must close it after the terminal event`, this.exchange, 'SSE-007');
      }
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads until the first terminal event (`run_done` / `run_error`). */
  terminal(): Promise<ReceivedEvent> {
    return asPrerequisite('SSE-007', () => this.until(isTerminal, 'a terminal event (run_done or run_error)'));
  }

  typeList(): string {
    const types = this.events.map((e) => shortName(e.type));
    return types.length === 0 ? 'no events' : types.length > 30 ? `${types.slice(0, 30).join(', ')}, … (${types.length})` : types.join(', ');
  }

  async cancel(): Promise<void> {
    this.ended = true;
    await this.sse.cancel();
    this.syncBody();
  }

  // The whole stream (capped) while the check runs: the runner cuts it down around the frame
  // the failure is about (conformance/exchange-focus.ts), so seq 5 is shown, not just seq 1.
  private syncBody(): void {
    this.exchange.responseBody = excerpt(this.sse.rawText, STREAM_BODY_CHARS);
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

export function parseFrame(frame: SseFrame, exchange: Exchange): ReceivedEvent {
  const parsed = parseJsonBounded(frame.data);
  if (parsed.jsonError !== undefined) fail(`SSE data ${parsed.jsonError.replace(/^body /, '')}: ${show(frame.data, 200)}`, exchange, 'SSE-004');
  const data = parsed.json;
  if (!isObject(data)) fail(`SSE data is not a JSON object: ${show(frame.data, 200)}`, exchange, 'SSE-004');
  const type = typeof data['type'] === 'string' ? data['type'] : undefined;
  const seq = typeof data['seq'] === 'number' ? data['seq'] : undefined;
  const payload = isObject(data['payload']) ? data['payload'] : {};
  return { frame, envelope: data, type, seq, payload };
}

/**
 * Opens `GET path` as an event stream. With `expectOk` (the default) anything but 200 fails the
 * check; the stream's own waits are bounded by the check's budget.
 */
export async function openEvents(ctx: CheckContext, path: string, options: { expectOk?: boolean; headers?: Record<string, string> } = {}): Promise<EventStream> {
  const opened = await ctx.http.stream({
    path,
    headers: { Accept: 'text/event-stream', ...options.headers },
    // A flooding daemon must cost bounded memory: runs of the kit's scenarios are a few KB.
    sse: { idleTimeoutMs: ctx.timeoutMs, totalTimeoutMs: ctx.timeoutMs, keepRaw: true, signal: ctx.signal, maxEventBytes: WIRE_LIMITS.eventBytes, maxTotalBytes: WIRE_LIMITS.streamBytes },
  });
  const stream = new EventStream(opened, opened.events);
  if ((options.expectOk ?? true) && opened.status !== 200) {
    await stream.cancel();
    fail(`expected HTTP 200 for the event stream GET ${path}, got ${opened.status}`, opened.exchange, 'SSE-001');
  }
  return stream;
}

/** Opens the events of a run and reads them to the end of the stream. */
export async function readRun(ctx: CheckContext, run: StartedRun | string): Promise<EventStream> {
  const stream = await openEvents(ctx, typeof run === 'string' ? eventsPath(run) : run.eventsPath);
  await stream.readToEnd();
  return stream;
}

/** Posts a permission decision; `clientId` sets `X-Glue-Client-ID`. */
export function decide(
  ctx: CheckContext,
  runId: string,
  permissionId: string,
  body: Record<string, unknown> | string,
  clientId?: string,
): Promise<HttpResult> {
  return ctx.http.request({
    method: 'POST',
    path: decisionPath(runId, permissionId),
    body,
    headers: clientId === undefined ? {} : { 'X-Glue-Client-ID': clientId },
  });
}
