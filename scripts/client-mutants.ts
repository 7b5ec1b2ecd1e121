/**
 * The client half of `npm run mutants`: the whole client suite against the kit's reference
 * client, clean and then with each client fault on (in process), with the kill rate and the
 * faults whose listed cases did not all fail.
 */
import { referenceDriver } from '../client-conformance/reference-client/driver.js';
import { listClientFaults, type ClientFaultName } from '../client-conformance/reference-client/faults.js';
import { runClientSuite } from '../client-conformance/runner.js';
import { runPool } from '../conformance/outcome.js';

export interface ClientMutantsSummary {
  killed: number;
  total: number;
  cleanFailures: string[];
  survivors: string[];
  mismatched: string[];
  wallMs: number;
}

export async function runClientMutants(options: { only?: readonly string[]; concurrency?: number } = {}): Promise<ClientMutantsSummary> {
  const started = Date.now();
  const clean = await runClientSuite({ driver: referenceDriver() });
  const cleanFailures = clean.results.filter((r) => r.status !== 'pass').map((r) => r.id);
  console.log(`\nclean reference client: ${cleanFailures.length === 0 ? 'every case passes' : `FAILS ${cleanFailures.join(', ')}`} (${clean.results.length} cases)`);
  const faults = listClientFaults().filter((f) => !options.only || options.only.includes(f.name));
  const items = faults.map((fault) => ({ fault, slow: false }));
  const outcomes = await runPool(
    items,
    options.concurrency ?? 4,
    async ({ fault }) => {
      const report = await runClientSuite({ driver: referenceDriver({ faults: new Set<ClientFaultName>([fault.name]) }), concurrency: 8 });
      const failed = report.results.filter((r) => r.status === 'fail').map((r) => r.id);
      const missed = fault.mustFail.filter((id) => !failed.includes(id));
      process.stderr.write(`  client fault ${fault.name}: ${failed.length > 0 ? 'killed' : 'SURVIVED'}\n`);
      return { fault, failed, missed };
    },
  );
  const rows = items.map((item) => outcomes.get(item)).filter((r) => r !== undefined);
  const width = Math.max(...rows.map((r) => r.fault.name.length), 5);
  console.log(`\n${'fault'.padEnd(width)}  killed  caught by`);
  for (const row of rows) console.log(`${row.fault.name.padEnd(width)}  ${row.failed.length > 0 ? 'yes   ' : 'NO    '}  ${row.failed.join(',') || '—'}${row.missed.length > 0 ? `  (listed but passed: ${row.missed.join(',')})` : ''}`);
  const killed = rows.filter((r) => r.failed.length > 0).length;
  return {
    killed,
    total: rows.length,
    cleanFailures,
    survivors: rows.filter((r) => r.failed.length === 0).map((r) => r.fault.name),
    mismatched: rows.filter((r) => r.missed.length > 0).map((r) => r.fault.name),
    wallMs: Date.now() - started,
  };
}
