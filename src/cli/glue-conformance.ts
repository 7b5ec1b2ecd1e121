#!/usr/bin/env node
/**
 * glue-conformance: runs the conformance suite against a Glue daemon (or, with --embedded, against
 * the reference daemon started in this process) and prints the report. Thin on purpose: parse the
 * flags, call runSuite, render, set the exit code (0 every MUST passed, 1 a MUST failed,
 * 2 usage error or daemon unreachable).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allChecks } from '../../conformance/checks/index.js';
import { prettyLines, renderOutput, REPORTERS, resultLines, summaryLine, writeReport, type ReporterName } from '../../conformance/reporters/index.js';
import { MAX_REPEAT, runSuite, SuiteError, type SuiteOptions } from '../../conformance/runner.js';
import { selectChecks, SelectionError, type LevelFilter } from '../../conformance/select.js';
import { DEFAULT_PROMPTS, type ScenarioName, type SuiteReport } from '../../conformance/types.js';
import { createFileSink, createRedactor, createStreamSink, type OutputSink, type Redactor } from '../output/index.js';
import { exchangeLines } from '../protocol/http-client.js';
import { parseJsonBounded } from '../protocol/json-bounded.js';
import { packagePath } from '../protocol/package-root.js';
import { parseDurationFlag, UsageError, unknownOptionMessage } from './args.js';
import { readSmallFile } from './read-small-file.js';
import { waitForHealth } from './wait-for-health.js';

const PROGRAM = 'glue-conformance';
/** Console lines are wrapped by the sink, after redaction (a wrap could cut a secret in two). */
const UNWRAPPED = Number.POSITIVE_INFINITY;
/**
 * The embedded daemon's permission timeout: short, so the timeout checks take about a second, but
 * not shorter: the daemon shares this process's event loop with the suite, and at 500 ms a loaded
 * 2-core box let permission requests expire before the checks answered them (`--repeat` showed it).
 */
const EMBEDDED_PERMISSION_TIMEOUT_MS = 1_000;

const HELP = `Usage: ${PROGRAM} [--url URL --token TOKEN | --metadata PATH | --embedded] [options]

Runs the Glue daemon protocol (ADR-0010) conformance suite and reports every check.
To test a client instead: ${PROGRAM} client --command 'CMD {url} {token} {prompt}' (see client --help).

Daemon:
  --url URL                 daemon base URL, e.g. http://127.0.0.1:43129
  --token TOKEN             bearer token (default: $GLUE_DAEMON_TOKEN)
  --metadata PATH           read base_url and token from a daemon metadata file
                            (used when --url is absent; default: the Glue metadata path)
  --embedded                start the reference daemon in this process and test it
                            (scripted profile, short permission timeout)
Selection:
  --profile any|scripted    any (default, alias black-box): URL + token only;
                            scripted: the daemon's host answers the kit's scenario
                            prompts (permissions, grants, cancel, serialisation)
  --only ID|AREA            run only these checks or areas (repeatable, comma-separated)
  --skip ID|AREA            leave these out (repeatable, comma-separated)
  --level must|should       must: MUST checks only; should (default): all
  --scenario-prompt NAME=TEXT
                            run text for a scripted scenario
                            (${Object.keys(DEFAULT_PROMPTS).join(', ')})
  --list                    print the selected checks (honours --profile, --level, --only,
                            --skip; --reporter json prints them as JSON) and exit
  --expected-failures FILE  check ids (one per line) known to fail: they do not fail the run,
                            and a listed check that passes does
Timing:
  --timeout DUR             budget of one check (Go duration, default 30s)
  --permission-timeout DUR  the daemon's permission timeout; enables the timeout checks
  --wait DUR                poll GET /v1/health until the daemon answers 200 (at most DUR)
                            before the suite starts, e.g. --wait 30s in CI
  --concurrency N           checks running at once (default 8)
  --repeat N                run the selection N times; a check whose verdict changes is
                            flaky, which fails the run unless --allow-flaky
  --allow-flaky             report flaky checks without failing the run
Output:
  --reporter NAME[=PATH]    pretty (default), json, junit, html (one offline file) or
                            markdown (for $GITHUB_STEP_SUMMARY); repeatable; without a path
                            a file report goes to stdout and the console output to stderr
  --out PATH                write the preceding --reporter to PATH
  --quiet                   print only the final line (and failures)
  --help, --version

Exit status: 0 every MUST check passed, 1 a MUST check failed (or a check was flaky),
2 usage error or daemon unreachable.
`;

interface ReporterTarget {
  name: ReporterName;
  path?: string;
}

interface Options {
  suite: Omit<SuiteOptions, 'url' | 'token'> & { url?: string; token?: string };
  /** --profile was given (the list filters by it only then). */
  profileGiven: boolean;
  waitMs?: number;
  metadata?: string;
  embedded: boolean;
  list: boolean;
  quiet: boolean;
  reporters: ReporterTarget[];
}

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  metadata: { type: 'string' },
  embedded: { type: 'boolean' },
  profile: { type: 'string' },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  level: { type: 'string' },
  list: { type: 'boolean' },
  reporter: { type: 'string', multiple: true },
  out: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  'permission-timeout': { type: 'string' },
  wait: { type: 'string' },
  concurrency: { type: 'string' },
  repeat: { type: 'string' },
  'allow-flaky': { type: 'boolean' },
  'scenario-prompt': { type: 'string', multiple: true },
  'expected-failures': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: false, tokens: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError(unknownOptionMessage(error, Object.keys(OPTIONS)) ?? (error instanceof Error ? error.message : String(error)));
  }
  const { values, tokens } = parsed;
  if (values.help) return 'help';
  if (values.version) return 'version';

  // `black-box` is the design document's name for `any`.
  const profile = values.profile === 'black-box' ? 'any' : values.profile;
  if (profile !== undefined && profile !== 'any' && profile !== 'scripted') throw new UsageError(`--profile must be any (alias black-box) or scripted, got ${JSON.stringify(values.profile)}`);
  const level = values.level?.toLowerCase();
  if (level !== undefined && level !== 'must' && level !== 'should') throw new UsageError(`--level must be must or should, got ${JSON.stringify(values.level)}`);
  const duration = (flag: string, text: string | undefined): number | undefined => (text === undefined ? undefined : parseDurationFlag(flag, text));
  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a positive integer, got ${JSON.stringify(values.concurrency)}`);
  }
  let repeat: number | undefined;
  if (values.repeat !== undefined) {
    repeat = Number(values.repeat);
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT) throw new UsageError(`--repeat must be an integer from 1 to ${MAX_REPEAT}, got ${JSON.stringify(values.repeat)}`);
  }
  const scenarioPrompts: Partial<Record<ScenarioName, string>> = {};
  for (const entry of values['scenario-prompt'] ?? []) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq) as ScenarioName;
    if (eq <= 0 || !(name in DEFAULT_PROMPTS) || entry.slice(eq + 1).trim() === '') {
      throw new UsageError(`--scenario-prompt expects NAME=TEXT with NAME one of ${Object.keys(DEFAULT_PROMPTS).join(', ')}, got ${JSON.stringify(entry)}`);
    }
    scenarioPrompts[name] = entry.slice(eq + 1);
  }

  const reporters = reporterTargets(tokens ?? []);
  const expectedFailures = values['expected-failures'] === undefined ? undefined : readBaseline(values['expected-failures']);
  const embedded = values.embedded ?? false;
  if (embedded && (values.url !== undefined || values.metadata !== undefined)) throw new UsageError('--embedded starts its own daemon; do not combine it with --url or --metadata');

  const suite: Options['suite'] = {
    ...(profile !== undefined ? { profile } : {}),
    ...(values.only ? { only: values.only } : {}),
    ...(values.skip ? { skip: values.skip } : {}),
    ...(level !== undefined ? { level: level as LevelFilter } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(repeat !== undefined ? { repeat } : {}),
    ...(values['allow-flaky'] ? { allowFlaky: true } : {}),
    scenarioPrompts,
    ...(expectedFailures ? { expectedFailures } : {}),
  };
  const timeoutMs = duration('timeout', values.timeout);
  if (timeoutMs !== undefined) suite.timeoutMs = timeoutMs;
  const permissionTimeoutMs = duration('permission-timeout', values['permission-timeout']);
  if (permissionTimeoutMs !== undefined) suite.permissionTimeoutMs = permissionTimeoutMs;
  if (values.url !== undefined) {
    if (!/^https?:\/\/[^\s/]+/.test(values.url)) throw new UsageError(`--url must be an http:// base URL, got ${JSON.stringify(values.url)}`);
    checkBaseUrl(values.url, '--url');
    suite.url = values.url;
  }
  const waitMs = duration('wait', values.wait);
  const token = values.token ?? env['GLUE_DAEMON_TOKEN'];
  if (token !== undefined && token !== '') suite.token = token;
  return {
    suite,
    profileGiven: profile !== undefined,
    ...(waitMs !== undefined ? { waitMs } : {}),
    ...(values.metadata !== undefined ? { metadata: values.metadata } : {}),
    embedded,
    list: values.list ?? false,
    quiet: values.quiet ?? false,
    reporters,
  };
}

/**
 * The suite appends `/v1/...` itself: a base URL that already ends in `/v1` would test
 * `/v1/v1/health` and fail every check, so it is a usage error with the fix spelled out.
 */
function checkBaseUrl(url: string, source: string): void {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    throw new UsageError(`${source} ${JSON.stringify(url)} is not a URL`);
  }
  if (/(^|\/)v1(\/|$)/.test(path)) {
    const fixed = url.replace(/\/v1(\/.*)?$/, '');
    throw new UsageError(`${source} ${url} contains /v1, but the suite adds /v1/... itself; pass the daemon's base URL: --url ${fixed}`);
  }
}

/** `--reporter junit --out a.xml`, `--reporter junit=a.xml`; an --out belongs to the reporter before it. */
function reporterTargets(tokens: ReadonlyArray<{ kind: string; name?: string; value?: string | undefined }>): ReporterTarget[] {
  const targets: ReporterTarget[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'reporter') {
      const raw = token.value ?? '';
      const eq = raw.indexOf('=');
      const name = (eq < 0 ? raw : raw.slice(0, eq)) as ReporterName;
      if (!REPORTERS.includes(name)) throw new UsageError(`--reporter must be one of ${REPORTERS.join(', ')}, got ${JSON.stringify(raw)}`);
      const path = eq < 0 ? undefined : raw.slice(eq + 1);
      if (path === '') throw new UsageError(`--reporter ${raw}: empty path`);
      targets.push(path === undefined ? { name } : { name, path });
    } else if (token.name === 'out') {
      const last = targets.at(-1);
      if (!last || last.path !== undefined) throw new UsageError('--out must follow a --reporter that has no path yet');
      if (!token.value) throw new UsageError('--out needs a path');
      last.path = token.value;
    }
  }
  return targets.length > 0 ? targets : [{ name: 'pretty' }];
}

/** An expected-failures baseline: one check id per line, `#` starts a comment. */
function readBaseline(path: string): string[] {
  let text: string;
  try {
    text = readSmallFile(path, MAX_BASELINE_BYTES);
  } catch (error) {
    throw new UsageError(`cannot read the expected-failures file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

/** Largest metadata file read (Go's is ~200 bytes); a FIFO, device or bigger file is refused. */
const MAX_METADATA_BYTES = 64 * 1024;
const MAX_BASELINE_BYTES = 1024 * 1024;

/** The Glue metadata file: `{"version":1,"base_url":…,"token":…,"pid":…}` (comment lines tolerated). */
function readMetadata(path: string): { url: string; token: string } {
  let text: string;
  try {
    text = readSmallFile(path, MAX_METADATA_BYTES);
  } catch (error) {
    throw new UsageError(`cannot read the metadata file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const start = text.indexOf('{');
  const end = text.indexOf('}', start);
  const parsed = parseJsonBounded(start < 0 ? text : text.slice(start, end + 1), 8);
  if (parsed.jsonError !== undefined) throw new UsageError(`the metadata file ${path} is not JSON`);
  const data = parsed.json;
  const record = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (typeof record['base_url'] !== 'string' || typeof record['token'] !== 'string') throw new UsageError(`the metadata file ${path} has no base_url and token`);
  return { url: record['base_url'], token: record['token'] };
}

/** Go's default metadata path: os.UserConfigDir()/glue/daemon.json. */
async function defaultMetadataPath(env: NodeJS.ProcessEnv): Promise<string> {
  const { defaultMetadataPath: fromReference } = await import('../../reference-server/metadata-file.js');
  return fromReference({ platform: process.platform, env });
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `--list`: the checks the same flags would run; `--profile any` leaves out the scripted ones. */
function listChecks(options: Options): string {
  let selected = selectChecks(allChecks, { only: options.suite.only, skip: options.suite.skip, level: options.suite.level });
  if (options.profileGiven && options.suite.profile === 'any') selected = selected.filter((c) => c.profile === 'any');
  if (options.reporters.some((r) => r.name === 'json')) {
    const entries = selected.map((c) => ({ id: c.id, area: c.area, level: c.level, profile: c.profile, tags: c.tags ?? [], rule: c.rule, reference: c.reference, capabilities: c.capabilities }));
    return `${JSON.stringify(entries, null, 2)}\n`;
  }
  const lines = selected.map((c) => `${c.id.padEnd(11)} ${c.level.padEnd(6)} ${c.profile.padEnd(8)} ${(c.tags ?? []).join(',').padEnd(6)} ${c.rule}`);
  return `${lines.join('\n')}\n${selected.length} checks\n`;
}

/** FORCE_COLOR (not 0/false) forces colour, as in node itself; otherwise NO_COLOR turns it off; otherwise a TTY has it. */
export function useColor(env: NodeJS.ProcessEnv, tty: boolean): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return tty;
}

/** The live `N/95` line on a TTY: rewritten in place, cleared before each result line. */
function createProgress(sink: OutputSink, total: number): { advance(): void; clear(): void } {
  let done = 0;
  let shown = false;
  const draw = (): void => {
    sink.progress(`${done}/${total} checks done`);
    shown = true;
  };
  draw();
  return {
    advance() {
      done += 1;
      draw();
    },
    clear() {
      if (shown) sink.progress(undefined);
      shown = false;
    },
  };
}

interface Embedded {
  url: string;
  token: string;
  permissionTimeoutMs: number;
  close(): Promise<void>;
}

/** The reference daemon with the default fixtures and session lookup (so SESS checks run), in this process, on 127.0.0.1:0. */
async function startEmbedded(permissionTimeoutMs: number): Promise<Embedded> {
  const [{ createReferenceServer }, { loadMockHost }, { serveNode }] = await Promise.all([
    import('../../reference-server/index.js'),
    import('../../reference-server/mock-host/index.js'),
    import('../../reference-server/serve-node.js'),
  ]);
  const token = randomBytes(32).toString('hex');
  const server = createReferenceServer({ token, host: loadMockHost({ sessions: true }), permissionTimeoutMs, name: 'glue-conformance-embedded' });
  const node = await serveNode(server, { host: '127.0.0.1', port: 0, closeGraceMs: 1000 });
  return {
    url: node.url,
    token,
    permissionTimeoutMs,
    async close() {
      await server.close();
      await node.close();
    },
  };
}

interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/**
 * The token as given on the command line or in the environment, known before anything is parsed,
 * so even a usage error that quotes an argument cannot print it.
 */
function earlySecrets(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const secrets = [env['GLUE_DAEMON_TOKEN'] ?? ''];
  argv.forEach((arg, i) => {
    if (arg === '--token') secrets.push(argv[i + 1] ?? '');
    else if (arg.startsWith('--token=')) secrets.push(arg.slice('--token='.length));
  });
  return secrets;
}

/** Credentials in a URL's user-info (`http://user:secret@host`) are secrets too. */
function userInfoSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [decodeURIComponent(parsed.username), decodeURIComponent(parsed.password), parsed.username, parsed.password];
  } catch {
    return [];
  }
}

/** Runs the CLI; resolves to the exit code. Everything it prints goes through one redacting sink per destination. */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const redactor: Redactor = createRedactor(earlySecrets(argv, io.env));
  const out = createStreamSink(io.stdout, { redactor });
  // Error messages stay one line each (scripts match them); the console report wraps at 80.
  const err = createStreamSink(io.stderr, { redactor, width: 0 });
  let embedded: Embedded | undefined;
  // `glue-conformance client …` judges a client instead of a daemon, with this CLI's report flags.
  if (argv[0] === 'client') return (await import('./glue-conformance-client.js')).clientMain(argv.slice(1), io, { reporterTargets, readBaseline, useColor, redactor });
  try {
    const options = parseCommandLine(argv, io.env);
    if (options === 'help') return out.document(HELP), 0;
    if (options === 'version') return out.document(`${PROGRAM} ${version()}\n`), 0;
    if (options.list) return out.document(listChecks(options)), 0;
    // Validate --only/--skip before touching the network.
    selectChecks(allChecks, { only: options.suite.only, skip: options.suite.skip });

    let url = options.suite.url;
    let token = options.suite.token;
    const suite: Partial<SuiteOptions> = { ...options.suite };
    if (options.embedded) {
      embedded = await startEmbedded(options.suite.permissionTimeoutMs ?? EMBEDDED_PERMISSION_TIMEOUT_MS);
      url = embedded.url;
      token = embedded.token;
      suite.profile = options.suite.profile ?? 'scripted';
      suite.permissionTimeoutMs = embedded.permissionTimeoutMs;
    } else if (url === undefined) {
      let metadata: { url: string; token: string };
      if (options.metadata !== undefined) metadata = readMetadata(options.metadata);
      else {
        const path = await defaultMetadataPath(io.env);
        try {
          metadata = readMetadata(path);
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          throw new UsageError(`no daemon given: pass --url and --token, --metadata PATH, or --embedded (${why})`);
        }
      }
      redactor.add(metadata.token);
      for (const secret of userInfoSecrets(metadata.url)) redactor.add(secret);
      checkBaseUrl(metadata.url, 'the metadata base_url');
      url = metadata.url;
      token ??= metadata.token;
    }
    redactor.add(token);
    for (const secret of userInfoSecrets(url)) redactor.add(secret);
    if (token === undefined) throw new UsageError('no token: pass --token, set GLUE_DAEMON_TOKEN or use --metadata');

    // The console report goes to stdout unless a machine report claims it.
    const stdoutTaken = options.reporters.some((r) => r.name !== 'pretty' && r.path === undefined);
    const consoleStream = stdoutTaken ? io.stderr : io.stdout;
    const tty = (consoleStream as { isTTY?: boolean }).isTTY === true;
    const color = useColor(io.env, tty);
    const console: OutputSink = createStreamSink(consoleStream, { redactor, color });
    const live = !options.quiet;
    if (options.waitMs !== undefined) {
      const waited = await waitForHealth({ baseUrl: url, timeoutMs: options.waitMs });
      if (!waited.ready) throw new SuiteError('connection', `the daemon at ${url} was not ready within --wait ${options.waitMs} ms (${waited.attempts} attempts; last: ${waited.last})`);
      if (live && waited.attempts > 1) console.lines(`${PROGRAM}: daemon ready after ${waited.attempts} health checks`);
    }
    if (live) console.lines(`${PROGRAM}: testing ${url} (profile ${suite.profile ?? 'any'}${options.embedded ? ', embedded reference daemon' : ''})`);
    const progress = live && tty ? createProgress(console, selectChecks(allChecks, { only: suite.only, skip: suite.skip, level: suite.level }).length) : undefined;

    const report: SuiteReport = await runSuite({
      ...suite,
      url,
      token,
      ...(live
        ? {
            onCheckResult: (result) => {
              progress?.clear();
              console.lines(resultLines(result, { color, width: UNWRAPPED }));
              progress?.advance();
            },
            onRound: (round, rounds) => {
              progress?.clear();
              console.lines(`round ${round}/${rounds} done`);
            },
          }
        : {}),
    });

    progress?.clear();
    for (const target of options.reporters) {
      if (target.name === 'pretty' && target.path === undefined) continue;
      writeReport(target.path === undefined ? out : createFileSink(target.path, { redactor }), renderOutput(target.name, report));
    }
    if (options.quiet) {
      const failures = report.results.filter((r) => r.status === 'fail' || r.status === 'flaky');
      for (const failure of failures) console.lines(resultLines(failure, { width: UNWRAPPED }));
      console.lines(summaryLine(report));
    } else {
      console.lines(prettyLines(report, { color, progressShown: true, width: UNWRAPPED }));
    }
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError || error instanceof SelectionError) {
      err.lines([`${PROGRAM}: ${error.message}`, `Run ${PROGRAM} --help for usage.`]);
      return 2;
    }
    if (error instanceof SuiteError) {
      err.lines(`${PROGRAM}: ${error.message}`);
      if (error.exchange) err.lines(exchangeLines(error.exchange));
      return 2;
    }
    err.lines(`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    await embedded?.close();
  }
}

/** True when this file is the process entry (also through an npm bin symlink), not an import. */
function isEntry(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  const code = await main(process.argv.slice(2));
  // Idle keep-alive sockets must not hold the process open; flush stdout first.
  process.stdout.write('', () => process.exit(code));
}
