/**
 * Runs the selected checks against one daemon and returns a `SuiteReport`.
 *
 * Before any check it reads `/v1/health` and `/v1/status`: an unreachable daemon or a rejected
 * token is a `SuiteError` (the CLI's exit 2), not a pile of failures. Exclusive checks run one
 * at a time with nothing beside them; the rest run in a bounded pool, those that wait on daemon
 * timers first, so the wall time is about the longest wait plus the rest. Every check has a
 * deadline that aborts its requests and streams. With `repeat` N the whole selection runs N
 * rounds, and a check whose verdict changes between rounds is `flaky`.
 */
import { createHttpClient, describeError, excerpt, HttpError, type Exchange } from '../src/protocol/http-client.js';
import { allChecks } from './checks/index.js';
import { createCheckContext } from './context.js';
import { focusSseBody, isEventStream } from './exchange-focus.js';
import { kitVersion } from './kit-version.js';
import { createDetailBudget, RESULT_LIMITS, WIRE_LIMITS } from './limits.js';
import { CheckFailure, CheckInconclusive, CheckSkip, isObject } from './expect.js';
import { aggregate, applyBaseline, baselineIds, runPool, summarize, unknownBaselineIds } from './outcome.js';
import { selectChecks, SelectionError, type LevelFilter } from './select.js';
import { DEFAULT_PROMPTS, type Check, type CheckResult, type Profile, type ScenarioPrompts, type SuiteReport, type Verdict } from './types.js';

export interface SuiteOptions {
  /** Daemon base URL, e.g. `http://127.0.0.1:43129`. */
  url: string;
  token: string;
  /** Default `any`. `scripted` adds the checks that need the kit's scenario prompts. */
  profile?: Profile;
  /** Ids or areas to run (others are left out of the report). */
  only?: readonly string[];
  /** Ids or areas to leave out. */
  skip?: readonly string[];
  /** `must` runs MUST checks only; default `should` (all). */
  level?: LevelFilter;
  /** Budget of one check. Default 30 s. */
  timeoutMs?: number;
  /** The daemon's configured permission timeout; without it the timeout checks are skipped. */
  permissionTimeoutMs?: number;
  /** Checks running at once. Default 8. */
  concurrency?: number;
  /**
   * Check ids known to fail on this daemon (a CI baseline): their failures do not fail the suite,
   * and a listed check that passes does, so the baseline cannot rot.
   */
  expectedFailures?: readonly string[];
  /** Rounds of the whole selection; a check whose verdict changes between rounds is `flaky`. Default 1. */
  repeat?: number;
  /** Flaky checks are reported but do not fail the suite. */
  allowFlaky?: boolean;
  /** Run texts for the scripted scenarios, when the daemon's host uses other words. */
  scenarioPrompts?: Partial<ScenarioPrompts>;
  /** The registry to pick from; default every check of the kit. */
  checks?: readonly Check[];
  /** Progress hooks (the pretty reporter uses them). With `repeat` > 1 a result comes once, after the last round. */
  onCheckStart?: (check: Check) => void;
  onCheckResult?: (result: CheckResult) => void;
  /** A round of a repeated run ended (`round` counts from 1). */
  onRound?: (round: number, rounds: number) => void;
  signal?: AbortSignal;
  /** Injected fetch (tests); the global one otherwise. */
  fetch?: typeof fetch;
}

export type SuiteErrorKind = 'usage' | 'connection' | 'auth';

/** The suite could not start: bad options, daemon unreachable, or token rejected. */
export class SuiteError extends Error {
  constructor(
    readonly kind: SuiteErrorKind,
    message: string,
    readonly exchange?: Exchange,
  ) {
    super(message);
    this.name = 'SuiteError';
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONCURRENCY = 8;
const MAX_EXCHANGES = RESULT_LIMITS.exchanges;
export const MAX_REPEAT = 1000;
/** Areas whose checks need no capability list (STATUS reports why the list is missing). */
const INDEPENDENT_AREAS: readonly string[] = ['HEALTH', 'AUTH', 'STATUS'];

export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
  const startedAt = new Date();
  const profile = options.profile ?? 'any';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const prompts: ScenarioPrompts = { ...DEFAULT_PROMPTS, ...options.scenarioPrompts };
  if (!options.token) throw new SuiteError('usage', 'no token: pass --token or set GLUE_DAEMON_TOKEN');
  let baseUrl: string;
  try {
    const parsed = new URL(options.url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    baseUrl = options.url.replace(/\/+$/, '');
    if (/(^|\/)v1(\/|$)/.test(parsed.pathname)) throw new SuiteError('usage', `the base URL ${options.url} contains /v1, which the suite adds itself; use ${parsed.origin}`);
  } catch (error) {
    if (error instanceof SuiteError) throw error;
    throw new SuiteError('usage', `invalid --url ${JSON.stringify(options.url)}: expected http://host:port`);
  }
  if (!(timeoutMs > 0)) throw new SuiteError('usage', 'timeout must be a positive duration');
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT) throw new SuiteError('usage', `repeat must be an integer from 1 to ${MAX_REPEAT}, got ${String(options.repeat)}`);

  let selected: Check[];
  try {
    selected = selectChecks(options.checks ?? allChecks, { only: options.only, skip: options.skip, level: options.level });
  } catch (error) {
    if (error instanceof SelectionError) throw new SuiteError('usage', error.message);
    throw error;
  }

  const expected = baselineIds(options.expectedFailures);
  const unknownExpected = unknownBaselineIds(expected, options.checks ?? allChecks);
  if (unknownExpected.length > 0) throw new SuiteError('usage', `expected failures name unknown checks: ${unknownExpected.join(', ')}`);

  const capabilities = await discover(baseUrl, options.token, Math.min(timeoutMs, 10_000), options);
  const fit = createDetailBudget();
  const runOptions: RunCheckOptions = { ...options, baseUrl, profile, prompts, timeoutMs, capabilities };
  const live = repeat === 1;
  const execute = async (check: Check): Promise<CheckResult> => {
    options.onCheckStart?.(check);
    const result = fit(await runCheck(check, runOptions));
    if (live) options.onCheckResult?.(applyBaseline(result, expected));
    return result;
  };
  const attempts = new Map<Check, CheckResult[]>(selected.map((c) => [c, []]));
  for (let round = 1; round <= repeat; round++) {
    if (options.signal?.aborted) break;
    for (const [check, result] of await runPool(selected, concurrency, execute)) attempts.get(check)?.push(result);
    if (repeat > 1) options.onRound?.(round, repeat);
  }

  // The baseline applies to the verdict over all rounds: a flaky check stays flaky.
  const ordered = selected.map((c) => attempts.get(c) ?? []).filter((list) => list.length > 0).map((list) => applyBaseline(aggregate(list), expected));
  if (!live) for (const result of ordered) options.onCheckResult?.(result);
  const allowFlaky = options.allowFlaky === true;
  const { summary, ok } = summarize(ordered, { allowFlaky });
  return {
    kitVersion: kitVersion(),
    url: baseUrl,
    profile,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    capabilities: capabilities.list ?? [],
    results: ordered,
    summary,
    repeat,
    allowFlaky,
    ok,
  };
}

interface Discovery {
  /** Advertised capabilities, or undefined when `/v1/status` could not be read. */
  list: string[] | undefined;
  problem?: string;
}

/** Reachability and token first, then the capability list that decides which checks apply. */
async function discover(baseUrl: string, token: string, timeoutMs: number, options: SuiteOptions): Promise<Discovery> {
  const http = createHttpClient({ baseUrl, token, timeoutMs, maxBodyBytes: WIRE_LIMITS.bodyBytes, ...(options.signal ? { signal: options.signal } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) });
  try {
    const health = await http.request({ path: '/v1/health', auth: 'none' });
    // A base URL with a path prefix (`…/api`) whose health is not there would fail every check
    // (a Glue daemon answers unknown paths 401 before routing, so not only 404 counts).
    if (health.status !== 200 && new URL(baseUrl).pathname !== '/') {
      throw new SuiteError('usage', `GET ${baseUrl}/v1/health answered ${health.status}: the base URL's path ${new URL(baseUrl).pathname} looks wrong; pass the daemon's root, e.g. ${new URL(baseUrl).origin}`, health.exchange);
    }
  } catch (error) {
    if (error instanceof SuiteError) throw error;
    const exchange = error instanceof HttpError ? error.exchange : undefined;
    throw new SuiteError('connection', `cannot reach the daemon at ${baseUrl}: ${describeError(error)}`, exchange);
  }
  let status;
  try {
    status = await http.request({ path: '/v1/status' });
  } catch (error) {
    // The daemon answered health, so this is its failure to report, not a connection problem.
    return { list: undefined, problem: `GET /v1/status failed: ${describeError(error)}` };
  }
  if (status.status === 401) {
    throw new SuiteError('auth', `the daemon at ${baseUrl} rejected the token (GET /v1/status answered 401); check --token or GLUE_DAEMON_TOKEN`, status.exchange);
  }
  const list = isObject(status.json) ? status.json['capabilities'] : undefined;
  if (status.status !== 200 || !Array.isArray(list) || !list.every((c): c is string => typeof c === 'string')) {
    return { list: undefined, problem: `GET /v1/status did not list capabilities (HTTP ${status.status})` };
  }
  return { list };
}

interface RunCheckOptions extends SuiteOptions {
  baseUrl: string;
  profile: Profile;
  prompts: ScenarioPrompts;
  timeoutMs: number;
  capabilities: Discovery;
}

function skipReason(check: Check, options: RunCheckOptions): string | undefined {
  if (check.profile === 'scripted' && options.profile !== 'scripted') return 'needs the scripted profile (--profile scripted)';
  if (check.needsPermissionTimeout && options.permissionTimeoutMs === undefined) {
    return "needs the daemon's permission timeout (--permission-timeout)";
  }
  const list = options.capabilities.list;
  if (list === undefined) return undefined;
  const missing = check.capabilities.filter((c) => !list.includes(c));
  if (missing.length > 0) return `daemon does not advertise capability ${missing.join(', ')}`;
  return undefined;
}

/** Runs of a check cut short by its own slowness (`CheckInconclusive`) before that is its verdict. */
const MAX_INCONCLUSIVE_RUNS = 3;

async function runCheck(check: Check, options: RunCheckOptions): Promise<CheckResult> {
  const earlier: string[] = [];
  for (let run = 1; ; run++) {
    const { result, inconclusive } = await runCheckOnce(check, options);
    if (!inconclusive || run >= MAX_INCONCLUSIVE_RUNS) return earlier.length === 0 ? result : { ...result, notes: [...earlier, ...result.notes] };
    earlier.push(`run ${run} was cut short and the check ran again: ${result.message ?? ''}`);
  }
}

async function runCheckOnce(check: Check, options: RunCheckOptions): Promise<{ result: CheckResult; inconclusive: boolean }> {
  const base = {
    id: check.id,
    area: check.area,
    level: check.level,
    rule: check.rule,
    reference: check.reference,
    profile: check.profile,
    ...(check.tags && check.tags.length > 0 ? { tags: [...check.tags] } : {}),
  };
  const started = Date.now();
  const reason = skipReason(check, options);
  if (reason !== undefined) return { result: { ...base, status: 'skip', durationMs: 0, message: reason, notes: [], exchanges: [] }, inconclusive: false };
  // Without the capability list most checks cannot tell "not offered" from "broken": fail them.
  if (options.capabilities.list === undefined && !INDEPENDENT_AREAS.includes(check.area)) {
    return { result: { ...base, status: 'fail', durationMs: 0, message: followOnMessage('STATUS-001', options.capabilities.problem ?? 'no capabilities', options.checks ?? allChecks), brokenRule: 'STATUS-001', notes: [], exchanges: [] }, inconclusive: false };
  }

  // Timer checks wait for the daemon's permission timeout on top of the usual budget.
  const budget = options.timeoutMs + (check.needsPermissionTimeout ? 2 * (options.permissionTimeoutMs ?? 0) : 0);
  const controller = new AbortController();
  const signals = [controller.signal, ...(options.signal ? [options.signal] : [])];
  const recording = createCheckContext({
    baseUrl: options.baseUrl,
    token: options.token,
    capabilities: new Set(options.capabilities.list ?? []),
    profile: options.profile,
    prompts: options.prompts,
    permissionTimeoutMs: options.permissionTimeoutMs,
    timeoutMs: budget,
    requestTimeoutMs: Math.min(budget, 10_000),
    maxBodyBytes: WIRE_LIMITS.bodyBytes,
    signal: AbortSignal.any(signals),
    checkId: check.id,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), budget);
  });
  let status: Verdict = 'pass';
  let message: string | undefined;
  let pinned: Exchange | undefined;
  let brokenRule: string | undefined;
  let inconclusive = false;
  try {
    const body = check.run(recording.context).then(() => 'done' as const);
    const outcome = await Promise.race([body, deadline]);
    if (outcome === 'timeout') {
      status = 'fail';
      message = `check did not finish within ${budget} ms (a response or stream never completed)`;
      controller.abort();
      // The body settles once its aborted waits reject; nothing more is reported from it.
      body.catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof CheckSkip) {
      status = 'skip';
      message = error.message;
    } else if (error instanceof CheckFailure) {
      status = 'fail';
      message = error.message;
      inconclusive = error instanceof CheckInconclusive;
      pinned = error.exchange;
      if (error.rule !== undefined && error.rule !== check.id) brokenRule = error.rule;
    } else if (error instanceof HttpError) {
      status = 'fail';
      message = `request failed: ${error.message}`;
      pinned = error.exchange;
    } else {
      status = 'fail';
      message = `check crashed: ${describeError(error)}`;
    }
  } finally {
    clearTimeout(timer);
    // Streams a check left open would keep runs alive on the daemon (or cancel them later).
    controller.abort();
  }
  // In the order they happened, the failing one marked, SSE bodies cut around the offending frame.
  const { shown, failedIndex } = pickExchanges(recording.exchanges, pinned);
  const exchanges = shown.map((e) => (isEventStream(e.responseHeaders) && e.responseBody !== undefined ? { ...e, responseBody: focusSseBody(e.responseBody, e === pinned ? message : undefined) } : e));
  if (brokenRule !== undefined && message !== undefined) message = followOnMessage(brokenRule, message, options.checks ?? allChecks);
  const result: CheckResult = {
    ...base,
    status,
    durationMs: Date.now() - started,
    ...(message !== undefined ? { message: excerpt(message, RESULT_LIMITS.messageChars) } : {}),
    ...(brokenRule !== undefined ? { brokenRule } : {}),
    ...(failedIndex !== undefined ? { failedExchange: failedIndex } : {}),
    exchanges,
    notes: recording.notes,
  };
  return { result, inconclusive };
}

/**
 * At most `MAX_EXCHANGES`, in recording order; when there are more, the failing exchange and the
 * ones just before it (what led to it) are kept.
 */
function pickExchanges(all: readonly Exchange[], pinned: Exchange | undefined): { shown: Exchange[]; failedIndex: number | undefined } {
  const at = pinned === undefined ? -1 : all.indexOf(pinned);
  const ordered = pinned !== undefined && at < 0 ? [...all, pinned] : [...all];
  const index = pinned === undefined ? -1 : ordered.indexOf(pinned);
  const start = index < MAX_EXCHANGES ? 0 : index - MAX_EXCHANGES + 1;
  const shown = ordered.slice(start, start + MAX_EXCHANGES);
  return { shown, failedIndex: index < 0 ? undefined : index - start };
}

/** "follow-on failure: RUN-001 is broken (…its rule…): the message", so the report blames the first broken rule. */
function followOnMessage(rule: string, message: string, registry: readonly Check[]): string {
  const first = registry.find((c) => c.id === rule);
  return `follow-on failure: ${rule} is broken${first ? ` (${first.rule.replace(/\.$/, '')})` : ''}: ${message}`;
}
