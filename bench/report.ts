/**
 * The bench's figures side by side: per scenario and metric, the mock's and Go's spread over the
 * pairs and the per-pair ratio mock / Go (min / median / max), with the issue-16 goals judged on
 * the median ratio. Without a Go daemon: the mock's absolute figures only. Scenarios that also ran
 * the node:http floor (bench/floor.ts: not a daemon, the best any Node daemon could do) show it
 * next to them, and floor / Go next to mock / Go.
 */
import { meetsRatio, pairRatios, round, spread, type Spread } from './stats.js';

export interface MetricSpec {
  key: string;
  label: string;
  unit: string;
  /** A goal of issue 16: mock ≤ 1.0 × Go on the median of the per-pair ratios. */
  goal?: boolean;
  /** Not a cost (e.g. an exit code): shown for both sides, no ratio. */
  noRatio?: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  metrics: MetricSpec[];
  samples: { mock: Record<string, number>[]; go: Record<string, number>[]; floor?: Record<string, number>[] };
  /** Order the samples were taken in, e.g. "mock go mock go". */
  order: string[];
  /** Samples taken before the pairs on each long-lived daemon and not counted, in order (the first is the cold one). */
  warmups?: { mock: Record<string, number>[]; go: Record<string, number>[]; floor?: Record<string, number>[] };
  error?: string;
}

export interface MetricSummary {
  scenario: string;
  metric: string;
  unit: string;
  mock: Spread;
  go?: Spread;
  ratio?: Spread & { pairs: number[] };
  goal?: { met: boolean };
  /** The node:http floor's figures and floor / Go per pair (no goal: it is a bound, not a daemon). */
  floor?: Spread;
  floorRatio?: Spread & { pairs: number[] };
}

export function summarise(results: readonly ScenarioResult[], withGo: boolean): MetricSummary[] {
  const out: MetricSummary[] = [];
  for (const r of results) {
    for (const m of r.metrics) {
      const values = (samples: readonly Record<string, number>[]): number[] => samples.map((s) => s[m.key] ?? Number.NaN);
      const ratioTo = (a: number[], b: number[]): Spread & { pairs: number[] } => {
        const pairs = pairRatios(a, b);
        return { ...spread(pairs), pairs };
      };
      const mock = values(r.samples.mock);
      const floor = r.samples.floor && r.samples.floor.length > 0 ? values(r.samples.floor) : undefined;
      const row: MetricSummary = { scenario: r.id, metric: m.label, unit: m.unit, mock: spread(mock) };
      if (floor) row.floor = spread(floor);
      if (withGo) {
        const go = values(r.samples.go);
        row.go = spread(go);
        if (!m.noRatio) {
          row.ratio = ratioTo(mock, go);
          if (m.goal) row.goal = { met: meetsRatio(row.ratio.pairs) };
          if (floor) row.floorRatio = ratioTo(floor, go);
        }
      }
      out.push(row);
    }
  }
  return out;
}

function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const fmt = (v: number): string => (Number.isFinite(v) ? String(v >= 100 ? Math.round(v) : round(v, v >= 10 ? 1 : 2)) : '–');
const range = (s: Spread): string => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
const ratio = (s: Spread): string => `${round(s.median, 2).toFixed(2)}× (${round(s.min, 2).toFixed(2)}–${round(s.max, 2).toFixed(2)})`;

/**
 * Scenarios measured after more than one warm-up sample also show their first, cold sample (not
 * counted), so the warm-up hides nothing: one line per goal metric, mock and Go and their ratio.
 */
export function coldLines(results: readonly ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const mock = r.warmups?.mock ?? [];
    if (mock.length < 2) continue;
    const go = r.warmups?.go[0];
    const cells = r.metrics
      // The goal metrics, or the wall time where a scenario has no goal (the parsing client's bursts).
      .filter((m) => (m.goal || m.label === 'wall') && mock[0]?.[m.key] !== undefined)
      .map((m) => {
        const a = mock[0]?.[m.key] ?? NaN;
        const b = go?.[m.key];
        return `${m.label} mock ${fmt(a)} ${m.unit}${b === undefined ? '' : `, Go ${fmt(b)} ${m.unit} (${round(a / b, 2).toFixed(2)}×)`}`;
      });
    lines.push(`${r.title}: measured after ${mock.length} warm-up samples per daemon; the first (cold, not counted): ${cells.join('; ')}`);
  }
  return lines;
}

/** Said wherever floor figures are printed: the floor is a bound, not a daemon. */
export const FLOOR_NOTE =
  'floor: a bare node:http server in its own process replaying the recorded bytes of one exchange of the same run (bench/floor.ts), read by the same client as the daemons, interleaved with them. ' +
  'It is NOT a daemon (no routing, auth, validation, run execution): the best any Node.js daemon could reach here; floor/Go is the lowest mock/Go could go on node:http.';

export function renderReport(results: readonly ScenarioResult[], rows: readonly MetricSummary[], withGo: boolean): string {
  const out: string[] = [];
  const titles = new Map(results.map((r) => [r.id, r.title]));
  const withFloor = rows.some((r) => r.floor);
  const floorCells = (r: MetricSummary, ratioToo: boolean): string[] => (withFloor ? [r.floor ? range(r.floor) : '', ...(ratioToo ? [r.floorRatio ? ratio(r.floorRatio) : ''] : [])] : []);
  const floorHeader = (ratioToo: boolean): string[] => (withFloor ? ['floor median (min–max)', ...(ratioToo ? ['floor/Go median (min–max)'] : [])] : []);
  if (withGo) {
    out.push(
      table(
        ['scenario', 'metric', 'mock median (min–max)', 'Go median (min–max)', 'mock/Go median (min–max)', 'goal ≤ 1.0×', ...floorHeader(true)],
        rows.map((r) => [titles.get(r.scenario) ?? r.scenario, `${r.metric} ${r.unit}`, range(r.mock), r.go ? range(r.go) : '', r.ratio ? ratio(r.ratio) : '', r.goal ? (r.goal.met ? 'met' : 'NOT MET') : '', ...floorCells(r, true)]),
      ),
    );
  } else {
    out.push(table(['scenario', 'metric', 'mock median (min–max)', ...floorHeader(false)], rows.map((r) => [titles.get(r.scenario) ?? r.scenario, `${r.metric} ${r.unit}`, range(r.mock), ...floorCells(r, false)])));
    out.push('no Go baseline (../shared/go-daemon is absent, or --no-go): absolute figures of this machine and its load only; no ratio, no goal verdict.');
  }
  if (withFloor) out.push(FLOOR_NOTE);
  out.push(...coldLines(results));
  for (const r of results) if (r.error) out.push(`${r.title}: FAILED: ${r.error}`);
  return out.join('\n\n');
}

/** The same summary as a Markdown table of ratios (for docs: ratios only, no absolute figures). */
export function renderMarkdownRatios(results: readonly ScenarioResult[], rows: readonly MetricSummary[]): string {
  const titles = new Map(results.map((r) => [r.id, r.title]));
  const withFloor = rows.some((r) => r.floorRatio);
  const lines = withFloor
    ? ['| scenario | metric | mock / Go, median (min–max) | goal ≤ 1.0× | node:http floor / Go (not a daemon) |', '|---|---|---|---|---|']
    : ['| scenario | metric | mock / Go, median (min–max) | goal ≤ 1.0× |', '|---|---|---|---|'];
  for (const r of rows) {
    if (!r.ratio) continue;
    const floor = withFloor ? ` ${r.floorRatio ? ratio(r.floorRatio) : ''} |` : '';
    lines.push(`| ${titles.get(r.scenario) ?? r.scenario} | ${r.metric} | ${ratio(r.ratio)} | ${r.goal ? (r.goal.met ? 'met' : '**not met**') : ''} |${floor}`);
  }
  if (withFloor) lines.push('', FLOOR_NOTE);
  const cold = coldLines(results);
  if (cold.length) lines.push('', ...cold);
  return lines.join('\n');
}
