/**
 * The suite's data model: a check is data (id, level, rule, reference, needs) plus a body; a
 * report is what every reporter renders. Reporters and the CLI depend on these types only.
 */
import type { Exchange, HttpClient } from '../src/protocol/http-client.js';
import type { Capability } from '../src/protocol/types.js';

/** RFC 2119 keyword of the rule. A failing MUST fails the suite; a failing SHOULD is reported only. */
export type Level = 'MUST' | 'SHOULD';

/**
 * `any`: needs nothing but URL + token. `scripted`: the daemon's host answers the kit's scenario
 * prompts the way the captured fake host does (see `ScenarioPrompts`).
 */
export type Profile = 'any' | 'scripted';

export const AREAS = ['HEALTH', 'AUTH', 'STATUS', 'CAP', 'CAT', 'VAL', 'ROUTE', 'RUN', 'SSE', 'CANCEL', 'PERM', 'GRANT', 'SESS'] as const;
export type Area = (typeof AREAS)[number];

/** Run texts the scripted profile relies on; a daemon may map them to its own scenarios. */
export interface ScenarioPrompts {
  /** Answers with text only (`Hello`, `, world`). */
  hello: string;
  /** One `write_note` call that needs permission, then a text turn quoting the tool result. */
  permission: string;
  /** A `write_note` call, then a `delete_note` call, each needing permission, then text. */
  'two-permissions': string;
  /** Many text deltas spread over seconds; honours cancellation. */
  slow: string;
  /** The provider fails: the run ends in `run_error` code `internal`. */
  fail: string;
}
export type ScenarioName = keyof ScenarioPrompts;
export const DEFAULT_PROMPTS: ScenarioPrompts = {
  hello: 'hello',
  permission: 'permission',
  'two-permissions': 'two-permissions',
  slow: 'slow',
  fail: 'fail',
};

/**
 * Labels a check carries in `--list` and every report. `timing`: its verdict depends on wall-clock
 * timing on the daemon (a timer, a deadline, an action landing while a run still streams), so it is
 * the first suspect when `--repeat` finds a flaky verdict.
 */
export const CHECK_TAGS = ['timing'] as const;
export type CheckTag = (typeof CHECK_TAGS)[number];

export interface CheckContext {
  /** Client bound to this check: records every exchange, aborts when the check times out. */
  readonly http: HttpClient;
  readonly baseUrl: string;
  /** The bearer token, for near-miss auth headers; the client redacts it from every record. */
  readonly token: string;
  /** Capabilities the daemon advertised in `GET /v1/status` (unknown names kept as sent). */
  readonly capabilities: ReadonlySet<string>;
  readonly profile: Profile;
  readonly prompts: ScenarioPrompts;
  /** The daemon's configured permission timeout, when the user told us (`--permission-timeout`). */
  readonly permissionTimeoutMs: number | undefined;
  /** This check's own time budget; waits inside a check are bounded by it. */
  readonly timeoutMs: number;
  /** Aborts when the check times out or the suite is stopped. */
  readonly signal: AbortSignal;
  /** A fresh id for sessions and clients, so concurrent checks never share state on the daemon. */
  unique(label: string): string;
  /** Adds a line to the check's report (shown on failure and in JSON). */
  note(message: string): void;
}

export interface Check {
  /** `AREA-NNN`, stable forever: CI baselines and the fault table refer to it. */
  id: string;
  area: Area;
  level: Level;
  /** The rule in one sentence, read as the check's title. */
  rule: string;
  /** ADR-0010 section or capture file the rule comes from. */
  reference: string;
  /** Capabilities the daemon must advertise; the check is skipped (with the reason) otherwise. */
  capabilities: readonly Capability[];
  profile: Profile;
  /** Needs `permissionTimeoutMs`; skipped without it. */
  needsPermissionTimeout?: boolean;
  /** Waits on daemon timers (permission timeout, slow runs): scheduled first so it overlaps the rest. */
  slow?: boolean;
  /**
   * Runs while no other check runs: its rule reads a daemon-wide figure (`active_runs`, the session
   * list) that other checks' runs would move, so only its own run may explain what it sees.
   */
  exclusive?: boolean;
  tags?: readonly CheckTag[];
  run(ctx: CheckContext): Promise<void>;
}

/** The verdict of one execution of a check. */
export type Verdict = 'pass' | 'fail' | 'skip';
/** `flaky`: with `--repeat N`, the check's verdict changed between executions. */
export type CheckStatus = Verdict | 'flaky';

/** One execution of a check when the suite repeats (`--repeat N`). */
export interface CheckAttempt {
  status: Verdict;
  durationMs: number;
  message?: string;
}

export interface CheckResult {
  id: string;
  /** An `Area` of the daemon suite, or a client suite area (`ClientArea`). */
  area: string;
  level: Level;
  rule: string;
  reference: string;
  profile: Profile;
  status: CheckStatus;
  /** Time spent in the check, summed over its executions when repeated. */
  durationMs: number;
  /** Why it failed (expected vs actual), why it was skipped, or how its verdict changed (flaky). */
  message?: string;
  /** The check's tags (`timing`), when it has any. */
  tags?: CheckTag[];
  /** Every execution in order, when the suite repeated it (`--repeat N`, N > 1). */
  attempts?: CheckAttempt[];
  notes: string[];
  /** HTTP exchanges of the check in the order they happened, token redacted. */
  exchanges: Exchange[];
  /** Index in `exchanges` of the one the failure is about. */
  failedExchange?: number;
  /** A follow-on failure: the id of the check whose rule broke first (its step failed here). */
  brokenRule?: string;
  /** A failure listed in the expected-failures baseline: reported, but it does not fail the suite. */
  expected?: boolean;
  /** Listed in the expected-failures baseline but passed: fails the suite whatever the level. */
  staleBaseline?: boolean;
}

export interface SuiteSummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Checks whose verdict changed between executions (`--repeat`); not in passed, failed or skipped. */
  flaky: number;
  /** Failed checks of level MUST, expected failures excluded; the suite fails when this is not 0. */
  mustFailed: number;
  shouldFailed: number;
  /** Failures the expected-failures baseline lists (included in `failed`). */
  expectedFailed: number;
}

export interface SuiteReport {
  /** Version of glue-conformance that produced the report (reporters fill it in when absent). */
  kitVersion?: string;
  /** Which suite produced it; absent means the daemon suite. */
  suite?: 'daemon' | 'client';
  /** Base URL of the daemon under test (client suite: the command under test, token redacted). */
  url: string;
  profile: Profile;
  startedAt: string;
  durationMs: number;
  /** As advertised by the daemon (names the spec does not know are kept). */
  capabilities: string[];
  results: CheckResult[];
  summary: SuiteSummary;
  /** Executions of each check (`--repeat N`); absent means 1. */
  repeat?: number;
  /** Flaky checks do not fail the suite (`--allow-flaky`). */
  allowFlaky?: boolean;
  /**
   * True when every selected MUST check passed (or is an expected failure), the baseline is not
   * stale, and no check is flaky (unless `allowFlaky`).
   */
  ok: boolean;
}
