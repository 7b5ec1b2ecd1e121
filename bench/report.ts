/**
 * The bench's figures side by side: per scenario and metric, the mock's and Go's spread over the
 * pairs and the per-pair ratio mock / Go (min / median / max), with the issue-16 goals judged on
 * the median ratio. Without a Go daemon: the mock's absolute figures only.
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
  samples: { mock: Record<string, number>[]; go: Record<string, number>[] };
  /** Order the samples were taken in, e.g. "mock go mock go". */
  order: string[];
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
}

export function summarise(results: readonly ScenarioResult[], withGo: boolean): MetricSummary[] {
  const out: MetricSummary[] = [];
  for (const r of results) {
    for (const m of r.metrics) {
      const mock = r.samples.mock.map((s) => s[m.key] ?? Number.NaN);
      const row: MetricSummary = { scenario: r.id, metric: m.label, unit: m.unit, mock: spread(mock) };
      if (withGo) {
        const go = r.samples.go.map((s) => s[m.key] ?? Number.NaN);
        row.go = spread(go);
        if (m.noRatio) {
          out.push(row);
          continue;
        }
        const pairs = pairRatios(mock, go);
        row.ratio = { ...spread(pairs), pairs };
        if (m.goal) row.goal = { met: meetsRatio(pairs) };
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

export function renderReport(results: readonly ScenarioResult[], rows: readonly MetricSummary[], withGo: boolean): string {
  const out: string[] = [];
  const titles = new Map(results.map((r) => [r.id, r.title]));
  if (withGo) {
    out.push(
      table(
        ['scenario', 'metric', 'mock median (min–max)', 'Go median (min–max)', 'mock/Go median (min–max)', 'goal ≤ 1.0×'],
        rows.map((r) => [titles.get(r.scenario) ?? r.scenario, `${r.metric} ${r.unit}`, range(r.mock), r.go ? range(r.go) : '', r.ratio ? ratio(r.ratio) : '', r.goal ? (r.goal.met ? 'met' : 'NOT MET') : '']),
      ),
    );
  } else {
    out.push(table(['scenario', 'metric', 'mock median (min–max)'], rows.map((r) => [titles.get(r.scenario) ?? r.scenario, `${r.metric} ${r.unit}`, range(r.mock)])));
    out.push('no Go baseline (../shared/go-daemon is absent, or --no-go): absolute figures of this machine and its load only; no ratio, no goal verdict.');
  }
  for (const r of results) if (r.error) out.push(`${r.title}: FAILED: ${r.error}`);
  return out.join('\n\n');
}

/** The same summary as a Markdown table of ratios (for docs: ratios only, no absolute figures). */
export function renderMarkdownRatios(results: readonly ScenarioResult[], rows: readonly MetricSummary[]): string {
  const titles = new Map(results.map((r) => [r.id, r.title]));
  const lines = ['| scenario | metric | mock / Go, median (min–max) | goal ≤ 1.0× |', '|---|---|---|---|'];
  for (const r of rows) {
    if (!r.ratio) continue;
    lines.push(`| ${titles.get(r.scenario) ?? r.scenario} | ${r.metric} | ${ratio(r.ratio)} | ${r.goal ? (r.goal.met ? 'met' : '**not met**') : ''} |`);
  }
  return lines.join('\n');
}
