/**
 * `npm run bench`: the mock daemon as a child process on loopback, measured by a client of our
 * own. Each group gets a fresh daemon, because runs are never evicted (Go semantics) and a
 * 55 MB flood must not weigh on the next group. Prints a table, writes bench/results/<time>.json.
 *
 *   npm run bench -- [--runs N] [--only flood,concurrent,memory,suite] [--quick] [--out FILE]
 *                    [--from build|tsx] [--daemon-root DIR] [--streams N] [--profile]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { buildCli, type CliSource } from './build.js';
import { profileDaemon } from './profile.js';
import { daemonHelp, startDaemon, type DaemonProcess } from './daemon-process.js';
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
    // Another checkout's daemon (A/B runs of a daemon change); the client and the figures stay ours.
    'daemon-root': { type: 'string' },
    // build (default): the compiled CLIs, as `npx glue-mock-daemon` runs them; tsx: the sources.
    from: { type: 'string', default: 'build' },
    // Profile the daemon instead of measuring it (hot spots, .cpuprofile files in bench/results/).
    profile: { type: 'boolean', default: false },
  },
});
const daemonRoot = resolve(values['daemon-root'] ?? root);
const runs = values.quick ? 2 : Number(values.runs);
const only = new Set(values.only.split(','));
const concurrencies = values.quick ? [50, 200] : [50, 200, 500, 1000];
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function withDaemon<T>(permissionTimeout: string, args: string[], body: (daemon: DaemonProcess) => Promise<T>): Promise<T> {
  const daemon = await startDaemon({ root: daemonRoot, permissionTimeout, source, args: [...limitFlags, ...args] });
  try {
    return await body(daemon);
  } finally {
    await daemon.close();
  }
}

/** Limit flags sized for the load, when this daemon has them (its defaults refuse 1,000 streams). */
const limitFlags: string[] = [];
let source: CliSource = { kind: 'tsx' };

const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);

async function main(): Promise<void> {
  if (values.from === 'build') {
    log(`compiling ${daemonRoot} into .tmp/bench-build…`);
    source = buildCli(daemonRoot);
  } else if (values.from !== 'tsx') throw new Error(`--from must be build or tsx, got ${values.from}`);
  const help = await daemonHelp(daemonRoot, source);
  const load = String(Math.max(...concurrencies, Number(values.streams)) + 100);
  if (help.includes('--max-active-runs')) limitFlags.push('--max-active-runs', load);
  if (help.includes('--max-open-streams')) limitFlags.push('--max-open-streams', load);
  if (limitFlags.length < 4) log('note: glue-mock-daemon has no --max-active-runs/--max-open-streams flags; its default limits apply');
  if (values.profile) {
    const outDir = join(root, 'bench', 'results');
    await mkdir(outDir, { recursive: true });
    for (const workload of ['flood', 'concurrent'] as const) {
      log(`profiling the daemon: ${workload === 'flood' ? 'flood 10000 × 4' : '500 concurrent hello runs × 4'}…`);
      const p = await profileDaemon(daemonRoot, source, limitFlags, outDir, workload);
      process.stdout.write(`\n${workload}: ${p.busyMs} ms of daemon CPU (${p.file})\n`);
      process.stdout.write(`self time:\n${p.self.map((h) => `  ${String(h.ms).padStart(6)} ms ${String(h.share).padStart(5)} %  ${h.where}`).join('\n')}\n`);
      process.stdout.write(`inclusive, this package:\n${p.inclusive.map((h) => `  ${String(h.ms).padStart(6)} ms ${String(h.share).padStart(5)} %  ${h.where}`).join('\n')}\n`);
    }
    return;
  }
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
    results.suite = await benchSuite(daemonRoot, suiteRuns, 1000, source, limitFlags);
  }

  const goals = evaluateGoals(results);
  process.stdout.write(`${renderReport(results, goals)}\n`);
  process.stdout.write(`\nmachine: ${os.cpus().length} CPUs, load average ${loadAtStart.join(' ')} at start, ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at end\n`);
  results.daemon = { root: daemonRoot, from: source.kind, flags: limitFlags };
  const file = values.out ?? join(root, 'bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(file), { recursive: true });
  // The figures move with whatever else the machine runs; the load average says how busy it was.
  const machine = { loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100), loadAtStart, node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '', memoryGb: Math.round(os.totalmem() / 2 ** 30) };
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), machine, runs, results, goals }, null, 2)}\n`);
  log(`results written to ${file}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
