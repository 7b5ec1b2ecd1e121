#!/usr/bin/env node
/**
 * glue-mock-daemon: the reference daemon on a local port, started the way `glue serve` starts the
 * Go daemon (same flags, same four startup lines from daemon.ServeLocal, same metadata file).
 * Parses flags, builds the server from the library, prints, and waits for SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// Deep imports, not the package entry: the default profile must not load the YAML parser or ajv
// (the full fixture loader, --record, --watch and --strict import them when asked for).
import { createReferenceServer } from '../../reference-server/file-backed-server.js';
import type { ReferenceServer, ReferenceServerOptions } from '../../reference-server/server.js';
import { createFaultyServer, listFaults, UnknownFaultError } from '../../reference-server/faults/index.js';
import { defaultMetadataPath, writeMetadataFile } from '../../reference-server/metadata-file.js';
import { liveOtherOwner, metadataPathProblem, removeIfOwned, takenMessage } from '../../reference-server/metadata-guard.js';
import { MockHostLoadError } from '../../reference-server/mock-host/load-issue.js';
import { loadMockHostLazily } from '../../reference-server/mock-host/load-bundled.js';
import { serveNode, type NodeServer } from '../../reference-server/serve-node.js';
import type { MockHost } from '../../reference-server/host.js';
import { escapeControl } from '../../reference-server/workbench/console-text.js';
import type { RecordingProxy } from '../../reference-server/workbench/record/recording-proxy.js';
import type { LogFormat, WorkbenchOptions } from '../../reference-server/workbench/index.js';
import { parseCorsOrigin } from '../../reference-server/workbench/cors.js';
import type { ReloadReport, WatchedHost } from '../../reference-server/workbench/watched-host.js';
import { packagePath } from '../protocol/package-root.js';
import { listenErrorText, pathErrorText } from './go-errors.js';
import { startIdleCollector } from './idle-memory.js';
import {
  UsageError,
  isLoopbackHost,
  normalizeGoFlags,
  parseGoDuration,
  parseListenAddress,
  resolveToken,
  type ListenAddress,
  type TokenSource,
} from './args.js';

const PROGRAM = 'glue-mock-daemon';
/** Go's daemon default when `--permission-timeout` is 0. */
const DEFAULT_PERMISSION_TIMEOUT_MS = 10 * 60_000;
/** glue serve's shutdown timeout (ServeLocal's default): in-flight requests get this long after a signal. */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;
/** Beyond the grace: time to end what is left cleanly before the process gives up. */
const SHUTDOWN_SLACK_MS = 5_000;
/** On shutdown with --record: how long runs still being recorded may take to be written. */
const RECORD_SETTLE_MS = 2_000;

const USAGE = `Usage: ${PROGRAM} [flags]

A local Glue daemon (ADR-0010 HTTP + SSE) backed by the scriptable mock host.

Flags (as \`glue serve\`):
  --listen HOST:PORT          listen address (default 127.0.0.1:0)
  --token TOKEN               bearer token (default $GLUE_DAEMON_TOKEN, else a random 256-bit hex token)
  --metadata PATH             connection metadata JSON path; '' disables (default ${defaultMetadataPath()})
  --permission-timeout DUR    permission decision timeout, Go syntax (2s, 500ms, 10m); 0 = 10m
Mock host:
  --scenarios DIR             scenario YAML directory (default: the bundled fixtures)
  --catalogs DIR              catalog YAML directory (default: the bundled fixtures)
  --minimal                   a host with no optional interfaces (only the base capabilities)
  --sessions                  keep run transcripts and serve the ADR-0010 session lookup
                              (GET /v1/sessions…, capability \`sessions\`; Go v1.11.0 has none)
  --delay-scale N             multiply every scenario delay by N (0 = no waiting; default 1)
  --strict                    refuse requests the spec does not allow: 400 with violations [{pointer, message}]
                              (also unknown fields, trailing data, missing client ids; docs/strict-mode.md)
  --log-requests              one stderr line per request: status, duration; event streams summarised
  --log-format pretty|json    format of those lines (default pretty); the token is never shown
  --inspect-requests          serve GET /__glue/requests (what was received; needs the token) and
                              DELETE /__glue/requests (clear); loopback listen addresses only
  --cors ORIGIN               let web pages from ORIGIN (scheme://host:port, or *) call the daemon: preflights
                              answered without a token, Access-Control-* on every answer (repeatable)
  --record                    proxy --upstream and write each run it starts as scenario YAML to --out
  --upstream URL              with --record: the daemon to proxy (its token is --token or $GLUE_DAEMON_TOKEN)
  --out DIR                   with --record: where the scenarios go (replay them with --scenarios DIR)
  --watch                     reload --scenarios/--catalogs when a file changes (a bad edit keeps the last good set)
  --fault NAME                switch on a protocol fault (repeatable; --fault list prints them)
  --permission-store PATH     persist remembered permission grants to this JSON file
  --max-active-runs N         runs not yet finished before starts get 429 (default 4096; Go has no cap)
  --max-open-streams N        concurrent event streams before GETs get 429 (default 4096; Go has no cap)
  --max-event-log-bytes N     bytes the events of all runs may hold; past it finished runs are evicted,
                              then the streaming run ends run_error (default 1073741824; Go has no cap)
Other:
  --shutdown-timeout DUR      on SIGTERM/SIGINT, requests in flight (streams included) get this long to
                              finish, as glue serve's 5s; what is left then ends cleanly (default 5s)
  --name NAME                 runtime.name in /v1/diagnostics (default "glue", as glue serve)
  --startup-name NAME         name on the first startup line (default "glue daemon", as glue serve)
  --allow-remote              allow a non-loopback --listen address (needs --token or $GLUE_DAEMON_TOKEN)
  --help                      print this help
  --version                   print the version

The token is never printed: it is in the metadata file (mode 0600) or wherever you set it.
`;

const OPTIONS = {
  listen: { type: 'string', default: '127.0.0.1:0' },
  token: { type: 'string' },
  metadata: { type: 'string' },
  'permission-timeout': { type: 'string', default: '0' },
  scenarios: { type: 'string' },
  catalogs: { type: 'string' },
  minimal: { type: 'boolean', default: false },
  sessions: { type: 'boolean', default: false },
  'delay-scale': { type: 'string', default: '1' },
  watch: { type: 'boolean', default: false },
  strict: { type: 'boolean', default: false },
  'log-requests': { type: 'boolean', default: false },
  'log-format': { type: 'string', default: 'pretty' },
  'inspect-requests': { type: 'boolean', default: false },
  cors: { type: 'string', multiple: true },
  record: { type: 'boolean', default: false },
  upstream: { type: 'string' },
  out: { type: 'string' },
  fault: { type: 'string', multiple: true },
  'permission-store': { type: 'string' },
  'max-active-runs': { type: 'string' },
  'max-open-streams': { type: 'string' },
  'max-event-log-bytes': { type: 'string' },
  'shutdown-timeout': { type: 'string', default: '5s' },
  name: { type: 'string', default: 'glue' },
  'startup-name': { type: 'string', default: 'glue daemon' },
  'allow-remote': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

interface DaemonConfig {
  listen: ListenAddress;
  /** `--listen` as given, for the diagnostics block. */
  listenFlag: string;
  token: string;
  tokenSource: TokenSource;
  metadataPath: string;
  permissionTimeoutMs: number;
  scenariosDir: string | undefined;
  catalogsDir: string | undefined;
  minimal: boolean;
  sessions: boolean;
  delayScale: number;
  watch: boolean;
  strict: boolean;
  logRequests: boolean;
  logFormat: LogFormat;
  inspectRequests: boolean;
  cors: string[];
  record: { upstream: string; outDir: string } | undefined;
  faults: string[];
  permissionStorePath: string | undefined;
  name: string;
  startupName: string;
  shutdownTimeoutMs: number;
  limits: { maxActiveRuns?: number; maxOpenStreams?: number; maxEventLogBytes?: number };
}

type Parsed = { kind: 'run'; config: DaemonConfig } | { kind: 'print'; text: string };

function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): Parsed {
  let values;
  try {
    ({ values } = parseArgs({
      args: normalizeGoFlags(argv, new Set(Object.keys(OPTIONS))),
      options: OPTIONS,
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return { kind: 'print', text: USAGE };
  if (values.version) return { kind: 'print', text: `${PROGRAM} ${packageVersion()}\n` };
  const faults = values.fault ?? [];
  if (faults.includes('list')) {
    return { kind: 'print', text: listFaults().map((fault) => `${fault.name}\t${fault.area}\t${fault.rule}\n`).join('') };
  }

  const listen = parseListenAddress(values.listen);
  const { token, source } = resolveToken(values.token, env);
  const explicitToken = source !== 'generated';
  if (!isLoopbackHost(listen.host)) {
    if (!values['allow-remote']) {
      throw new UsageError(`refusing to listen on non-loopback address "${values.listen}"; pass --allow-remote together with --token or GLUE_DAEMON_TOKEN`);
    }
    if (!explicitToken) throw new UsageError('--allow-remote requires an explicit --token or GLUE_DAEMON_TOKEN');
  }
  const metadataPath = values.metadata ?? defaultMetadataPath();
  // Same rule as `glue serve`: a generated token nobody can read would lock every client out.
  if (metadataPath.trim() === '' && !explicitToken) throw new UsageError('metadata disabled requires --token or GLUE_DAEMON_TOKEN');
  if (metadataPath.trim() !== '') {
    const problem = metadataPathProblem(metadataPath);
    if (problem !== undefined) throw new UsageError(`invalid --metadata: ${problem}`);
    // Only the default path is guarded: an explicit --metadata is the user's decision.
    const owner = values.metadata === undefined ? liveOtherOwner(metadataPath) : undefined;
    if (owner !== undefined) throw new UsageError(takenMessage(metadataPath, owner));
  }
  const timeout = parseGoDuration(values['permission-timeout']);
  const shutdownTimeout = parseGoDuration(values['shutdown-timeout']);
  const delayScale = parseDelayScale(values['delay-scale']);
  if (values['log-format'] !== 'pretty' && values['log-format'] !== 'json') {
    throw new UsageError(`invalid value ${JSON.stringify(values['log-format'])} for --log-format: want pretty or json`);
  }
  // The inspection endpoint shows request bodies: only a loopback peer may reach it.
  if (values['inspect-requests'] && !isLoopbackHost(listen.host)) {
    throw new UsageError(`--inspect-requests serves loopback listen addresses only, not "${values.listen}"`);
  }
  if (values.record) {
    if (!values.upstream || !/^https?:\/\/[^/]/.test(values.upstream)) throw new UsageError('--record needs --upstream URL, the http(s) base URL of the daemon to record');
    if (!values.out) throw new UsageError('--record needs --out DIR, where the recorded scenarios go');
    if (!explicitToken) throw new UsageError("--record needs the upstream daemon's token: --token or GLUE_DAEMON_TOKEN");
  } else if (values.upstream !== undefined || values.out !== undefined) {
    throw new UsageError('--upstream and --out only apply with --record');
  }
  if (values.watch && values.scenarios === undefined && values.catalogs === undefined) {
    throw new UsageError('--watch reloads your own files: pass --scenarios DIR and/or --catalogs DIR');
  }
  const known = new Set(listFaults().map((fault) => fault.name));
  const unknown = faults.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new UsageError(new UnknownFaultError(unknown).message);

  return {
    kind: 'run',
    config: {
      listen,
      listenFlag: values.listen,
      token,
      tokenSource: source,
      metadataPath: metadataPath.trim() === '' ? '' : metadataPath,
      permissionTimeoutMs: timeout > 0 ? timeout : DEFAULT_PERMISSION_TIMEOUT_MS,
      scenariosDir: values.scenarios,
      catalogsDir: values.catalogs,
      minimal: values.minimal,
      sessions: values.sessions,
      delayScale,
      watch: values.watch,
      strict: values.strict,
      logRequests: values['log-requests'],
      logFormat: values['log-format'] as LogFormat,
      inspectRequests: values['inspect-requests'],
      record: values.record ? { upstream: values.upstream!, outDir: values.out! } : undefined,
      cors: (values.cors ?? []).map((text) => {
        const origin = parseCorsOrigin(text);
        if (origin === undefined) throw new UsageError(`invalid --cors origin ${JSON.stringify(text)}: want scheme://host[:port] such as http://localhost:5173, or *`);
        return origin;
      }),
      faults,
      permissionStorePath: values['permission-store'] || undefined,
      name: values.name.trim() || 'glue',
      startupName: values['startup-name'].trim() || 'glue daemon',
      shutdownTimeoutMs: shutdownTimeout > 0 ? shutdownTimeout : DEFAULT_SHUTDOWN_TIMEOUT_MS,
      limits: {
        ...(values['max-active-runs'] !== undefined ? { maxActiveRuns: positiveInteger('--max-active-runs', values['max-active-runs']) } : {}),
        ...(values['max-open-streams'] !== undefined ? { maxOpenStreams: positiveInteger('--max-open-streams', values['max-open-streams']) } : {}),
        ...(values['max-event-log-bytes'] !== undefined ? { maxEventLogBytes: positiveInteger('--max-event-log-bytes', values['max-event-log-bytes']) } : {}),
      },
    },
  };
}

/** A finite number >= 0, written plainly (`0.5`, `2`); anything else is a usage error. */
function parseDelayScale(raw: string): number {
  const value = /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) throw new UsageError(`invalid value "${raw}" for --delay-scale: want a number >= 0 such as 0, 0.5 or 2`);
  return value;
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** daemon.ServeLocal's four lines; never the token. */
function startupLines(config: DaemonConfig, baseUrl: string): string {
  const lines = [`${config.startupName} listening`, `base_url: ${baseUrl}`];
  if (config.metadataPath !== '') {
    lines.push(`metadata: ${config.metadataPath}`, `token: written to metadata file (${config.tokenSource})`);
  } else {
    lines.push(`token: configured (${config.tokenSource}); metadata file disabled`);
  }
  return lines.join('\n') + '\n';
}

type ApplyWorkbench = <S extends ReferenceServer>(server: S, options: WorkbenchOptions) => S;

function createServer(config: DaemonConfig, host: MockHost, applyWorkbench: ApplyWorkbench | undefined): ReferenceServer {
  const options: ReferenceServerOptions = {
    token: config.token,
    host,
    permissionTimeoutMs: config.permissionTimeoutMs,
    permissionStorePath: config.permissionStorePath,
    limits: config.limits,
    version: packageVersion(),
    // Operator messages (a grant the store could not keep), control bytes escaped.
    log: (line) => process.stderr.write(`${PROGRAM}: ${line.replace(/[\x00-\x1f\x7f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)}\n`),
    name: config.name,
    // The diagnostics runtime block the captured fake host reports (captures 019, 162).
    runtime: {
      listen_addr: config.listenFlag,
      metadata_path: config.metadataPath,
      token_source: config.tokenSource,
      provider: 'fake',
      model: 'fake-model',
      store_type: 'memory',
    },
  };
  const server = config.faults.length > 0 ? createFaultyServer({ ...options, faults: config.faults }) : createReferenceServer(options);
  if (!applyWorkbench) return server;
  return applyWorkbench(server, {
    token: config.token,
    sessions: config.sessions,
    strict: config.strict,
    logRequests: config.logRequests,
    logFormat: config.logFormat,
    inspectRequests: config.inspectRequests,
    cors: config.cors,
    // JSON lines stay parseable: no program prefix (the sink has redacted and escaped them).
    log: (line) => (config.logFormat === 'json' ? void process.stderr.write(line + '\n') : say(line)),
  });
}

/** Resolves with the first of SIGINT/SIGTERM. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseCommandLine(argv, process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${PROGRAM}: ${err.message}\nRun '${PROGRAM} --help' for usage.\n`);
    return 2;
  }
  if (parsed.kind === 'print') {
    process.stdout.write(parsed.text);
    return 0;
  }
  const { config } = parsed;

  // Listen for signals before anything slow, so an early SIGTERM still shuts down cleanly.
  const signal = nextSignal();
  let server: ReferenceServer;
  let watched: WatchedHost | undefined;
  try {
    const hostOptions = {
      scenariosDir: config.scenariosDir,
      catalogsDir: config.catalogsDir,
      minimal: config.minimal,
      sessions: config.sessions,
      delayScale: config.delayScale,
    };
    if (config.record) {
      const { createRecordingProxy } = await import('../../reference-server/workbench/record/recording-proxy.js');
      server = recordingServer(createRecordingProxy({ ...config.record, log: say }));
      say(`recording runs of ${config.record.upstream} to ${config.record.outDir} (replay: --scenarios ${config.record.outDir})`);
    } else {
      if (config.watch) {
        const { watchMockHost } = await import('../../reference-server/workbench/watched-host.js');
        watched = watchMockHost(hostOptions, (event: ReloadReport) => say(event.message));
      }
      // The workbench layers (strict mode validates with ajv) only when one is asked for.
      const workbench = config.strict || config.logRequests || config.inspectRequests || config.cors.length > 0;
      const applyWorkbench = workbench ? (await import('../../reference-server/workbench/index.js')).applyWorkbench : undefined;
      server = createServer(config, watched?.host ?? (await loadMockHostLazily(hostOptions)), applyWorkbench);
    }
  } catch (err) {
    // A scenario or catalog that does not load is a usage error, like a bad flag.
    if (!(err instanceof MockHostLoadError)) throw err;
    process.stderr.write(`${PROGRAM}: ${escapeControl(err.message)}\n`);
    return 2;
  }
  let node: NodeServer;
  try {
    node = await serveNode(server, { host: config.listen.host || '::', port: config.listen.port, closeGraceMs: config.shutdownTimeoutMs });
  } catch (err) {
    await server.close();
    // glue serve's line: the error as Go words it, nothing else (exit 1).
    process.stderr.write(`${listenErrorText(config.listen.host, config.listen.port, err)}\n`);
    return 1;
  }
  if (config.metadataPath !== '') {
    try {
      // A signal while the file is written still ends the process (a stuck write used to ignore SIGTERM).
      const written = writeMetadataFile(config.metadataPath, { version: 1, base_url: node.url, token: config.token, pid: process.pid });
      if ((await Promise.race([written.then(() => 'written' as const), signal])) !== 'written') {
        removeIfOwned(config.metadataPath, node.url);
        await node.close();
        await server.close();
        return 1;
      }
    } catch (err) {
      await node.close();
      await server.close();
      process.stderr.write(`${pathErrorText(err)}\n`);
      return 1;
    }
  }
  process.stdout.write(startupLines(config, node.url));
  // An idle daemon gives V8's grown young generation back (idle-memory.ts).
  const stopIdleCollector = startIdleCollector();

  await signal;
  stopIdleCollector();
  // Go's sequence (ServeLocal → http.Server.Shutdown): stop listening, close idle connections, let
  // requests in flight finish (streams keep streaming) for the shutdown timeout. Then, unlike Go
  // (which cuts what is left mid-stream, capture 187), end it cleanly: deny pending permissions,
  // cancel runs, let each stream deliver its terminal event. As glue serve, exit 1 with `context
  // deadline exceeded` when the timeout ran out, 0 otherwise. Unlike Go (capture 159), the metadata
  // file is removed while it still names this process, so no client finds a stale one.
  const budget = setTimeout(() => {
    process.stderr.write(`${PROGRAM}: shutdown took longer than ${config.shutdownTimeoutMs + SHUTDOWN_SLACK_MS} ms; exiting\n`);
    process.exit(1);
  }, config.shutdownTimeoutMs + SHUTDOWN_SLACK_MS);
  budget.unref();
  // A second signal while shutting down means "now".
  void nextSignal().then(() => process.exit(1));
  watched?.close();
  const { drained } = await node.shutdown({ graceMs: config.shutdownTimeoutMs, onGraceExpired: () => server.shutdown() });
  await server.close();
  if (config.metadataPath !== '') removeIfOwned(config.metadataPath, node.url);
  if (!drained) {
    process.stderr.write('context deadline exceeded\n');
    return 1;
  }
  return 0;
}

/** The recording proxy in the daemon's place: shutdown lets recordings in progress finish (bounded by the budget). */
function recordingServer(proxy: RecordingProxy): ReferenceServer {
  return {
    handle: (request) => proxy.handle(request),
    shutdown: () => Promise.race([proxy.settled(), new Promise<void>((resolve) => setTimeout(resolve, RECORD_SETTLE_MS).unref())]),
    close: () => proxy.close(),
    stats: () => ({ activeRuns: 0, openStreams: 0, retainedRuns: 0 }),
    version: packageVersion(),
  };
}

/** One console line of the workbench, prefixed once, control bytes escaped. */
function say(line: string): void {
  process.stderr.write(`${PROGRAM}: ${escapeControl(line)}\n`);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${PROGRAM}: ${errorText(err)}\n`);
    process.exit(1);
  },
);
