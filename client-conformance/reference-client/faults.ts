/**
 * Client faults: switches that break the kit's reference client one rule at a time, to prove
 * every case can fail (the client suite's sensitivity, as reference-server/faults/ is the daemon
 * suite's). Each names the cases that must fail with it on.
 */
export const CLIENT_FAULTS = {
  'ignores-events-url': { rule: 'builds /v1/runs/{id}/events instead of reading events_url', mustFail: ['CLI-RUN-004'] },
  'per-chunk-frames': { rule: 'parses every network chunk on its own (drops frames split across packets)', mustFail: ['CLI-SSE-001'] },
  'utf8-per-chunk': { rule: 'decodes every network chunk as UTF-8 on its own (a character split across packets breaks)', mustFail: ['CLI-SSE-001'] },
  'one-frame-per-chunk': { rule: 'reads only the first frame of each network chunk', mustFail: ['CLI-SSE-002'] },
  'chokes-on-comments': { rule: 'fails on SSE comment lines', mustFail: ['CLI-SSE-003'] },
  'lf-only': { rule: 'only LF ends a line (CRLF leaves a CR, CR is not a line end)', mustFail: ['CLI-SSE-004', 'CLI-SSE-005'] },
  'no-bare-cr': { rule: 'CRLF and LF end lines, a bare CR does not', mustFail: ['CLI-SSE-005'] },
  'needs-space': { rule: 'recognises `data: ` only with the space', mustFail: ['CLI-SSE-006'] },
  'dispatch-on-data': { rule: 'dispatches at the data line instead of the blank line', mustFail: ['CLI-SSE-007'] },
  'unknown-field-throws': { rule: 'fails on SSE fields it does not know', mustFail: ['CLI-SSE-007'] },
  'unknown-event-throws': { rule: 'fails on event types it does not know', mustFail: ['CLI-SSE-008'] },
  'strict-envelope': { rule: 'rejects envelopes and payloads with fields it does not know', mustFail: ['CLI-SSE-009'] },
  'one-mib-lines': { rule: 'caps an SSE line at 1 MiB, as a default bufio.Scanner does', mustFail: ['CLI-SSE-010'] },
  'last-data-line-only': { rule: 'keeps only the last data: line of a frame', mustFail: ['CLI-SSE-011'] },
  'cut-stream-is-success': { rule: 'treats a stream that ends without a terminal event as success', mustFail: ['CLI-END-001'] },
  'dispatch-at-eof': { rule: 'dispatches an unfinished frame at the end of the stream', mustFail: ['CLI-END-004'] },
  'error-as-string': { rule: 'reads run_error payload.error as a string', mustFail: ['CLI-END-002', 'CLI-END-003'] },
  'run-error-is-success': { rule: 'ends successfully on run_error', mustFail: ['CLI-END-002', 'CLI-END-003'] },
  'no-client-id-header': { rule: 'answers permissions without X-Glue-Client-ID', mustFail: ['CLI-PERM-001', 'CLI-PERM-002'] },
  'first-permission-only': { rule: 'answers only the first permission request of a run', mustFail: ['CLI-PERM-005'] },
  'always-allow': { rule: "allows every permission whatever the user answered", mustFail: ['CLI-PERM-002'] },
  'silent-decision-errors': { rule: 'ignores a refused decision without telling the user', mustFail: ['CLI-PERM-004'] },
  'decision-error-ends-run': { rule: 'gives up on the run when a decision is not answered 200', mustFail: ['CLI-PERM-003'] },
  'follows-redirects-with-token': { rule: 'follows redirects and sends the token along', mustFail: ['CLI-AUTH-002', 'CLI-AUTH-003'] },
  'follows-redirects': { rule: 'follows redirects (fetch strips the token on another origin)', mustFail: ['CLI-AUTH-003'] },
  'no-idle-bound': { rule: 'waits for the next event forever', mustFail: ['CLI-CANCEL-002', 'CLI-CANCEL-003'] },
  'no-cancel': { rule: 'never sends DELETE /v1/runs/{id} when it gives up', mustFail: ['CLI-CANCEL-001', 'CLI-CANCEL-003'] },
  'no-client-id': { rule: 'starts runs without client_id', mustFail: ['CLI-RUN-003'] },
  'unencoded-session': { rule: 'puts the session id into the path without percent-encoding', mustFail: ['CLI-RUN-002'] },
  'vague-errors': { rule: "reports failed requests without the status or the envelope's message", mustFail: ['CLI-AUTH-004', 'CLI-ERR-001', 'CLI-ERR-002', 'CLI-ERR-003', 'CLI-ERR-004'] },
  'retries-forever': { rule: 'retries a retryable error without bound', mustFail: ['CLI-ERR-002'] },
  'prints-twice': { rule: 'prints the streamed deltas and then run_done.text again', mustFail: ['CLI-AUTH-001', 'CLI-RUN-001', 'CLI-SSE-002'] },
  'token-in-query': { rule: 'also puts the token into the event stream URL (?token=…)', mustFail: ['CLI-AUTH-001'] },
  'no-auth-on-stream': { rule: 'opens the event stream without the Authorization header', mustFail: ['CLI-AUTH-001'] },
  'ignores-metadata': { rule: 'never reads the metadata file', mustFail: ['CLI-META-001'] },
  'sends-skill-too': { rule: 'sends skill next to text in the run start', mustFail: ['CLI-RUN-001'] },
} as const satisfies Record<string, { rule: string; mustFail: readonly string[] }>;

export type ClientFaultName = keyof typeof CLIENT_FAULTS;
export type ClientFaults = ReadonlySet<ClientFaultName>;

export function listClientFaults(): Array<{ name: ClientFaultName; rule: string; mustFail: readonly string[] }> {
  return (Object.keys(CLIENT_FAULTS) as ClientFaultName[]).map((name) => ({ name, ...CLIENT_FAULTS[name] }));
}
