/**
 * One run: its identity, its append-only event log (a `FrameLog` of SSE frames, so every reader,
 * early or late, gets byte-identical replays), its cancel switch and its pending permission requests.
 * Mirrors Go's `run` struct; readers wait on `changed()` instead of a notify channel.
 */
import { FrameLog } from './frame-log.js';
import { goJsonKey, goJsonString } from './go-json.js';
import { goTimeText } from './go-time.js';

export interface PendingPermission {
  settle(decision: { allow: boolean; reason: string; rememberFor: string }): void;
}

export interface RunInit {
  id: string;
  sessionId: string;
  clientId: string;
  now: () => Date;
  eventId: () => string;
  /** Told when the run finishes or is first streamed (the registry re-examines retention then). */
  onChange?: (what: 'finished' | 'streamed') => void;
  /** Bytes held by the event logs of every run, shared by the registry's runs (its total budget). */
  held?: { bytes: number };
}

export class Run {
  readonly id: string;
  readonly sessionId: string;
  readonly clientId: string;
  done = false;
  finishedAtMs = 0;

  private readonly frames = new FrameLog();
  private readonly now: () => Date;
  /** `formatGoTime(now())`, without a `Date` per event for the default clock. */
  private readonly nowText: () => string;
  private readonly eventId: () => string;
  private waiters: Array<() => void> = [];
  private readonly onChange: ((what: 'finished' | 'streamed') => void) | undefined;
  private wasStreamed = false;
  private readonly held: { bytes: number } | undefined;
  /** `,"run_id":…,"session_id":…` of every envelope, encoded once. */
  private idsJson: string | undefined;

  constructor(init: RunInit) {
    this.id = init.id;
    this.sessionId = init.sessionId;
    this.clientId = init.clientId;
    this.now = init.now;
    this.nowText = goTimeText(init.now);
    this.eventId = init.eventId;
    this.onChange = init.onChange;
    this.held = init.held;
  }

  // Made on first use and dropped when the run finishes: a finished run kept for replay needs no
  // cancel switch and no permission table (memory per retained run).
  private controller: AbortController | undefined;
  private pendingById: Map<string, PendingPermission> | undefined;
  private expiredIds: Set<string> | undefined;

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  /** `signal.aborted` without making the signal: a run nobody waits on or cancels never needs one. */
  get aborted(): boolean {
    return this.controller?.signal.aborted ?? false;
  }

  /** Pending permission requests by id; a decision or timeout removes the entry. */
  get pending(): Map<string, PendingPermission> {
    return (this.pendingById ??= new Map());
  }

  /** A request that timed out (only consulted by the 'decision-after-timeout-accepted' fault and for fresh ids). */
  markExpired(id: string): void {
    (this.expiredIds ??= new Set()).add(id);
  }

  isExpired(id: string): boolean {
    return this.expiredIds?.has(id) ?? false;
  }

  /** Bytes of encoded events held for replay (frames share a flood's repeated text, see frame-log.ts). */
  get bytes(): number {
    return this.frames.bytes;
  }
  /** An event stream has been opened on this run (retention may then count it). */
  get streamed(): boolean {
    return this.wasStreamed;
  }

  set streamed(value: boolean) {
    if (!value || this.wasStreamed) return;
    this.wasStreamed = true;
    this.onChange?.('streamed');
  }

  get frameCount(): number {
    return this.frames.length;
  }

  /** One SSE event's bytes (one HTTP chunk), assembled on each call for frames with long text. */
  frameAt(index: number): Uint8Array | undefined {
    return this.frames.at(index);
  }

  /** Append one event (Go's `run.emit`): envelope fields in Go struct order, payload omitted when undefined. */
  emit(type: string, payload?: unknown): void {
    if (this.done) return; // nothing follows the terminal event
    const id = this.eventId();
    // The envelope's members in Go's struct order, as JSON text: only the payload needs the encoder's walk.
    this.idsJson ??= `,"run_id":${goJsonString(this.id)},"session_id":${goJsonString(this.sessionId)}`;
    // Go's time text is digits, `-`, `+`, `T`, `:`, `.` and `Z` only: nothing to escape. Types repeat: their JSON is cached.
    const head = `{"version":1,"id":${goJsonString(id)},"seq":${this.frames.length + 1}${this.idsJson},"time":"${this.nowText()}","type":${goJsonKey(type)}`;
    const before = this.frames.bytes;
    this.frames.appendEnvelope(id, type, head, payload === null ? undefined : payload);
    if (this.held) this.held.bytes += this.frames.bytes - before;
    this.wake();
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    this.controller = undefined;
    if (this.pendingById?.size === 0) this.pendingById = undefined;
    this.finishedAtMs = this.now().getTime();
    this.onChange?.('finished');
    this.wake();
  }

  cancel(): void {
    if (!this.done) (this.controller ??= new AbortController()).abort();
  }

  /** Resolves at the next emit or finish. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
