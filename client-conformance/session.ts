/**
 * One case, start to verdict: start the case daemon, hand the client its session (through a
 * driver: a spawned command or an in-process JS client), interrupt it when the case says so,
 * bound it by the case deadline, then judge what the daemon recorded and how the client ended.
 */
import { CheckFailure } from '../conformance/expect.js';
import type { CheckResult } from '../conformance/types.js';
import type { Exchange } from '../src/protocol/http-client.js';
import type { Redactor } from '../src/output/redact.js';
import { startCaseDaemon, type CaseDaemon } from './case-daemon.js';
import type { ClientCase, ClientOutcome, Judgement, RecordedRequest } from './types.js';

export const DEFAULT_CASE_TIMEOUT_MS = 10_000;
/** Time between the case's interrupt condition and the interrupt, so the client is mid-stream. */
const INTERRUPT_DELAY_MS = 300;
const MAX_SHOWN_REQUESTS = 12;

/** What a client under test is given for one case. */
export interface ClientSession {
  readonly caseId: string;
  readonly baseUrl: string;
  readonly token: string;
  readonly prompt: string;
  readonly sessionId: string;
  readonly clientId: string;
  readonly metadataPath: string;
  /** `$XDG_CONFIG_HOME` holding `glue/daemon.json`. */
  readonly configDir: string;
  /** The client is told nothing but where the metadata file is (CLI-META). */
  readonly metadataOnly: boolean;
  /** The user's answer to a permission question, if the case has one. */
  readonly answer: 'allow' | 'deny' | undefined;
  /** How many permission questions to expect (stdin carries the answer that many times). */
  readonly answers: number;
  /** Fires when the case wants the client to give up (a user's Ctrl-C). */
  readonly interrupt: AbortSignal;
  /** Fires at the case deadline: the client must stop now (a spawned one is killed). */
  readonly kill: AbortSignal;
  readonly timeoutMs: number;
}

/** Runs the client for one session and reports how it ended; must settle soon after `kill` fires. */
export type ClientDriver = (session: ClientSession) => Promise<ClientOutcome>;

export interface PreparedCase {
  daemon: CaseDaemon;
  session: ClientSession;
  /** Stops the interrupt watcher and the deadline. */
  stop(): void;
  close(): Promise<void>;
}

/**
 * Starts the case daemon and the interrupt/deadline machinery around a session. `onSecret` learns
 * the case token before the client is given it (an output sink's redactor must know it first).
 */
export async function prepareCase(clientCase: ClientCase, timeoutMs?: number, onSecret?: (secret: string) => void): Promise<PreparedCase> {
  const daemon = await startCaseDaemon(clientCase);
  onSecret?.(daemon.token);
  const interrupt = new AbortController();
  const kill = new AbortController();
  // A case that needs its own deadline (the stall cases) keeps it; the rest take the suite's.
  const budget = clientCase.timeoutMs ?? timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
  let interruptTimer: NodeJS.Timeout | undefined;
  const watch = (): void => {
    if (!clientCase.interruptWhen || interruptTimer || interrupt.signal.aborted) return;
    if (clientCase.interruptWhen(daemon.recording.requests)) interruptTimer = setTimeout(() => interrupt.abort(), INTERRUPT_DELAY_MS);
  };
  daemon.recording.onRequest = watch;
  const deadline = setTimeout(() => {
    daemon.recording.deadlinePassed = true;
    daemon.trapped.deadlinePassed = true;
    kill.abort();
  }, budget);
  const stop = (): void => {
    clearTimeout(deadline);
    clearTimeout(interruptTimer);
    daemon.recording.onRequest = undefined;
  };
  return {
    daemon,
    session: {
      caseId: clientCase.id,
      baseUrl: daemon.baseUrl,
      token: daemon.token,
      prompt: daemon.prompt,
      sessionId: daemon.sessionId,
      clientId: daemon.clientId,
      metadataPath: daemon.metadataPath,
      configDir: daemon.configDir,
      metadataOnly: clientCase.metadataOnly ?? false,
      answer: clientCase.answer,
      answers: clientCase.answers ?? 1,
      interrupt: interrupt.signal,
      kill: kill.signal,
      timeoutMs: budget,
    },
    stop,
    async close() {
      stop();
      await daemon.close();
    },
  };
}

/** A recorded request as the reporters' `Exchange`: the real bytes (a sink redacts them on output). */
function asExchange(request: RecordedRequest): Exchange {
  return {
    method: request.method,
    url: `${request.at === 'trap' ? '(redirect target) ' : ''}${request.path}`,
    requestHeaders: { ...request.headers },
    ...(request.body !== '' ? { requestBody: request.body.slice(0, 2000) } : {}),
    ...(request.status !== undefined ? { status: request.status } : {}),
    durationMs: 0,
  };
}

/**
 * A result with every secret the redactor knows masked, for a result that leaves the kit without
 * passing one of its sinks (the JS harness hands it to the user's test runner; `runClientSuite`
 * without a redactor returns case tokens nobody else knows). The same `Redactor` as the sinks, over
 * the result's JSON form, which it keeps valid (it redacts JSON reports too).
 */
export function redactResult(result: CheckResult, redactor: Redactor): CheckResult {
  return JSON.parse(redactor.redact(JSON.stringify(result))) as CheckResult;
}

/** The verdict on one finished case, as a daemon-suite `CheckResult`. */
export function judgeCase(clientCase: ClientCase, prepared: PreparedCase, outcome: ClientOutcome, startedAt: number): CheckResult {
  const { daemon } = prepared;
  const judgement: Judgement = {
    outcome,
    requests: daemon.recording.requests,
    trapped: daemon.trapped.requests,
    token: daemon.token,
    prompt: daemon.prompt,
    sessionId: daemon.sessionId,
    clientId: daemon.clientId,
    facts: daemon.facts,
  };
  let status: CheckResult['status'] = 'pass';
  let message: string | undefined;
  try {
    clientCase.judge(judgement);
  } catch (error) {
    status = 'fail';
    message = error instanceof CheckFailure ? error.message : `judge crashed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const notes = [`client ${outcome.timedOut ? 'killed at the deadline' : outcome.flooded ? 'killed for flooding output' : outcome.signal ? `ended by ${outcome.signal}` : `exited ${String(outcome.exitCode)}`} after ${outcome.durationMs} ms${outcome.interrupted ? ' (interrupted by the kit)' : ''}`];
  const stderr = outcome.stderr.trim();
  if (status === 'fail' && stderr !== '') notes.push(`stderr: ${JSON.stringify(stderr.slice(-400))}`);
  const all = [...daemon.recording.requests, ...daemon.trapped.requests];
  return {
    ...resultIdentity(clientCase),
    status,
    durationMs: Date.now() - startedAt,
    ...(message !== undefined ? { message } : {}),
    notes,
    exchanges: all.slice(0, MAX_SHOWN_REQUESTS).map(asExchange),
  };
}

/** The fields of a result that name its case (client cases have no profile: `any`). */
function resultIdentity(clientCase: ClientCase): Pick<CheckResult, 'id' | 'area' | 'level' | 'rule' | 'reference' | 'profile'> {
  return { id: clientCase.id, area: clientCase.area, level: clientCase.level, rule: clientCase.rule, reference: clientCase.reference, profile: 'any' };
}

/** Runs one case with a driver and judges it (faithful: write it through a sink); the daemon is always closed. */
export async function runClientCase(clientCase: ClientCase, driver: ClientDriver, timeoutMs?: number, onSecret?: (secret: string) => void): Promise<CheckResult> {
  const startedAt = Date.now();
  let prepared: PreparedCase;
  try {
    prepared = await prepareCase(clientCase, timeoutMs, onSecret);
  } catch (error) {
    return {
      ...resultIdentity(clientCase),
      status: 'fail',
      durationMs: Date.now() - startedAt,
      message: `the case daemon did not start: ${error instanceof Error ? error.message : String(error)}`,
      notes: [],
      exchanges: [],
    };
  }
  try {
    let outcome: ClientOutcome;
    try {
      outcome = await driver(prepared.session);
    } catch (error) {
      outcome = { exitCode: null, signal: null, timedOut: false, flooded: false, stdout: '', stderr: `driver failed: ${error instanceof Error ? error.message : String(error)}`, durationMs: Date.now() - startedAt, interrupted: false };
    }
    prepared.stop();
    return judgeCase(clientCase, prepared, outcome, startedAt);
  } finally {
    await prepared.close();
  }
}
