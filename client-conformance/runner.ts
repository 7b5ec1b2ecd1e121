/**
 * Runs the selected client cases, in parallel, against one client (a command or a JS driver) and
 * returns the daemon suite's `SuiteReport`: same selection, baseline, summary and verdict code
 * (conformance/outcome.ts, conformance/select.ts), so the same reporters and exit codes apply.
 */
import { applyBaseline, baselineIds, runPool, summarize, unknownBaselineIds } from '../conformance/outcome.js';
import { selectChecks, SelectionError, type LevelFilter } from '../conformance/select.js';
import { SuiteError } from '../conformance/runner.js';
import type { CheckResult, SuiteReport } from '../conformance/types.js';
import { allClientCases } from './cases/index.js';
import { commandDriver, unknownPlaceholders, type CommandDriverOptions } from './command.js';
import { createRedactor, type Redactor } from '../src/output/redact.js';
import { redactResult, runClientCase, type ClientDriver } from './session.js';
import { CLIENT_AREAS, type ClientCase } from './types.js';

export interface ClientSuiteOptions {
  /** The client command (placeholders `{url} {token} {prompt} {session} {client_id} {metadata}`)… */
  command?: string;
  /** …or a driver that runs the client for one session (in-process JS clients, the kit's own tests). */
  driver?: ClientDriver;
  /** How the report names the client when `driver` is used. */
  label?: string;
  answerAllow?: string;
  answerDeny?: string;
  maxOutputBytes?: number;
  only?: readonly string[];
  skip?: readonly string[];
  level?: LevelFilter;
  expectedFailures?: readonly string[];
  /** Cases at once. Default 8. */
  concurrency?: number;
  /** Time a client gets per case before it is killed (cases with their own deadline keep it). Default 10 s. */
  timeoutMs?: number;
  cases?: readonly ClientCase[];
  onCaseResult?: (result: CheckResult) => void;
  /**
   * The redactor of the sinks the caller writes results through (src/output): each case daemon's
   * token is added to it before the client gets it, and results and report hold the real text.
   * Without one, results come back with the case tokens (and `GLUE_DAEMON_TOKEN`) masked by a
   * redactor of the suite's own, since no caller could know those tokens.
   */
  redactor?: Redactor;
}

const DEFAULT_CONCURRENCY = 8;

export function selectClientCases(options: Pick<ClientSuiteOptions, 'only' | 'skip' | 'level' | 'cases'>): ClientCase[] {
  return selectChecks(options.cases ?? allClientCases, { only: options.only, skip: options.skip, level: options.level }, CLIENT_AREAS);
}

export async function runClientSuite(options: ClientSuiteOptions): Promise<SuiteReport> {
  const startedAt = new Date();
  let driver: ClientDriver;
  let label: string;
  if (options.driver) {
    driver = options.driver;
    label = options.label ?? 'in-process client';
  } else if (options.command !== undefined && options.command.trim() !== '') {
    const unknown = unknownPlaceholders(options.command);
    if (unknown.length > 0) throw new SuiteError('usage', `unknown placeholder(s) ${unknown.map((n) => `{${n}}`).join(', ')} in --command (known: {url} {token} {prompt} {session} {client_id} {metadata})`);
    const driverOptions: CommandDriverOptions = { command: options.command };
    if (options.answerAllow !== undefined) driverOptions.answerAllow = options.answerAllow;
    if (options.answerDeny !== undefined) driverOptions.answerDeny = options.answerDeny;
    if (options.maxOutputBytes !== undefined) driverOptions.maxOutputBytes = options.maxOutputBytes;
    driver = commandDriver(driverOptions);
    label = options.command;
  } else throw new SuiteError('usage', 'no client: pass --command "CMD {url} {token} {prompt}"');

  let selected: ClientCase[];
  try {
    selected = selectClientCases(options);
  } catch (error) {
    if (error instanceof SelectionError) throw new SuiteError('usage', error.message);
    throw error;
  }
  const expected = baselineIds(options.expectedFailures);
  const unknownExpected = unknownBaselineIds(expected, options.cases ?? allClientCases);
  if (unknownExpected.length > 0) throw new SuiteError('usage', `expected failures name unknown cases: ${unknownExpected.join(', ')}`);

  const redactor = options.redactor ?? createRedactor([process.env['GLUE_DAEMON_TOKEN'] ?? '']);
  const own = options.redactor === undefined;
  const results = await runPool(selected, options.concurrency ?? DEFAULT_CONCURRENCY, async (clientCase) => {
    const judged = applyBaseline(await runClientCase(clientCase, driver, options.timeoutMs, (token) => redactor.add(token)), expected);
    const result = own ? redactResult(judged, redactor) : judged;
    options.onCaseResult?.(result);
    return result;
  });
  const ordered = selected.map((c) => results.get(c)).filter((r): r is CheckResult => r !== undefined);
  const { summary, ok } = summarize(ordered);
  return {
    suite: 'client',
    url: own ? redactor.redact(label) : label,
    profile: 'any',
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    capabilities: [],
    results: ordered,
    summary,
    ok,
  };
}
