/**
 * `npm run bench`: the mock daemon as a child process on loopback, measured by a client of our
 * own. Each group gets a fresh daemon, because runs are never evicted (Go semantics) and a
 * 55 MB flood must not weigh on the next group. Prints a table, writes bench/results/<time>.json.
 *
 *   npm run bench -- [--runs N] [--only flood,concurrent,memory,suite] [--quick] [--out FILE]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { startDaemon, type DaemonProcess } from './daemon-process.js';
import { evaluateGoals, renderReport, type BenchResults } from './report.js';
import { benchConcurrent } from './scenarios/concurrent.js';
import { benchFlood } from './scenarios/flood.js';
import { benchOpenStreams } from './scenarios/open-streams.js';
import { benchSuite } from './scenarios/suite.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    only: { type: 'string', default: 'flood,concurrent,memory,suite' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    streams: { type: 'string', default: '1000' },
  },
});
const runs = values.quick ? 2 : Number(values.runs);
const only = new Set(values.only.split(','));
const concurrencies = values.quick ? [50, 200] : [50, 200, 500, 1000];
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function withDaemon<T>(permissionTimeout: string, args: string[], body: (daemon: DaemonProcess) => Promise<T>): Promise<T> {
  const daemon = await startDaemon({ root, permissionTimeout, args });
  try {
    return await body(daemon);
  } finally {
    await daemon.close();
  }
}

async function main(): Promise<void> {
  const results: BenchResults = { flood: [], concurrent: [] };
  if (only.has('flood')) {
    for (const deltas of [1000, 10000]) {
      log(`flood ${deltas} × ${runs}…`);
      results.flood.push(await withDaemon('10s', [], (d) => benchFlood(d, deltas, runs)));
    }
  }
  if (only.has('concurrent')) {
    await withDaemon('10s', [], async (d) => {
      log(`time to first event (1 run at a time) × ${runs * 4}…`);
      results.firstEvent = await benchConcurrent(d, 1, runs * 4, 'single');
    });
    for (const c of concurrencies) {
      log(`${c} concurrent hello runs × ${runs}…`);
      results.concurrent.push(await withDaemon('10s', [], (d) => benchConcurrent(d, c, runs, `c${c}`)));
    }
  }
  if (only.has('memory')) {
    const streams = Number(values.streams);
    log(`${streams} open streams…`);
    results.openStreams = await withDaemon('120s', [], (d) => benchOpenStreams(d, streams));
  }
  if (only.has('suite')) {
    const suiteRuns = values.quick ? 1 : Math.min(runs, 3);
    log(`conformance suite × ${suiteRuns}…`);
    results.suite = await benchSuite(root, suiteRuns, 1000);
  }

  const goals = evaluateGoals(results);
  process.stdout.write(`${renderReport(results, goals)}\n`);
  const file = values.out ?? join(root, 'bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(file), { recursive: true });
  const machine = { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '', memoryGb: Math.round(os.totalmem() / 2 ** 30) };
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), machine, runs, results, goals }, null, 2)}\n`);
  log(`results written to ${file}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
