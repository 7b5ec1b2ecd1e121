/**
 * `npm run mutants`: runs the conformance suite (scripted profile) against the reference daemon
 * with each catalogued fault switched on, prints which checks caught each fault and the kill
 * rate, and exits 1 when a fault got through. `--write-docs` regenerates docs/faults.md from the
 * catalogue; `--only a,b` runs some faults; `--concurrency N` bounds the daemons run at once.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { allChecks } from '../conformance/checks/index.js';
import { faultTableMarkdown } from '../reference-server/faults/fault-table.js';
import { listFaults } from '../reference-server/faults/index.js';
import { packagePath } from '../src/protocol/package-root.js';
import { runAllFaults, runSuiteAgainst, type FaultOutcome } from '../test/faults/mutation-run.js';
import { runClientMutants } from './client-mutants.js';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** The listed checks that failed first, then how many others failed (long lists would swamp the table). */
function caughtBy(outcome: FaultOutcome): string {
  if (outcome.suiteError) return outcome.suiteError;
  const listed = outcome.failed.filter((id) => outcome.fault.mustFail.includes(id));
  const shown = listed.length > 0 ? listed : outcome.failed.slice(0, 3);
  const rest = outcome.failed.length - shown.length;
  return [shown.join(','), rest > 0 ? `(+${rest} more)` : ''].filter(Boolean).join(' ') || '—';
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'write-docs': { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      concurrency: { type: 'string', default: '6' },
      strict: { type: 'boolean', default: false },
      suite: { type: 'string', default: 'both' },
    },
  });
  if (!['both', 'daemon', 'client'].includes(values.suite)) throw new Error(`--suite must be both, daemon or client, got ${values.suite}`);
  if (values.suite === 'client') return clientHalf(undefined, values.only);
  if (values['write-docs']) {
    const path = packagePath('docs', 'faults.md');
    writeFileSync(path, faultTableMarkdown(listFaults()));
    console.log(`wrote ${path}`);
    return 0;
  }
  const concurrency = Math.max(1, Number.parseInt(values.concurrency, 10) || 6);
  const only = values.only?.flatMap((value) => value.split(',')).filter(Boolean);
  const started = Date.now();

  const controls = await Promise.all([runSuiteAgainst([]), runSuiteAgainst([], { minimal: true })]);
  const cleanFailures: string[] = [];
  for (const [index, clean] of controls.entries()) {
    const failures = clean.suiteError ? [clean.suiteError] : clean.failed;
    cleanFailures.push(...failures);
    const label = index === 0 ? 'clean daemon' : 'clean daemon, minimal host';
    const skipped = clean.report?.summary.skipped ?? 0;
    console.log(`${label}: ${failures.length === 0 ? 'every check passes' : `FAILS ${failures.join(', ')}`} (${clean.report?.results.length ?? 0} checks, ${skipped} skipped)`);
  }

  let done = 0;
  const total = listFaults().filter((fault) => !only || only.includes(fault.name)).length;
  const outcomes = await runAllFaults({
    concurrency,
    ...(only ? { only } : {}),
    onOutcome: (outcome) => process.stderr.write(`  [${++done}/${total}] ${outcome.fault.name}: ${outcome.killed ? 'killed' : 'SURVIVED'}\n`),
  });
  const wallMs = Date.now() - started;

  const rows = [['fault', 'area', 'killed', 'time', 'caught by', 'listed but passed']];
  for (const outcome of outcomes) {
    const time = `${(outcome.durationMs / 1000).toFixed(1)}s`;
    rows.push([outcome.fault.name, outcome.fault.area, outcome.killed ? 'yes' : 'NO', time, caughtBy(outcome), outcome.missed.join(',') || '']);
  }
  console.log('\n' + table(rows));

  const killed = outcomes.filter((outcome) => outcome.killed).length;
  const rate = outcomes.length === 0 ? 0 : (100 * killed) / outcomes.length;
  const survivors = outcomes.filter((outcome) => !outcome.killed).map((outcome) => outcome.fault.name);
  const mismatched = outcomes.filter((outcome) => outcome.missed.length > 0).map((outcome) => outcome.fault.name);
  console.log(`\nkill rate: ${killed}/${outcomes.length} = ${rate.toFixed(1)}%  (wall time ${(wallMs / 1000).toFixed(1)} s, concurrency ${concurrency})`);
  if (survivors.length > 0) console.log(`uncaught faults: ${survivors.join(', ')}`);
  // The other direction: checks whose sensitivity no fault proves yet.
  const targeted = new Set(listFaults().flatMap((fault) => fault.mustFail));
  const untargeted = allChecks.filter((check) => !targeted.has(check.id)).map((check) => check.id);
  console.log(`checks no fault targets (${untargeted.length}/${allChecks.length}): ${untargeted.join(', ') || 'none'}`);
  if (mismatched.length > 0) console.log(`faults whose listed checks did not all fail: ${mismatched.join(', ')}`);
  let code = 0;
  if (cleanFailures.length > 0) code = 1;
  else if (values.strict && mismatched.length > 0) code = 1;
  else if (!(survivors.length === 0 && outcomes.length > 0)) code = 1;
  if (values.suite === 'daemon') return code;
  const clientCode = await clientHalf(`daemon kill rate: ${killed}/${outcomes.length} = ${rate.toFixed(1)}%`, undefined);
  return Math.max(code, clientCode);
}

/** The client suite's mutants; prints its kill rate beside the daemon one. */
async function clientHalf(daemonLine: string | undefined, only: readonly string[] | undefined): Promise<number> {
  const client = await runClientMutants({ ...(only ? { only: only.flatMap((v) => v.split(',')) } : {}) });
  const rate = client.total === 0 ? 0 : (100 * client.killed) / client.total;
  console.log('');
  if (daemonLine) console.log(daemonLine);
  console.log(`client kill rate: ${client.killed}/${client.total} = ${rate.toFixed(1)}%  (wall time ${(client.wallMs / 1000).toFixed(1)} s)`);
  if (client.survivors.length > 0) console.log(`uncaught client faults: ${client.survivors.join(', ')}`);
  if (client.mismatched.length > 0) console.log(`client faults whose listed cases did not all fail: ${client.mismatched.join(', ')}`);
  return client.cleanFailures.length === 0 && client.survivors.length === 0 && client.mismatched.length === 0 && client.total > 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`mutants: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
