/**
 * The client suite's data model. A case is data (id, level, rule, reference) plus a case daemon
 * (the reference server with the case's behaviour) and a judge that reads what the client did:
 * the requests the daemon recorded, the exit status and, where the case says so, the output.
 * Results and reports are the daemon suite's own types, so one set of reporters serves both.
 */
import type { Level } from '../conformance/types.js';
import type { Middleware } from '../reference-server/faults/middleware.js';
import type { StreamPlan } from './stream-plan.js';

export const CLIENT_AREAS = ['CLI-AUTH', 'CLI-RUN', 'CLI-SSE', 'CLI-END', 'CLI-PERM', 'CLI-CANCEL', 'CLI-ERR', 'CLI-META'] as const;
export type ClientArea = (typeof CLIENT_AREAS)[number];

/** Scenario run texts of the kit's mock host (fixtures/scenarios plus client-conformance/scenarios). */
export type CasePrompt = 'hello' | 'permission' | 'two-permissions' | 'slow' | 'fail' | 'fail-midstream' | 'big-answer' | 'unicode';

/** One request the client sent, as the case daemon (or the redirect trap) received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query as sent (not decoded). */
  path: string;
  /** Header names lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body as text (first 64 KiB). */
  body: string;
  /** The status the client got back (undefined when it went away first). */
  status?: number;
  /** Spec validation of the body, for the operations that take one (run start, decision). */
  bodyProblems?: string[];
  /** Which listener got it: the case daemon, or the other loopback port a redirect points to. */
  at: 'daemon' | 'trap';
  /** ms since the case started. */
  atMs: number;
  /**
   * Arrived after the kit's case deadline fired (SIGTERM to a command, `kill` in the harness):
   * what a client sends while being terminated is the kit's doing, not a choice of its own.
   */
  afterDeadline?: true;
}

/** How the client ended. In the JS harness `exitCode` is 0 when the client call resolved, 1 when it threw. */
export interface ClientOutcome {
  exitCode: number | null;
  signal: string | null;
  /** Killed by the kit at the case deadline. */
  timedOut: boolean;
  /** Killed because its output passed the cap. */
  flooded: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** True when the kit interrupted it (the case's `interrupt`). */
  interrupted: boolean;
}

/** What a judge sees. */
export interface Judgement {
  readonly outcome: ClientOutcome;
  /** Requests at the case daemon, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Requests at the redirect trap (must normally stay empty). */
  readonly trapped: readonly RecordedRequest[];
  readonly token: string;
  readonly prompt: string;
  readonly sessionId: string;
  readonly clientId: string;
  /** Facts the case daemon noted (run ids it created, the events path it advertised…). */
  readonly facts: CaseFacts;
}

export interface CaseFacts {
  runIds: string[];
  /** The events_url the case daemon put in its 201 answer. */
  eventsUrls: string[];
  permissionIds: string[];
}

/** The case's deviation from the reference daemon. */
export interface CaseDaemonSpec {
  /** Middleware around the reference server, innermost last (the recorder is always outermost). */
  middleware?: (context: CaseDaemonContext) => Middleware[];
  /** Byte- and event-level rewriting of the run's event stream. */
  stream?: StreamPlan;
  /** Permission timeout of the daemon (default 10 min, as Go). */
  permissionTimeoutMs?: number;
}

export interface CaseDaemonContext {
  readonly token: string;
  /** Base URL of the redirect trap (another loopback port). */
  readonly trapUrl: string;
  readonly facts: CaseFacts;
}

export interface ClientCase {
  /** `CLI-AREA-NNN`, stable forever. */
  id: string;
  area: ClientArea;
  level: Level;
  rule: string;
  /** ADR-0010 section, spec schema, SSE standard section or capture the rule comes from. */
  reference: string;
  /** What the client is asked to run. Default `hello`. */
  prompt?: CasePrompt;
  /** Session id the client is given (default a fresh plain one). */
  sessionId?: string;
  /** The user's answer on stdin when the client asks a permission question. */
  answer?: 'allow' | 'deny';
  /** Permission questions the client will be asked (stdin gets the answer this many times). Default 1. */
  answers?: number;
  daemon?: CaseDaemonSpec;
  /** The client gets no url and token (placeholders empty, no GLUE_DAEMON_TOKEN): it must use the metadata file. */
  metadataOnly?: boolean;
  /** The kit interrupts the client (SIGINT; in the harness the `interrupt` signal) once this holds. */
  interruptWhen?: (requests: readonly RecordedRequest[]) => boolean;
  /** Time the client gets before it is killed. Default 10 s. */
  timeoutMs?: number;
  /** Waits on timers: scheduled first. */
  slow?: boolean;
  /** Throws `CheckFailure` when the client broke the rule. */
  judge(judgement: Judgement): void;
}
