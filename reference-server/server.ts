/**
 * `createReferenceServer`: the whole Glue daemon (v1.11.0 behaviour, as captured) as one
 * web-standard handler, `Request → Response`, with SSE bodies as `ReadableStream`s.
 * Routing order is Go's: `/v1/health` (no auth), then auth for everything else (before routing
 * and before the method check), then the route table, then the route's single method.
 *
 * Where Go is weaker, this server does better (see docs/ARCHITECTURE.md, reference-server):
 * - finished runs are evicted (count, bytes, TTL) instead of kept forever;
 * - request bodies are capped (413) and active runs / open streams are bounded (429/503 `conflict`, retryable);
 * - `shutdown()` denies pending permissions with a model-visible reason, cancels every run so each
 *   open stream ends with its terminal event (`run_error` code `canceled`, message
 *   `context canceled`), and resolves when they have; Go leaves streams hanging and cuts them after 5 s.
 */
import type { MockHost } from './host.js';
import type { PermissionGrant } from '../src/protocol/types.js';
import { utf8ByteLength } from './portable-crypto.js';
import type { IdSource } from './ids.js';
import type { DaemonContext } from './daemon-context.js';
import type { RuntimeInfoInput } from './diagnostics.js';
import { createTokenCheck } from './auth.js';
import { directDispatch, type DaemonRequest, type DaemonResponse, type DirectDispatch } from './exchange.js';
import { fromWebRequest, toWebResponse } from './fetch-adapter.js';
import {
  handleDiagnostics,
  handleMcpPromptGet,
  handleMcpPrompts,
  handleMcpRead,
  handleMcpResources,
  handleMemories,
  handleMemoryForget,
  handlePermissionForget,
  handlePermissions,
  handleRecall,
  handleRoles,
  handleSkills,
  handleStatus,
  handleTools,
} from './catalog-handlers.js';
import { RecentErrors, runtimeBlock } from './diagnostics.js';
import { GrantStore, grantLimits } from './grants.js';
import { createGoClock } from './go-time.js';
import { resolveIds } from './ids.js';
import { faultSwitch } from './internal-faults.js';
import { PermissionBroker, shutdownDenyReason } from './permission-broker.js';
import {
  clientIdTooLong,
  errorReply,
  healthy,
  malformedRequestTarget,
  messages,
  methodNotAllowed,
  routeNotFound,
  shuttingDown,
  targetTooLong,
  unauthorized,
} from './responses.js';
import { parseGoQuery } from './go-query.js';
import { handleCancelRun, handleDecision, handleRunEvents, handleStartRun } from './run-handlers.js';
import { RunRegistry } from './run-registry.js';
import { decodedPath, matchRoute } from './routes.js';
import type { RouteMatch } from './routes.js';
import { SessionQueue } from './session-queue.js';
import { handleSessionGet, handleSessionMessages, handleSessions } from './session-handlers.js';
import { hasSessions } from './capabilities.js';

/** Go's default permission timeout. */
export const defaultPermissionTimeoutMs = 10 * 60 * 1000;

export const defaultLimits = {
  maxBodyBytes: 1024 * 1024,
  maxTargetBytes: 8 * 1024,
  // Go has no caps; these only stop a runaway client, far past what a real one opens.
  maxActiveRuns: 4096,
  maxOpenStreams: 4096,
  finishedRunRetention: Infinity,
  finishedRunBytes: 256 * 1024 * 1024,
  finishedRunTtlMs: Infinity,
  maxEventLogBytes: 1024 * 1024 * 1024,
} as const;

/** How long shutdown waits for runs and streams to end before it closes what is left. */
const shutdownGraceMs = 2_000;

export interface ReferenceServerLimits {
  /** Request body cap; larger bodies get 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /**
   * Request target (path and query) cap, and X-Glue-Client-ID cap, in bytes (default 8 KiB, the
   * request-line limit of common web servers): longer targets get 414, longer client ids 431.
   * Session ids are copied into every event of a run, so this bounds what one run holds per event.
   */
  maxTargetBytes?: number;
  /** Runs not yet finished (queued ones included); past it, starts get 429 `conflict` (retryable). */
  maxActiveRuns?: number;
  /** Concurrent SSE responses; past it, event requests get 429 `conflict` (retryable). */
  maxOpenStreams?: number;
  /** Streamed finished runs kept for replay (default: no count cap); the oldest are evicted first (then their id is a 404). */
  finishedRunRetention?: number;
  /** Bytes finished runs hold for replay (encoded events + 2 KiB each; default 256 MiB); oldest evicted first. */
  finishedRunBytes?: number;
  /** How long a finished run stays replayable (default: the daemon's lifetime, as Go). */
  finishedRunTtlMs?: number;
  /**
   * Bytes the encoded events of ALL runs (active and finished) hold (default 1 GiB): past it the
   * oldest finished runs are evicted, and while the active runs alone hold more, the run that is
   * streaming ends `run_error` `internal` naming the limit (one turn alone may stream 2 GiB of text, held once).
   */
  maxEventLogBytes?: number;
  /** Remembered grants kept (default 10,000); past it a remember decision fails its run (see permission-broker.ts). */
  maxGrants?: number;
  /** Approximate bytes of the grants kept (default 16 MiB), the same way. */
  maxGrantBytes?: number;
}

export interface ReferenceServerOptions {
  token: string;
  host: MockHost;
  /** How long a permission request waits for a decision (default 10 min, as Go). */
  permissionTimeoutMs?: number;
  /** Timestamps (events, grants, diagnostics, expires_at) and run eviction. */
  clock?: () => Date;
  ids?: Partial<IdSource>;
  /**
   * JSON file for remembered grants (Go's file permission store): loaded at start, rewritten on
   * change. Read by the package entry (`index.ts`), which turns it into `permissionStore`; this
   * core imports no file system, so it also runs in a browser.
   */
  permissionStorePath?: string;
  /** Where remembered grants live (load at start, save on change); default: memory only. */
  permissionStore?: PermissionStoreIO;
  limits?: ReferenceServerLimits;
  /** Internal fault hooks by name (see INTERNAL_FAULTS); for the kit's own sensitivity tests. */
  faults?: ReadonlySet<string>;
  /** Not on the wire (Go's runtime block has no version); kept for adapters that print it. */
  version?: string;
  /**
   * Where operator messages go (a grant that could not be written to the store); one line each,
   * no trailing newline. Default: dropped (the CLI writes them to stderr).
   */
  log?: (line: string) => void;
  /** `runtime.name` in /v1/diagnostics (default `glue`, what `glue serve` reports). */
  name?: string;
  /** The rest of the diagnostics runtime block (listen_addr, metadata_path, token_source, …). */
  runtime?: RuntimeInfoInput;
}

export interface PermissionStoreIO {
  load(): unknown[];
  save(grants: PermissionGrant[]): Promise<void>;
}

export interface ReferenceServerStats {
  activeRuns: number;
  openStreams: number;
  retainedRuns: number;
}

export interface ReferenceServer {
  handle(request: Request): Promise<Response>;
  /** The same core without web types, for the node adapter (see exchange.ts). */
  readonly [directDispatch]?: DirectDispatch;
  /** Graceful: refuse new work, deny pending permissions, cancel runs, let streams deliver their terminal event. */
  shutdown(): Promise<void>;
  /** `shutdown()`, then drop every run and close anything still open. */
  close(): Promise<void>;
  stats(): ReferenceServerStats;
  readonly version: string | undefined;
}

const byteLength = (text: string): number => utf8ByteLength(text);

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

export function createReferenceServer(options: ReferenceServerOptions): ReferenceServer {
  const token = options.token.trim();
  if (!token) throw new Error('Failed to create reference server: token is required.');
  const now = options.clock ?? createGoClock();
  const ids = resolveIds(options.ids);
  const faults = faultSwitch(options.faults);
  const limits = options.limits ?? {};
  const storePath = options.permissionStorePath?.trim() || undefined;
  const startedAt = now();

  const store = options.permissionStore;
  const grants = new GrantStore({
    persist: store ? (list) => store.save(list) : undefined,
    maxGrants: positive(limits.maxGrants, grantLimits.maxGrants),
    maxBytes: positive(limits.maxGrantBytes, grantLimits.maxBytes),
  });
  if (store) grants.load(store.load());
  const errors = new RecentErrors();
  const runs = new RunRegistry({
    retention: Math.max(0, limits.finishedRunRetention ?? defaultLimits.finishedRunRetention),
    maxBytes: Math.max(0, limits.finishedRunBytes ?? defaultLimits.finishedRunBytes),
    ttlMs: positive(limits.finishedRunTtlMs, defaultLimits.finishedRunTtlMs),
    maxHeldBytes: positive(limits.maxEventLogBytes, defaultLimits.maxEventLogBytes),
    now,
  });
  const broker = new PermissionBroker({
    grants,
    timeoutMs: positive(options.permissionTimeoutMs, defaultPermissionTimeoutMs),
    now,
    permissionId: ids.permission,
    faults,
    // The run then fails with the error, which records it in diagnostics as any run error (as Go).
    onStoreError: (run, error) => options.log?.(`permission grant not remembered (run ${run.id}): ${String((error as Error)?.message ?? error)}`),
  });

  let streamsDrained: Array<() => void> = [];
  const ctx: DaemonContext = {
    host: options.host,
    runs,
    sessions: new SessionQueue(),
    broker,
    grants,
    errors,
    faults,
    ids,
    now,
    limits: {
      maxBodyBytes: positive(limits.maxBodyBytes, defaultLimits.maxBodyBytes),
      maxActiveRuns: positive(limits.maxActiveRuns, defaultLimits.maxActiveRuns),
      maxOpenStreams: positive(limits.maxOpenStreams, defaultLimits.maxOpenStreams),
    },
    runtime: runtimeBlock(
      {
        ...options.runtime,
        name: options.name ?? options.runtime?.name ?? 'glue',
        permission_remember_path: options.runtime?.permission_remember_path ?? storePath,
      },
      startedAt,
    ),
    streams: {
      open: 0,
      ended: () => {
        ctx.streams.open--;
        if (ctx.streams.open === 0) {
          const waiters = streamsDrained;
          streamsDrained = [];
          for (const wake of waiters) wake();
        }
      },
    },
    executions: new Set(),
  };
  const maxTargetBytes = positive(limits.maxTargetBytes, defaultLimits.maxTargetBytes);
  const authorized = createTokenCheck(token);
  const sessions = hasSessions(options.host);
  let closing = false;
  let shutdownPromise: Promise<void> | undefined;

  async function route(request: DaemonRequest, match: RouteMatch, query: URLSearchParams): Promise<DaemonResponse> {
    const [first = '', second = ''] = match.params;
    switch (match.name) {
      case 'health':
        return healthy();
      case 'status':
        return handleStatus(ctx);
      case 'diagnostics':
        return handleDiagnostics(ctx);
      case 'tools':
        return handleTools(ctx);
      case 'skills':
        return handleSkills(ctx);
      case 'roles':
        return handleRoles(ctx);
      case 'recall':
        return handleRecall(ctx, request);
      case 'memories':
        return handleMemories(ctx, query);
      case 'permissions':
        return handlePermissions(ctx);
      case 'permissionForget':
        return handlePermissionForget(ctx, first);
      case 'memoryForget':
        return handleMemoryForget(ctx, first);
      case 'mcpResources':
        return handleMcpResources(ctx);
      case 'mcpResourceRead':
        return handleMcpRead(ctx, request);
      case 'mcpPrompts':
        return handleMcpPrompts(ctx);
      case 'mcpPromptGet':
        return handleMcpPromptGet(ctx, request);
      case 'startRun':
        return handleStartRun(ctx, request, first);
      case 'runEvents':
        return handleRunEvents(ctx, first);
      case 'permissionDecision':
        return handleDecision(ctx, request, first, second);
      case 'cancelRun':
        return handleCancelRun(ctx, first);
      case 'sessions':
        return handleSessions(ctx, query);
      case 'sessionGet':
        return handleSessionGet(ctx, first);
      case 'sessionMessages':
        return handleSessionMessages(ctx, first);
    }
  }

  async function dispatch(request: DaemonRequest): Promise<DaemonResponse> {
    try {
      // Transport limits come first, as Go's header limit does (before auth and routing).
      if (request.targetLongerThan(maxTargetBytes)) return targetTooLong(maxTargetBytes);
      if (byteLength(request.header('x-glue-client-id') ?? '') > maxTargetBytes) return clientIdTooLong(maxTargetBytes);
      // Go routes the path as sent (dot segments kept), percent-decoded once.
      const path = decodedPath(request.rawPath);
      // Go's HTTP server refuses a malformed escape before any handler runs, in plain text.
      if (path === undefined) return malformedRequestTarget();
      if (closing) return shuttingDown();
      if (path === '/v1/health') {
        return request.method === 'GET' ? healthy() : methodNotAllowed();
      }
      if (!authorized(request.header('authorization'))) return unauthorized();
      const match = matchRoute(path, { sessions });
      if (!match) return routeNotFound();
      if (request.method !== match.method) return methodNotAllowed();
      return await route(request, match, parseGoQuery(request.rawQuery));
    } catch (error) {
      return errorReply(500, 'internal', error instanceof Error ? error.message : String(error));
    }
  }

  async function handle(request: Request): Promise<Response> {
    return toWebResponse(await dispatch(fromWebRequest(request)), request.signal);
  }

  function waitForStreams(): Promise<void> {
    if (ctx.streams.open === 0) return Promise.resolve();
    return new Promise((resolve) => streamsDrained.push(resolve));
  }

  function bounded(work: Promise<unknown>, ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    return Promise.race([work.then(() => undefined), limit]).finally(() => clearTimeout(timer));
  }

  function shutdown(): Promise<void> {
    shutdownPromise ??= (async () => {
      closing = true;
      for (const run of runs.all()) {
        if (run.done) continue;
        broker.denyAll(run, shutdownDenyReason);
        run.cancel();
      }
      await bounded(Promise.allSettled([...ctx.executions]), shutdownGraceMs);
      // An agent that ignores cancellation still gets a terminal event, so no reader hangs.
      for (const run of runs.all()) {
        if (run.done) continue;
        run.emit('run_error', { error: { code: 'canceled', message: 'context canceled', retryable: false } });
        run.finish();
      }
      await bounded(waitForStreams(), shutdownGraceMs);
    })();
    return shutdownPromise;
  }

  async function close(): Promise<void> {
    await shutdown();
    // A grant decided just before the end is written before the process may exit.
    await bounded(grants.flushed(), shutdownGraceMs);
    runs.clear();
  }

  return {
    handle,
    [directDispatch]: { handle, dispatch },
    shutdown,
    close,
    stats: () => ({ activeRuns: runs.activeCount(), openStreams: ctx.streams.open, retainedRuns: runs.retainedCount() }),
    version: options.version,
  };
}
