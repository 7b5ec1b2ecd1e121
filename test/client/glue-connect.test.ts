/**
 * The real Glue client (`glue connect` from ../shared/go-daemon/bin/glue) through the client
 * suite as a command. It fails exactly the cases client-conformance/glue-connect-findings.ts lists,
 * each with the line of erain/glue cmd/glue/connect.go that makes the client (not the case) wrong.
 * A new failure, or a listed one that starts passing, fails this test (a listed race may go
 * either way: GLUE_CONNECT_RACES).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GLUE_CONNECT_FAILURES, GLUE_CONNECT_RACES } from '../../client-conformance/glue-connect-findings.js';
import { runClientSuite } from '../../client-conformance/runner.js';
import { packageRoot } from '../../src/protocol/package-root.js';

const glue = resolve(packageRoot(), '..', 'shared', 'go-daemon', 'bin', 'glue');
const present = existsSync(glue);
if (!present) console.log(`glue connect client suite: skipped, ${glue} is absent (../shared/go-daemon not beside the repo)`);

describe.skipIf(!present)('glue connect through the client suite', () => {
  it('fails exactly the cases its source explains', async () => {
    const report = await runClientSuite({
      command: `${glue} connect --base-url {url} --token {token} --prompt {prompt} --id {session} --client-id {client_id} --metadata {metadata}`,
      concurrency: 12,
    });
    const failed = report.results.filter((r) => r.status === 'fail').map((r) => r.id);
    // A race in the client (GLUE_CONNECT_RACES) goes either way from run to run, but its case must
    // have run; every other listed failure fails, and nothing else does.
    const steady = (ids: string[]): string[] => ids.filter((id) => !GLUE_CONNECT_RACES.has(id)).sort();
    expect(steady(failed)).toEqual(steady(Object.keys(GLUE_CONNECT_FAILURES)));
    for (const id of GLUE_CONNECT_RACES) {
      expect(GLUE_CONNECT_FAILURES[id], id).toBeDefined();
      expect(['pass', 'fail'], id).toContain(report.results.find((r) => r.id === id)?.status);
    }
    // Every MUST failure is one the source shows; the rest pass, CLI-META (metadata discovery) included.
    expect(report.results.find((r) => r.id === 'CLI-META-001')?.status).toBe('pass');
  }, 60_000);
});
