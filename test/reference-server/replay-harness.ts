/**
 * Replays captured exchanges against `createReferenceServer` in capture order, reproducing the
 * concurrency of the capture session without wall-clock waits:
 * - the mock host's delays run on a manual clock; a run whose captured stream shows a cancel is
 *   held at the captured event count, so DELETEs and disconnects land at the captured point;
 * - permission timeouts run on vitest's fake `setTimeout` and are advanced only for requests the
 *   capture shows timing out;
 * - every started run gets a shadow reader (an observer that never disconnects) that maps captured
 *   permission ids to ours; captured run ids are mapped from the 201 answers;
 * - before each non-SSE request the harness settles: it lets everything run until no run can move.
 */
import { vi } from 'vitest';
import type { MockHost, ReferenceServer } from '../../reference-server/index.js';
import type { MockHostClock } from '../../reference-server/mock-host/index.js';
import { RunFailure } from '../../reference-server/host.js';
import type { Capture, CurlRequest } from '../support/captures.js';
import { isHttpCapture, replayRequest } from '../support/captures.js';
import type { ParsedEvent } from './helpers.js';
import { parseSse } from './helpers.js';

export const capturedBase = 'http://127.0.0.1:47321';
const idPattern = /\b(run|perm)_[0-9a-f]{32}\b/g;
const timeoutText = 'permission denied: daemon permission request timed out';

/** What the captures say about one captured run: its longest stream, where it was canceled, which permissions timed out. */
interface CapturedRun {
  events: ParsedEvent[];
  /** Events before the `error: context canceled` event, when the run was canceled. */
  cancelAt?: number;
  permissionIds: string[];
  timedOut: Set<string>;
}

export function capturedRuns(captures: readonly Capture[]): Map<string, CapturedRun> {
  const runs = new Map<string, CapturedRun>();
  for (const capture of captures) {
    if (!isHttpCapture(capture) || !capture.response.sse) continue;
    const runId = /run_[0-9a-f]{32}/.exec(capture.request.target)?.[0];
    if (!runId) continue;
    const events = sseEventsOf(capture);
    const known = runs.get(runId);
    if (known && known.events.length >= events.length) continue;
    const cancel = events.findIndex((e) => e.event === 'error' && (e.data.payload as { error?: string }).error === 'context canceled');
    const permissionIds: string[] = [];
    const timedOut = new Set<string>();
    events.forEach((event, index) => {
      if (event.event !== 'permission_request') return;
      const id = (event.data.payload as { permission_id: string }).permission_id;
      permissionIds.push(id);
      const end = events.slice(index + 1).find((e) => e.event === 'tool_end');
      if (JSON.stringify(end?.data.payload ?? {}).includes(timeoutText)) timedOut.add(id);
    });
    runs.set(runId, { events, ...(cancel >= 0 ? { cancelAt: cancel } : {}), permissionIds, timedOut });
  }
  return runs;
}

/** The complete events of a captured stream (a block the stream cut off is left out). */
export function sseEventsOf(capture: Capture): ParsedEvent[] {
  return parseSse(capture.response?.sse?.text ?? '');
}

/** One SSE response read in the background, chunk by chunk. */
export class StreamReader {
  readonly events: ParsedEvent[] = [];
  readonly chunks: string[] = [];
  readonly finished: Promise<void>;
  done = false;
  private release: () => void = () => undefined;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));

  constructor(
    readonly response: Response,
    onProgress: () => void,
    /** Disconnect after this many events, once `disconnect()` is called. */
    private readonly stopAfter?: number,
  ) {
    this.finished = this.read(onProgress).finally(() => {
      this.done = true;
      onProgress();
    });
  }

  disconnect(): void {
    this.release();
  }

  private async read(onProgress: () => void): Promise<void> {
    const body = this.response.body;
    if (!body) return;
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      if (this.stopAfter !== undefined && this.events.length >= this.stopAfter) {
        await this.released;
        await reader.cancel();
        return;
      }
      const { done, value } = await reader.read();
      if (done) return;
      const text = decoder.decode(value, { stream: true });
      this.chunks.push(text);
      buffer += text;
      const end = buffer.lastIndexOf('\n\n');
      if (end >= 0) {
        this.events.push(...parseSse(buffer.slice(0, end + 2)));
        buffer = buffer.slice(end + 2);
      }
      onProgress();
    }
  }
}

/** A MockHostClock whose sleeps resolve only when the harness lets them. */
class ManualClock implements MockHostClock {
  readonly sleeping: Array<{ signal: AbortSignal; resolve: () => void; reject: (error: unknown) => void }> = [];

  sleep(_ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new RunFailure('canceled', 'context canceled'));
      const entry = { signal, resolve, reject };
      const onAbort = (): void => {
        this.sleeping.splice(this.sleeping.indexOf(entry), 1);
        reject(new RunFailure('canceled', 'context canceled'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.resolve = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.sleeping.push(entry);
    });
  }
}

export interface ReplayOptions {
  captures: readonly Capture[];
  token: string;
  permissionTimeoutMs: number;
  createServer(host: MockHost): ReferenceServer;
  loadHost(clock: MockHostClock): MockHost;
}

export class Replay {
  readonly server: ReferenceServer;
  readonly clock = new ManualClock();
  readonly runMap = new Map<string, string>();
  readonly permMap = new Map<string, string>();
  private readonly reverseRuns = new Map<string, string>();
  private readonly known: Map<string, CapturedRun>;
  private readonly signalRun = new WeakMap<AbortSignal, string>();
  private readonly emitted = new Map<string, number>();
  private readonly shadows = new Map<string, StreamReader>();
  private readonly advanced = new Set<string>();
  private progress = 0;

  constructor(private readonly options: ReplayOptions) {
    this.known = capturedRuns(options.captures);
    const inner = options.loadHost(this.clock);
    const host: MockHost = {
      ...inner,
      agent: {
        run: (input, io) => {
          this.signalRun.set(io.signal, input.runId);
          this.emitted.set(input.runId, 1); // run_start came first
          const counted = {
            ...io,
            emit: (event: Parameters<typeof io.emit>[0]) => {
              this.emitted.set(input.runId, (this.emitted.get(input.runId) ?? 0) + 1);
              this.progress++;
              io.emit(event);
            },
          };
          return inner.agent.run(input, counted);
        },
      },
    };
    this.server = options.createServer(host);
  }

  /** The request of a capture with our ids, token and base URL. */
  toRequest(request: CurlRequest): Request {
    const target = request.target.replace(idPattern, (id) => this.runMap.get(id) ?? this.permMap.get(id) ?? id);
    const replay = replayRequest({ ...request, target }, { baseUrl: capturedBase, token: this.options.token });
    const headers = new Headers();
    for (const [name, value] of replay.headers) headers.append(name, value);
    const init: RequestInit = { method: replay.method, headers };
    if (replay.body !== undefined) init.body = replay.body;
    return new Request(replay.url, init);
  }

  /** Map ids from a 201 start answer and attach the shadow reader. */
  async started(capturedBody: string, ours: string): Promise<void> {
    const captured = (JSON.parse(capturedBody) as { run_id: string }).run_id;
    const actual = (JSON.parse(ours) as { run_id: string }).run_id;
    this.runMap.set(captured, actual);
    this.reverseRuns.set(actual, captured);
    const response = await this.server.handle(
      new Request(`${capturedBase}/v1/runs/${actual}/events`, { headers: { Authorization: `Bearer ${this.options.token}` } }),
    );
    this.shadows.set(actual, new StreamReader(response, () => this.onShadowProgress(actual)));
  }

  openReader(response: Response, stopAfter?: number): StreamReader {
    return new StreamReader(response, () => this.progress++, stopAfter);
  }

  private onShadowProgress(actual: string): void {
    this.progress++;
    const captured = this.known.get(this.reverseRuns.get(actual) ?? '');
    const shadow = this.shadows.get(actual);
    if (!captured || !shadow) return;
    const ours = shadow.events.filter((e) => e.event === 'permission_request');
    ours.forEach((event, index) => {
      const capturedId = captured.permissionIds[index];
      if (capturedId) this.permMap.set(capturedId, (event.data.payload as { permission_id: string }).permission_id);
    });
  }

  private held(signal: AbortSignal): boolean {
    const runId = this.signalRun.get(signal);
    if (!runId) return false;
    const cancelAt = this.known.get(this.reverseRuns.get(runId) ?? '')?.cancelAt;
    return cancelAt !== undefined && (this.emitted.get(runId) ?? 0) >= cancelAt;
  }

  /** Let every run move until none can: sleeps not held are released, captured timeouts are fired. */
  async settle(): Promise<void> {
    let idle = 0;
    let last = -1;
    for (let turn = 0; turn < 100_000 && idle < 25; turn++) {
      for (const sleeper of [...this.clock.sleeping]) {
        if (this.held(sleeper.signal)) continue;
        this.clock.sleeping.splice(this.clock.sleeping.indexOf(sleeper), 1);
        sleeper.resolve();
        this.progress++;
      }
      for (const [capturedRun, info] of this.known) {
        for (const capturedPerm of info.timedOut) {
          const ours = this.permMap.get(capturedPerm);
          if (!ours || this.advanced.has(ours) || !this.runMap.has(capturedRun)) continue;
          this.advanced.add(ours);
          vi.advanceTimersByTime(this.options.permissionTimeoutMs);
          this.progress++;
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
      idle = this.progress === last ? idle + 1 : 0;
      last = this.progress;
    }
  }

  async finish(): Promise<void> {
    await this.settle();
    await Promise.all([...this.shadows.values()].map((s) => s.finished));
  }
}
