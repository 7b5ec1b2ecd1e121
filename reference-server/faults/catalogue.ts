/**
 * The fault catalogue: every deliberate protocol violation the reference daemon can be switched
 * into, the one rule it breaks, and the conformance checks that must fail because of it.
 * `docs/faults.md` is generated from this table (`npm run mutants -- --write-docs`).
 */

export const FAULT_AREAS = ['auth', 'status', 'catalogs', 'validation', 'runs', 'sse', 'cancel', 'permissions', 'sessions'] as const;
export type FaultArea = (typeof FAULT_AREAS)[number];

export interface FaultDefinition {
  /** The switch: `--fault NAME` on glue-mock-daemon, or `faults: [NAME]` in-process. */
  name: string;
  area: FaultArea;
  /** The rule the faulty daemon breaks, in one sentence. */
  rule: string;
  /** Where the fault lives: a rewrite around `handle()`, or a hook inside the daemon core. */
  via: 'middleware' | 'internal';
  /** Conformance check ids that must fail against a daemon with this fault (at least these). */
  mustFail: readonly string[];
  /**
   * The host the fault shows on: `minimal` for rules about capabilities a host lacks. Default full
   * (which keeps sessions, as the `--embedded` daemon does, so the SESS checks run).
   */
  host?: 'full' | 'minimal';
}

export const FAULTS: readonly FaultDefinition[] = [
  // auth
  { name: 'auth-route-open', area: 'auth', via: 'middleware', rule: 'GET /v1/diagnostics needs the bearer token like every route but health', mustFail: ['AUTH-001', 'AUTH-002'] },
  { name: 'auth-wrong-scheme', area: 'auth', via: 'middleware', rule: 'only the scheme `Bearer` (case-sensitive) is accepted', mustFail: ['AUTH-003'] },
  { name: 'auth-token-case-insensitive', area: 'auth', via: 'middleware', rule: 'the token is compared byte for byte, not case-insensitively', mustFail: ['AUTH-003'] },
  { name: 'auth-token-prefix', area: 'auth', via: 'middleware', rule: 'text after the token makes the credential invalid', mustFail: ['AUTH-003'] },
  { name: 'auth-token-truncated', area: 'auth', via: 'middleware', rule: 'a prefix of the token is not the token', mustFail: ['AUTH-003'] },
  { name: 'health-requires-auth', area: 'auth', via: 'middleware', rule: 'GET /v1/health answers without a token', mustFail: ['HEALTH-001', 'HEALTH-002'] },
  { name: 'auth-after-routing', area: 'auth', via: 'middleware', rule: 'auth is checked before routing: an unknown path without a token is 401, not 404', mustFail: ['AUTH-004'] },
  // status and capabilities
  { name: 'capability-missing', area: 'status', via: 'middleware', rule: 'status advertises every base capability (here `events` is dropped)', mustFail: ['STATUS-002'] },
  { name: 'capability-route-404', area: 'status', via: 'middleware', rule: 'an advertised capability has a working route (here `memories` answers 404)', mustFail: ['CAP-003', 'CAT-004', 'CAT-008'] },
  { name: 'status-tools-count-wrong', area: 'status', via: 'middleware', rule: '`tools_count` equals the number of tools GET /v1/tools lists', mustFail: ['STATUS-006'] },
  { name: 'capability-unknown-name', area: 'status', via: 'middleware', rule: 'status advertises only capability names the protocol defines (here `telepathy`)', mustFail: ['CAP-004'] },
  { name: 'diagnostics-leaks-token', area: 'status', via: 'middleware', rule: 'neither status nor diagnostics ever contains the bearer token', mustFail: ['STATUS-005'] },
  { name: 'status-active-runs-never-decrement', area: 'status', via: 'middleware', rule: '`active_runs` counts runs still going only (here every run ever started: it never drops when a run ends)', mustFail: ['RUN-006'] },
  { name: 'status-active-runs-zero', area: 'status', via: 'middleware', rule: '`active_runs` counts runs still going, including one waiting on a permission', mustFail: ['RUN-006'] },
  { name: 'diagnostics-missing-runtime', area: 'status', via: 'middleware', rule: 'GET /v1/diagnostics carries the runtime block the spec requires', mustFail: ['STATUS-004'] },
  { name: 'session-lookup-exposed', area: 'status', via: 'middleware', host: 'minimal', rule: 'without the `sessions` capability the session lookup routes answer 404', mustFail: ['ROUTE-006'] },
  { name: 'capability-missing-grants', area: 'status', via: 'middleware', rule: 'status advertises `permission_grants`, which the daemon itself provides on every host', mustFail: ['STATUS-003'] },
  { name: 'catalog-empty-404', area: 'status', via: 'middleware', host: 'minimal', rule: 'a catalog the host does not implement answers 200 with an empty list, not 404', mustFail: ['CAP-001'] },
  { name: 'action-unsupported-200', area: 'status', via: 'middleware', host: 'minimal', rule: 'an action the host does not implement (recall) answers 404, not an empty result', mustFail: ['CAP-002'] },
  { name: 'status-wrong-version', area: 'status', via: 'middleware', rule: 'GET /v1/status reports protocol version 1', mustFail: ['STATUS-001'] },
  // catalogs
  { name: 'catalog-null', area: 'catalogs', via: 'middleware', rule: 'an empty or full catalog is an array, never null (here skills)', mustFail: ['CAP-003', 'CAT-002'] },
  { name: 'catalog-missing-field', area: 'catalogs', via: 'middleware', rule: 'catalog entries carry their required fields (here tools without `name`)', mustFail: ['CAP-003', 'CAT-001'] },
  { name: 'catalog-wrong-type', area: 'catalogs', via: 'middleware', rule: 'catalog fields have the spec type (here a role `name` as an array)', mustFail: ['CAP-003', 'CAT-003'] },
  { name: 'grants-null', area: 'catalogs', via: 'middleware', rule: 'an empty grant list is [], never null', mustFail: ['CAT-007'] },
  { name: 'recall-hits-null', area: 'catalogs', via: 'middleware', rule: 'a recall without matches answers hits [], never null', mustFail: ['CAT-009'] },
  { name: 'mcp-resource-missing-uri', area: 'catalogs', via: 'middleware', rule: 'MCP resource entries carry their required `uri`', mustFail: ['CAT-005'] },
  { name: 'mcp-prompt-missing-server', area: 'catalogs', via: 'middleware', rule: 'MCP prompt entries carry their required `server`', mustFail: ['CAT-006'] },
  { name: 'mcp-read-contents-null', area: 'catalogs', via: 'middleware', rule: 'an MCP resource read answers a `contents` array, never null', mustFail: ['CAT-010'] },
  { name: 'mcp-prompt-messages-null', area: 'catalogs', via: 'middleware', rule: 'an MCP prompt render answers a `messages` array, never null', mustFail: ['CAT-011'] },
  { name: 'memories-limit-unchecked-minimal', area: 'catalogs', via: 'middleware', host: 'minimal', rule: 'a bad memories `limit` is a 400 before the host is asked, also on a host without memories (here a minimal host answers [])', mustFail: ['VAL-006'] },
  { name: 'memories-limit-ignored', area: 'catalogs', via: 'middleware', rule: 'GET /v1/memories?limit=N returns at most N entries', mustFail: ['CAT-008'] },
  // validation and error envelopes
  { name: 'validation-400-as-500', area: 'validation', via: 'middleware', rule: 'invalid requests get 400, not 500', mustFail: ['VAL-001', 'VAL-002', 'VAL-003', 'VAL-006', 'VAL-007', 'VAL-008', 'VAL-009', 'PERM-009'] },
  { name: 'validation-wrong-code', area: 'validation', via: 'middleware', rule: 'a 400 carries error code `invalid_request`', mustFail: ['VAL-001', 'VAL-002', 'VAL-003', 'VAL-006', 'VAL-007', 'VAL-008', 'VAL-009', 'PERM-009'] },
  { name: 'error-plain-text', area: 'validation', via: 'middleware', rule: 'every error body is the JSON envelope {"error":{code,message,retryable}}', mustFail: ['AUTH-001', 'AUTH-002', 'VAL-001', 'VAL-005', 'ROUTE-001', 'ROUTE-003', 'CANCEL-003', 'GRANT-004'] },
  { name: 'method-405-as-404', area: 'validation', via: 'middleware', rule: 'a known path with the wrong method gets 405 `method_not_allowed`', mustFail: ['VAL-005'] },
  { name: 'run-start-strict-fields', area: 'validation', via: 'middleware', rule: 'unknown fields in a run start body are ignored, not refused', mustFail: ['VAL-004'] },
  { name: 'decision-unknown-run-403', area: 'validation', via: 'middleware', rule: 'a decision for an unknown run answers 404 not_found (here 403)', mustFail: ['ROUTE-004'] },
  { name: 'session-id-slash-accepted', area: 'validation', via: 'middleware', rule: 'a session id never contains `/`: /v1/sessions/a%2Fb/runs answers 404', mustFail: ['ROUTE-005'] },
  { name: 'route-trailing-slash', area: 'validation', via: 'middleware', rule: 'paths match exactly: a trailing slash gets 404', mustFail: ['ROUTE-002'] },
  // runs
  { name: 'run-start-no-client-id', area: 'runs', via: 'middleware', rule: '`run_start` carries the client_id the run was started with', mustFail: ['RUN-007'] },
  { name: 'run-start-no-skill', area: 'runs', via: 'middleware', rule: '`run_start` of a skill run names the skill', mustFail: ['RUN-008'] },
  { name: 'run-start-200', area: 'runs', via: 'middleware', rule: 'starting a run answers 201 Created (here 200)', mustFail: ['RUN-001'] },
  { name: 'run-session-id-raw', area: 'runs', via: 'middleware', rule: 'the run start answer carries the percent-decoded session id (here the raw path segment)', mustFail: ['RUN-002'] },
  { name: 'run-id-reused', area: 'runs', via: 'middleware', rule: 'every started run gets its own run id (here later runs of a session answer with its first run id)', mustFail: ['RUN-003'] },
  { name: 'sessions-not-serialised', area: 'runs', via: 'internal', rule: "runs of one session are serialised (here a run's loop starts while the previous run's loop still goes)", mustFail: ['RUN-004'] },
  { name: 'events-unknown-run-stream', area: 'runs', via: 'middleware', rule: 'the events of an unknown run are a 404 JSON envelope, not an (empty) event stream', mustFail: ['ROUTE-003'] },
  // SSE
  { name: 'sse-no-cache-control', area: 'sse', via: 'middleware', rule: 'the event stream is sent with `Cache-Control: no-cache`', mustFail: ['SSE-013'] },
  { name: 'sse-multiline-data', area: 'sse', via: 'middleware', rule: 'each event is one `id:`, one `event:` and one `data:` line of compact JSON (here pretty-printed over many `data:` lines)', mustFail: ['SSE-002'] },
  { name: 'sse-payload-wrong-type', area: 'sse', via: 'middleware', rule: 'payloads validate against the spec (here `text_delta.delta` is a number)', mustFail: ['SSE-004'] },
  { name: 'sse-time-backwards', area: 'sse', via: 'middleware', rule: 'envelope times never go backwards within a run', mustFail: ['SSE-010'] },
  { name: 'sse-replay-new-ids', area: 'sse', via: 'middleware', rule: 'every reader of a run gets the same events, ids included (here later readers get new ids)', mustFail: ['SSE-011', 'SSE-012'] },
  { name: 'sse-live-reader-held', area: 'sse', via: 'middleware', rule: 'a reader joining a live run gets the backlog and then the live events (here nothing until the first reader\'s stream ended)', mustFail: ['SSE-012'] },
  { name: 'sse-json-content-type', area: 'sse', via: 'middleware', rule: 'the events route answers `Content-Type: text/event-stream`', mustFail: ['SSE-001'] },
  { name: 'sse-seq-gap', area: 'sse', via: 'middleware', rule: 'seq grows by exactly 1 (here 3 is skipped)', mustFail: ['SSE-005'] },
  { name: 'sse-seq-restart', area: 'sse', via: 'middleware', rule: 'seq never goes back (here it restarts at 1 mid-stream)', mustFail: ['SSE-005'] },
  { name: 'sse-out-of-order', area: 'sse', via: 'middleware', rule: 'events are delivered in seq order (here the 3rd after the 4th)', mustFail: ['SSE-005', 'SSE-014'] },
  { name: 'sse-duplicate-event', area: 'sse', via: 'middleware', rule: 'each event is delivered once (here the 2nd twice)', mustFail: ['SSE-005', 'SSE-014'] },
  { name: 'sse-no-run-start', area: 'sse', via: 'middleware', rule: 'the first event is `run_start`', mustFail: ['SSE-006', 'SSE-014'] },
  { name: 'sse-no-terminal', area: 'sse', via: 'middleware', rule: 'a stream ends with `run_done` or `run_error`', mustFail: ['SSE-007', 'SSE-014', 'RUN-005', 'CANCEL-002'] },
  { name: 'sse-stream-left-open', area: 'sse', via: 'middleware', rule: 'the response ends right after the terminal event', mustFail: ['SSE-007'] },
  { name: 'sse-close-late', area: 'sse', via: 'middleware', rule: 'the response ends right after the terminal event (here 2 s later)', mustFail: ['SSE-007'] },
  { name: 'sse-two-terminal', area: 'sse', via: 'middleware', rule: 'exactly one terminal event', mustFail: ['SSE-007', 'SSE-014'] },
  { name: 'sse-event-name-mismatch', area: 'sse', via: 'middleware', rule: 'the `event:` line equals the envelope `type` (here `delta` for text_delta)', mustFail: ['SSE-003'] },
  { name: 'sse-id-mismatch', area: 'sse', via: 'middleware', rule: 'the `id:` line equals the envelope `id` (here it carries the seq)', mustFail: ['SSE-003'] },
  { name: 'sse-wrong-run-id', area: 'sse', via: 'middleware', rule: 'every envelope carries the run id of its stream', mustFail: ['SSE-008'] },
  { name: 'sse-non-utc-time', area: 'sse', via: 'middleware', rule: 'envelope `time` is RFC 3339 in UTC (`Z`), here `+02:00`', mustFail: ['SSE-009'] },
  // cancel
  { name: 'cancel-ignored', area: 'cancel', via: 'internal', rule: 'DELETE /v1/runs/{id} stops the run (here 202 but it keeps going)', mustFail: ['CANCEL-002', 'CANCEL-005'] },
  { name: 'cancel-wrong-code', area: 'cancel', via: 'middleware', rule: 'a canceled run ends with `run_error` code `canceled` (here `internal`)', mustFail: ['CANCEL-002', 'CANCEL-005', 'CANCEL-006'] },
  { name: 'cancel-unknown-run-202', area: 'cancel', via: 'middleware', rule: 'canceling an unknown run answers 404 not_found (here 202)', mustFail: ['CANCEL-003'] },
  { name: 'cancel-status-200', area: 'cancel', via: 'middleware', rule: 'DELETE /v1/runs/{id} answers 202 Accepted (here 200)', mustFail: ['CANCEL-001', 'CANCEL-004'] },
  // permissions
  { name: 'permission-never-times-out', area: 'permissions', via: 'internal', rule: 'an unanswered permission request is denied after the timeout', mustFail: ['PERM-010'] },
  { name: 'permission-timeout-early', area: 'permissions', via: 'internal', rule: 'an unanswered request is denied at its expires_at (here at 70 % of the timeout)', mustFail: ['PERM-010'] },
  { name: 'permission-timeout-allows', area: 'permissions', via: 'internal', rule: 'a timed-out permission request is denied, not allowed', mustFail: ['PERM-010'] },
  { name: 'decision-any-client', area: 'permissions', via: 'middleware', rule: 'a decision from another X-Glue-Client-ID gets 403', mustFail: ['PERM-006'] },
  { name: 'decision-repeat-accepted', area: 'permissions', via: 'middleware', rule: 'a decision on a request that is not pending (answered, expired, unknown) gets 404', mustFail: ['PERM-007', 'PERM-008', 'PERM-010'] },
  { name: 'decision-after-timeout-accepted', area: 'permissions', via: 'internal', rule: 'a decision after the timeout gets 404', mustFail: ['PERM-010'] },
  { name: 'grant-ignored', area: 'permissions', via: 'internal', rule: 'a remembered grant skips the next matching permission_request', mustFail: ['GRANT-001', 'GRANT-002', 'GRANT-003', 'GRANT-006', 'GRANT-007', 'GRANT-008'] },
  { name: 'grant-shared-across-clients', area: 'permissions', via: 'internal', rule: 'a grant applies to the client that made it only', mustFail: ['GRANT-002'] },
  { name: 'deny-aborts-run', area: 'permissions', via: 'internal', rule: 'a denial is a model-visible tool error and the run completes', mustFail: ['PERM-004', 'PERM-005'] },
  { name: 'decision-allow-ignored', area: 'permissions', via: 'middleware', rule: 'an allow decision lets the tool run (here every decision is a denial)', mustFail: ['PERM-003'] },
  { name: 'remember-never-stored', area: 'permissions', via: 'middleware', rule: '`remember_for: never` stores no grant (here it is stored as a session grant)', mustFail: ['GRANT-005'] },
  { name: 'session-grant-as-forever', area: 'permissions', via: 'middleware', rule: 'a `session` grant covers its own session only (here it is stored as `forever`)', mustFail: ['GRANT-006'] },
  { name: 'grant-delete-ignored', area: 'permissions', via: 'middleware', rule: 'a deleted grant stops applying (here DELETE answers 200 but the grant stays)', mustFail: ['GRANT-003'] },
  { name: 'grant-delete-unknown-204', area: 'permissions', via: 'middleware', rule: 'deleting an unknown grant answers 404 not_found (here 204)', mustFail: ['GRANT-004'] },
  { name: 'permission-id-reused', area: 'permissions', via: 'middleware', rule: 'each permission request of a run has its own permission_id (here all show the first one)', mustFail: ['PERM-011'] },
  { name: 'expires-at-late', area: 'permissions', via: 'middleware', rule: 'expires_at is the request time plus the permission timeout (here 30 % later)', mustFail: ['PERM-002', 'PERM-010'] },
  { name: 'expires-at-missing', area: 'permissions', via: 'middleware', rule: 'permission_request payloads carry `expires_at`', mustFail: ['PERM-001', 'PERM-002', 'PERM-010'] },
  // session lookup (optional capability `sessions`)
  { name: 'sessions-null', area: 'sessions', via: 'middleware', rule: 'a session search without matches answers sessions [], never null', mustFail: ['SESS-001'] },
  { name: 'session-get-not-found', area: 'sessions', via: 'middleware', rule: 'a stored session is found by GET /v1/sessions/{id} (here always 404)', mustFail: ['SESS-002', 'SESS-003', 'ROUTE-006'] },
  { name: 'session-messages-dropped', area: 'sessions', via: 'middleware', rule: 'the transcript holds every message of the session (here only the user messages)', mustFail: ['SESS-003'] },
  { name: 'session-unknown-200', area: 'sessions', via: 'middleware', rule: 'an unknown session answers 404 not_found (here an empty session)', mustFail: ['SESS-004'] },
  { name: 'sessions-limit-ignored', area: 'sessions', via: 'middleware', rule: 'GET /v1/sessions?limit=N returns at most N sessions', mustFail: ['SESS-005'] },
  { name: 'sessions-limit-negative-accepted', area: 'sessions', via: 'middleware', rule: 'a negative or non-numeric session limit answers 400 (here it is ignored)', mustFail: ['SESS-006'] },
];
