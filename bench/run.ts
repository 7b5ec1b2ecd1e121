/**
 * `npm run bench`: glue-mock-daemon and, when ../shared/go-daemon exists, the real Go daemon,
 * measured side by side in one run: for every scenario the samples alternate mock, Go, mock, Go…
 * so both see the same machine load, and each pair gives one ratio mock / Go. Prints min / median /
 * max of those ratios per scenario; writes bench/results/<time>.json with every sample. The `hello`
 * bursts, the finished-runs RSS and `flood 10000` (both clients) also run the node:http floor
 * (bench/floor.ts, not a daemon) as a third sample of each pair: floor / Go is printed next to mock / Go.
 *
 *   npm run bench -- [--pairs N] [--only flood,hello,parse,memory,suite] [--quick] [--out FILE]
 *                    [--from build|tsx] [--daemon-root DIR] [--node MAJOR|PATH] [--no-go] [--no-floor] [--profile]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { buildCli, type CliSource } from './build.js';
import { readerCeiling, type Ceiling } from './ceiling.js';
import { daemonHelp, startDaemon, type DaemonProcess } from './daemon-process.js';
import { prepareFloor, startFloor, type FloorFiles } from './floor.js';
import { goDaemonDir, startGoDaemon } from './go-daemon.js';
import { profileDaemon } from './profile.js';
import { nodeBinary } from '../scripts/node-binary.mjs';
import { FLOOR_NOTE, renderMarkdownRatios, renderReport, summarise, type MetricSpec, type ScenarioResult } from './report.js';
import { helloBurst } from './scenarios/concurrent.js';
import { finishedRunsSample } from './scenarios/finished-runs.js';
import { floodSample } from './scenarios/flood.js';
import { openStreamsSample } from './scenarios/open-streams.js';
import { suiteSample } from './scenarios/suite.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `usage: npm run bench -- [flags]

  --pairs N              samples per side per scenario (default 5; 2 with --quick)
  --only GROUPS          comma-separated: flood,hello,parse,memory,suite (default: all)
  --quick                small sizes, a smoke test of the bench itself
  --out FILE             results file (default bench/results/<time>.json, with the ratio table as .md)
  --from build|tsx       the compiled CLIs (default, as npx runs them) or the sources through tsx
  --daemon-root DIR      another checkout's daemon (A/B of a daemon change); client and figures stay ours
  --node MAJOR|PATH      run the mock daemon and the node:http floor on another Node: a major version
                         (24: installed once into .tmp/node-24, as npm run test:node24) or a node binary
  --no-go                measure the mock alone, even when ../shared/go-daemon exists
  --no-floor             skip the node:http floor (the third sample of some pairs)
  --profile              profile the mock daemon instead of measuring it (.cpuprofile files in bench/results/)
  -h, --help             this text
`;

function parseCommandLine(): ReturnType<typeof parse> {
  try {
    return parse();
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const parse = () => parseArgs({
  options: {
    pairs: { type: 'string' },
    only: { type: 'string', default: 'flood,hello,parse,memory,suite' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    // Another checkout's daemon (A/B runs of a daemon change); the client and the figures stay ours.
    'daemon-root': { type: 'string' },
    // build (default): the compiled CLIs, as `npx glue-mock-daemon` runs them; tsx: the sources.
    from: { type: 'string', default: 'build' },
    'no-go': { type: 'boolean', default: false },
    // Skip the node:http floor (the third sample of the hello, finished-runs, flood 10000 and parse pairs).
    'no-floor': { type: 'boolean', default: false },
    // Profile the mock daemon instead of measuring it (hot spots, .cpuprofile files in bench/results/).
    profile: { type: 'boolean', default: false },
    // The Node that runs the mock daemon and the floor (the client and this harness stay on this one).
    node: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const { values } = parseCommandLine();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const quick = values.quick;
const daemonRoot = resolve(values['daemon-root'] ?? root);
const pairs = Number(values.pairs ?? (quick ? 2 : 5));
const only = new Set(values.only.split(','));
const goDir = values['no-go'] ? undefined : goDaemonDir(root);
/** The node that runs the mock and the floor, and its version (`--node`; default this one). */
let daemonNode = process.execPath;
let daemonNodeVersion = process.version;
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);

/**
 * Sizes: the issue's figures (flood 30000 is ~463 MB of SSE), or small ones for a smoke test (`--quick`).
 */
const size = quick
  ? { floods: [1000, 3000], parseFlood: 1000, bursts: [50, 100], parseBurst: 50, streams: 100, finished: 100 }
  : { floods: [10000, 30000], parseFlood: 10000, bursts: [500, 1000], parseBurst: 500, streams: 1000, finished: 1000 };

/** floor: the node:http floor (bench/floor.ts), a bound measured beside the daemons, not a daemon. */
type Side = 'mock' | 'go' | 'floor';
type Sample = Record<string, number>;
interface Scenario {
  id: string;
  group: string;
  title: string;
  metrics: MetricSpec[];
  /** 'scenario': one daemon per side for all pairs (after `warmups` samples); 'sample': a fresh daemon per sample. */
  daemons: 'scenario' | 'sample';
  permissionTimeout: string;
  pairs: number;
  /** Samples per long-lived daemon before the pairs, not counted (kept in the results file). */
  warmups?: number;
  /** Also sample the node:http floor replaying a recorded run of this text, after the daemons in each pair. */
  floor?: string;
  sample(daemon: DaemonProcess): Promise<Sample>;
}

const wall: MetricSpec = { key: 'wallMs', label: 'wall', unit: 'ms', goal: true };
/** One daemon per side for all pairs, after a warm-up sample. */
const longLived = { daemons: 'scenario', permissionTimeout: '10s', pairs } as const;
/**
 * The bursts measure a daemon that has been serving for a while: a fresh mock's CPU per hello run
 * falls from ~1.4 ms (first burst) to ~0.35 ms only by the 6th–7th burst of 500 (V8 still
 * optimising, its compile threads count as process CPU); Go has no warm-up. The cold first burst
 * stays in the results file and in the printed report.
 */
const BURST_WARMUPS = quick ? 1 : 6;
/**
 * A burst is short (0.1–0.6 s) and noisy: one process's CPU per run moves 0.28–0.62 ms between
 * consecutive bursts of 500, so five pairs left a run's median ratio at the mercy of one or two
 * samples (min–max 0.8–2.4×). Eleven pairs cost about 10 s more and halve that.
 */
const burstPairs = values.pairs ? pairs : quick ? 2 : 11;
/** A fresh daemon per sample (memory, suite): each sample starts processes, so fewer pairs. */
const freshDaemons = (permissionTimeout: string) => ({ daemons: 'sample', permissionTimeout, pairs: quick ? 1 : 3 }) as const;
const scenarios: Scenario[] = [
  ...size.floods.map((n, i): Scenario => ({
    id: `flood-${n}-raw`,
    group: 'flood',
    title: `flood ${n}, raw reader`,
    metrics: [wall, { key: 'ttfeMs', label: 'TTFE', unit: 'ms' }, { key: 'mbPerSec', label: 'throughput', unit: 'MB/s' }, { key: 'cpuMs', label: 'daemon CPU', unit: 'ms' }],
    ...longLived,
    // The smaller flood only: the floor holds the whole recording in memory (flood 30000: 463 MB).
    ...(i === 0 ? { floor: `flood ${n}` } : {}),
    sample: async (d) => ({ ...(await floodSample(d, n, 'raw')) }),
  })),
  {
    id: `flood-${size.parseFlood}-parse`,
    group: 'parse',
    title: `flood ${size.parseFlood}, parsing client (fetch + JSON.parse)`,
    metrics: [{ ...wall, goal: false }],
    ...longLived,
    floor: `flood ${size.parseFlood}`,
    sample: async (d) => ({ ...(await floodSample(d, size.parseFlood, 'parse')) }),
  },
  ...size.bursts.map((c): Scenario => ({
    id: `hello-${c}-raw`,
    group: 'hello',
    title: `${c} concurrent hello, raw reader`,
    metrics: [
      wall,
      { key: 'ttfeP50Ms', label: 'TTFE p50', unit: 'ms' },
      { key: 'ttfeP99Ms', label: 'TTFE p99', unit: 'ms', goal: true },
      { key: 'cpuMsPerRun', label: 'daemon CPU per run', unit: 'ms' },
      { key: 'listenOverflows', label: 'listen-queue overflows', unit: '', noRatio: true },
    ],
    ...longLived,
    pairs: burstPairs,
    warmups: BURST_WARMUPS,
    floor: 'hello',
    sample: async (d) => ({ ...(await helloBurst(d, c, 'raw')) }),
  })),
  {
    id: `hello-${size.parseBurst}-parse`,
    group: 'parse',
    title: `${size.parseBurst} concurrent hello, parsing client`,
    metrics: [{ ...wall, goal: false }, { key: 'ttfeP99Ms', label: 'TTFE p99', unit: 'ms' }],
    ...longLived,
    warmups: BURST_WARMUPS,
    floor: 'hello',
    sample: async (d) => ({ ...(await helloBurst(d, size.parseBurst, 'parse')) }),
  },
  {
    id: `open-streams-${size.streams}`,
    group: 'memory',
    title: `${size.streams} open streams`,
    metrics: [
      { key: 'perStreamKb', label: 'per stream (warm)', unit: 'KB', goal: true },
      { key: 'coldPerStreamKb', label: 'per stream (cold)', unit: 'KB' },
      { key: 'rssOpenMb', label: 'RSS with all open', unit: 'MB' },
    ],
    ...freshDaemons('120s'),
    sample: async (d) => ({ ...(await openStreamsSample(d, size.streams)) }),
  },
  {
    id: `finished-runs-${size.finished}`,
    group: 'memory',
    title: `RSS after ${size.finished} finished runs`,
    metrics: [
      { key: 'rssMb', label: 'RSS', unit: 'MB', goal: true },
      { key: 'rssIdleMb', label: 'RSS before', unit: 'MB' },
      { key: 'growthMb', label: 'growth', unit: 'MB' },
      { key: 'anonMb', label: 'of it private (RssAnon)', unit: 'MB' },
      { key: 'fileMb', label: 'of it file-backed (RssFile: the executable)', unit: 'MB' },
    ],
    ...freshDaemons('10s'),
    floor: 'hello',
    sample: async (d) => ({ ...(await finishedRunsSample(d, size.finished)) }),
  },
  {
    id: 'suite',
    group: 'suite',
    title: 'conformance suite, scripted, 1 s permission timeout',
    metrics: [{ key: 'wallMs', label: 'wall', unit: 'ms' }, { key: 'exitCode', label: 'exit code', unit: '', noRatio: true }],
    ...freshDaemons('1s'),
    sample: async (d) => {
      const { wallMs, exitCode } = await suiteSample(root, source, d, 1000);
      return { wallMs, exitCode };
    },
  },
];

let source: CliSource = { kind: 'tsx' };
/** Limit flags sized for the load, when this daemon has them (its defaults refuse 1,000 streams). */
const limitFlags: string[] = [];
let tmpRoot = '';
/** Per run text, the recorded exchange and the floor server, for the selected scenarios that want the floor. */
const floorFiles = new Map<string, FloorFiles>();

function start(side: Side, permissionTimeout: string, floorText?: string): Promise<DaemonProcess> {
  if (side === 'floor') {
    const files = floorFiles.get(floorText ?? '');
    if (!files) throw new Error(`no floor recording of ${floorText ?? '(none)'}`);
    return startFloor(files);
  }
  if (side === 'go') {
    if (!goDir) throw new Error('no Go daemon');
    return startGoDaemon(goDir, tmpRoot, permissionTimeout);
  }
  return startDaemon({ root: daemonRoot, permissionTimeout, source, args: limitFlags, node: daemonNode });
}

async function runScenario(s: Scenario, daemonSides: Side[]): Promise<ScenarioResult> {
  const sides: Side[] = s.floor && floorFiles.has(s.floor) ? [...daemonSides, 'floor'] : daemonSides;
  const perSide = (): ScenarioResult['samples'] => ({ mock: [], go: [], ...(sides.includes('floor') ? { floor: [] } : {}) });
  const result: ScenarioResult = { id: s.id, title: s.title, metrics: s.metrics, samples: perSide(), order: [] };
  const open = new Map<Side, DaemonProcess>();
  try {
    if (s.daemons === 'scenario') {
      for (const side of sides) {
        const d = await start(side, s.permissionTimeout, s.floor);
        open.set(side, d);
        // Warm-up (JIT, pools, first-run allocations): not counted, kept in the results file.
        result.warmups ??= perSide();
        for (let w = 0; w < (s.warmups ?? 1); w++) (result.warmups[side] ?? []).push(await s.sample(d));
      }
    }
    for (let i = 0; i < s.pairs; i++) {
      for (const side of sides) {
        const d = open.get(side) ?? (await start(side, s.permissionTimeout, s.floor));
        try {
          (result.samples[side] ?? []).push(await s.sample(d));
          result.order.push(side);
        } finally {
          if (s.daemons === 'sample') await d.close();
        }
      }
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    for (const d of open.values()) await d.close();
  }
  return result;
}

/** `--node`: a major version (installed once into .tmp/node-<major>) or the path of a node binary. */
function resolveDaemonNode(option: string | undefined): void {
  if (option === undefined) return;
  daemonNode = /^\d+$/.test(option) ? nodeBinary(root, option, (line) => log(`bench: ${line}`)) : resolve(option);
  const probe = spawnSync(daemonNode, ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`--node ${option}: ${daemonNode} does not run (${probe.error?.message ?? `exit ${probe.status}`})`);
  daemonNodeVersion = probe.stdout.trim();
  log(`the mock daemon and the node:http floor run on Node ${daemonNodeVersion} (${daemonNode}); the client on ${process.version}`);
}

async function main(): Promise<void> {
  resolveDaemonNode(values.node);
  if (values.from === 'build') {
    log(`compiling ${daemonRoot} into .tmp/bench-build…`);
    source = buildCli(daemonRoot);
  } else if (values.from !== 'tsx') throw new Error(`--from must be build or tsx, got ${values.from}`);
  const help = await daemonHelp(daemonRoot, source);
  const load = String(Math.max(...size.bursts, size.streams) + 100);
  if (help.includes('--max-active-runs')) limitFlags.push('--max-active-runs', load);
  if (help.includes('--max-open-streams')) limitFlags.push('--max-open-streams', load);
  const outDir = join(root, 'bench', 'results');
  await mkdir(outDir, { recursive: true });
  await mkdir(join(root, '.tmp'), { recursive: true });
  tmpRoot = await mkdtemp(join(root, '.tmp', 'bench-'));
  try {
    if (values.profile) return await profile(outDir);
    await measure(outDir);
  } finally {
    await rm(tmpRoot, { recursive: true, force: true });
  }
}

async function profile(outDir: string): Promise<void> {
  for (const workload of ['flood', 'concurrent'] as const) {
    log(`profiling the mock daemon: ${workload === 'flood' ? 'flood 10000 × 4' : '500 concurrent hello × 4'}…`);
    const p = await profileDaemon(daemonRoot, source, limitFlags, outDir, workload, daemonNode);
    process.stdout.write(`\n${workload}: ${p.busyMs} ms of daemon CPU (${p.file})\n`);
    process.stdout.write(`self time:\n${p.self.map((h) => `  ${String(h.ms).padStart(6)} ms ${String(h.share).padStart(5)} %  ${h.where}`).join('\n')}\n`);
    process.stdout.write(`inclusive, this package:\n${p.inclusive.map((h) => `  ${String(h.ms).padStart(6)} ms ${String(h.share).padStart(5)} %  ${h.where}`).join('\n')}\n`);
  }
}

async function measure(outDir: string): Promise<void> {
  const sides: Side[] = goDir ? ['mock', 'go'] : ['mock'];
  log(goDir ? `side by side: glue-mock-daemon vs the Go daemon (${goDir}), samples interleaved mock, go, mock, go…` : `no Go baseline (${values['no-go'] ? '--no-go' : '../shared/go-daemon is absent'}): measuring the mock daemon alone`);
  const results: ScenarioResult[] = [];
  const floorTexts = new Set(values['no-floor'] ? [] : scenarios.filter((s) => only.has(s.group)).flatMap((s) => (s.floor ? [s.floor] : [])));
  if (floorTexts.size > 0) {
    // Recorded from the daemon the ratios are taken against (Go), else from the mock.
    const side: Side = goDir ? 'go' : 'mock';
    log(`node:http floor: recording one ${[...floorTexts].join(' and one ')} exchange of the ${side === 'go' ? 'Go daemon' : 'mock'}, replayed by a bare node:http server (not a daemon)…`);
    const d = await start(side, '10s');
    try {
      for (const text of floorTexts) floorFiles.set(text, await prepareFloor(d, side, tmpRoot, text, daemonNode));
    } finally {
      await d.close();
    }
  }
  for (const s of scenarios) {
    if (!only.has(s.group)) continue;
    log(`${s.title}: ${s.pairs} ${goDir ? 'pairs' : 'samples'}${s.floor && floorFiles.has(s.floor) ? ' (+ the node:http floor in each)' : ''}…`);
    results.push(await runScenario(s, sides));
  }
  // The reader's ceiling: a recorded flood replayed by a zero-cost server, read by the same raw reader.
  let ceiling: Ceiling | undefined;
  if (only.has('flood')) {
    log('raw reader ceiling (a recorded flood replayed from memory)…');
    const n = size.floods[quick ? 1 : 0] ?? 1000; // 55 MB (quick: 6 MB)
    const side: Side = goDir ? 'go' : 'mock';
    const d = await start(side, '10s');
    try {
      ceiling = await readerCeiling(d, side, n, tmpRoot, quick ? 2 : 5);
    } finally {
      await d.close();
    }
  }
  const rows = summarise(results, goDir !== undefined);
  process.stdout.write(`${renderReport(results, rows, goDir !== undefined)}\n`);
  if (ceiling) {
    const fastest = Math.max(...rows.filter((r) => r.metric === 'throughput').flatMap((r) => [r.mock.max, r.go?.max ?? 0]));
    process.stdout.write(
      `\nraw reader ceiling: ${Math.round(ceiling.mbPerSec)} MB/s wall, ${Math.round(ceiling.cpuMbPerSec)} MB per second of its own CPU, reading a replay of ${ceiling.recordedFrom}'s flood (${ceiling.mb.toFixed(1)} MB); ` +
        `fastest daemon in this run ${Math.round(fastest)} MB/s (${(ceiling.mbPerSec / fastest).toFixed(1)}× headroom wall, ${(ceiling.cpuMbPerSec / fastest).toFixed(1)}× CPU)\n`,
    );
  }
  const loadAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const otherNode = daemonNodeVersion === process.version ? '' : `, the mock daemon and the floor on Node ${daemonNodeVersion} (--node)`;
  process.stdout.write(`machine: ${os.cpus().length} CPUs, Node ${process.version}${otherNode}, load average ${loadAtStart.join(' ')} at start, ${loadAtEnd.join(' ')} at end (other load moves absolute figures; the ratios are within pairs)\n`);
  const file = values.out ?? join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(file), { recursive: true });
  const machine = { loadAtStart, loadAtEnd, node: process.version, daemonNode: daemonNodeVersion, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '', memoryGb: Math.round(os.totalmem() / 2 ** 30) };
  const daemons = { mock: { root: daemonRoot, from: source.kind, flags: limitFlags, node: daemonNodeVersion }, go: goDir ? { dir: goDir, script: 'run-full.sh' } : null };
  const floor = floorFiles.size > 0 ? { recordings: [...floorFiles.values()].map((f) => ({ text: f.text, recordedFrom: f.recordedFrom })), note: FLOOR_NOTE } : null;
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), quick, machine, daemons, ceiling, floor, summary: rows, results }, null, 2)}\n`);
  if (goDir) await writeFile(file.replace(/\.json$/, '') + '.md', `${renderMarkdownRatios(results, rows)}\n\nload average ${loadAtStart.join(' ')} at start, ${loadAtEnd.join(' ')} at end; ${os.cpus().length} CPUs; Node ${process.version}${otherNode}\n`);
  log(`results written to ${file}${goDir ? ' (and the ratio table as .md)' : ''}`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
