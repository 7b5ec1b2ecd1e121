/**
 * The order test files start in: the longest first, so no worker picks up a 30 s file near the
 * end while the others sit idle. Vitest does that from the previous run's durations, which a
 * fresh clone (CI) does not have; it then starts the largest files first, and the slow ones are
 * mostly small (test/faults/faults.test.ts: 4 KB, ~30 s). So a file without a previous duration
 * gets its figure below: seconds in a full run on the 2-core box (2026-12-01, 3 workers); any
 * other file counts as quick. A stale figure changes only the order, never what runs.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const TYPICAL_SECONDS: ReadonlyMap<string, number> = new Map([
  ['test/faults/faults.test.ts', 35],
  ['test/package/pack-install.test.ts', 28],
  ['test/docs/api-docs.test.ts', 22],
  ['test/conformance/cli.test.ts', 18],
  ['test/hostile/output-safety.test.ts', 16],
  ['test/fuzz/mock-daemon.fuzz.test.ts', 14],
  ['test/reporters/html-browser.test.ts', 14],
  ['test/conformance/sensitivity.test.ts', 13],
  ['test/client/client-faults.test.ts', 13],
  ['test/client/glue-connect.test.ts', 13],
  ['test/hostile/conformance-vs-hostile.test.ts', 12],
  ['test/reference-server/cli.test.ts', 10],
  ['test/conformance/suite.test.ts', 10],
  ['test/action/action.test.ts', 10],
  ['test/conformance/go-daemon.test.ts', 10],
  ['test/live/go-parity.test.ts', 7],
  ['test/client/cli.test.ts', 7],
  ['test/client/harness.test.ts', 6],
  ['test/reference-server/node-hardening.test.ts', 6],
  ['test/conformance/short-tokens.test.ts', 5],
  ['test/workbench/request-log.test.ts', 4],
  ['test/workbench/scenario-authoring.test.ts', 4],
  ['test/workbench/browser-msw.test.ts', 4],
  ['test/reference-server/shutdown.test.ts', 4],
  ['test/conformance/repeat.test.ts', 3],
  ['test/workbench/record-replay.test.ts', 3],
  ['test/live/glue-connect.test.ts', 3],
]);

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const known = (spec: TestSpecification) => cache.getFileTestResults(`${spec.project.name}:${relative(config.root, spec.moduleId)}`);
    const weight = (spec: TestSpecification): number => known(spec)?.duration ?? (TYPICAL_SECONDS.get(relative(config.root, spec.moduleId).split('\\').join('/')) ?? 0) * 1000;
    const failed = (spec: TestSpecification): number => (known(spec)?.failed ? 1 : 0);
    // Failed files first, as vitest does; then the longest; a stable sort keeps the rest in vitest's order.
    return (await super.sort(files)).sort((a, b) => failed(b) - failed(a) || weight(b) - weight(a));
  }
}
