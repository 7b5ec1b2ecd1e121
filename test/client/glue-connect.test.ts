/**
 * The real Glue client (`glue connect` from ../shared/go-daemon/bin/glue) through the client
 * suite as a command. It fails exactly the cases listed here; docs/client-conformance.md shows
 * for each, from erain/glue cmd/glue/connect.go, that the client and not the case is wrong. A new
 * failure (or a listed one that starts passing) fails this test.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClientSuite } from '../../client-conformance/runner.js';
import { packageRoot } from '../../src/protocol/package-root.js';

const glue = resolve(packageRoot(), '..', 'shared', 'go-daemon', 'bin', 'glue');
const present = existsSync(glue);
if (!present) console.log(`glue connect client suite: skipped, ${glue} is absent (../shared/go-daemon not beside the repo)`);

/** Case → the line of connect.go that makes glue connect fail it. */
const GLUE_CONNECT_FAILURES: Record<string, string> = {
  'CLI-AUTH-003': 'client is http.DefaultClient, whose CheckRedirect follows a 307 (Go strips Authorization for another host:port, so CLI-AUTH-002 passes)',
  'CLI-SSE-005': 'bufio.NewScanner(resp.Body) splits lines at LF only; a bare CR never ends a line',
  'CLI-SSE-006': 'if !strings.HasPrefix(line, "data: ") { continue } skips "data:{…}"',
  'CLI-SSE-010': 'scanner.Buffer(make([]byte, 0, 64*1024), 1024*1024) caps a line at 1 MiB: "bufio.Scanner: token too long"',
  'CLI-SSE-011': 'each data: line is JSON-decoded on its own (no data buffer): "unexpected EOF"',
  'CLI-END-004': 'events are handled per data: line, not dispatched at the blank line, so a cut run_done frame counts',
  'CLI-PERM-003': 'postPermissionDecision returns an error for any status but 200, and the stream loop returns it',
  'CLI-CANCEL-001': 'runConnect cancels in a goroutine racing `defer close(done)`; main os.Exit()s before the DELETE is sent',
  'CLI-CANCEL-002': 'no read deadline on the event stream: scanner.Scan() waits forever on a silent daemon',
  'CLI-CANCEL-003': 'never gives up on a silent stream (CLI-CANCEL-002), so never cancels it',
};

describe.skipIf(!present)('glue connect through the client suite', () => {
  it('fails exactly the cases its source explains', async () => {
    const report = await runClientSuite({
      command: `${glue} connect --base-url {url} --token {token} --prompt {prompt} --id {session} --client-id {client_id} --metadata {metadata}`,
      concurrency: 12,
    });
    const failed = report.results.filter((r) => r.status === 'fail').map((r) => r.id);
    expect(failed.sort()).toEqual(Object.keys(GLUE_CONNECT_FAILURES).sort());
    // Every MUST failure is one the source shows; the rest pass, CLI-META (metadata discovery) included.
    expect(report.results.find((r) => r.id === 'CLI-META-001')?.status).toBe('pass');
  }, 60_000);
});
