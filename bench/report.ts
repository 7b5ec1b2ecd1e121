/** The bench's table and its verdict against the issue-6 goals (Go v1.11.0 figures, same machine kind). */
import type { ConcurrentResult } from './scenarios/concurrent.js';
import type { FloodResult } from './scenarios/flood.js';
import type { OpenStreamsResult } from './scenarios/open-streams.js';
import type { SuiteResult } from './scenarios/suite.js';

export interface BenchResults {
  flood: FloodResult[];
  firstEvent?: ConcurrentResult;
  concurrent: ConcurrentResult[];
  openStreams?: OpenStreamsResult;
  suite?: SuiteResult;
  /** Which daemon was measured, with which extra flags. */
  daemon?: { root: string; from: string; flags: string[] };
}

/** Go reference daemon v1.11.0, read by a Node fetch client (issue 6). */
export const GO_REFERENCE = {
  flood: { 1000: { wallMs: 48 }, 10000: { wallMs: 330, eventsPerSec: 30_000, mbPerSec: 165 } } as Record<number, { wallMs: number; eventsPerSec?: number; mbPerSec?: number }>,
  concurrentWallMs: { 200: 275, 500: 620 } as Record<number, number>,
};

export interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

export function evaluateGoals(results: BenchResults): Goal[] {
  const goals: Goal[] = [];
  for (const f of results.flood) {
    const go = GO_REFERENCE.flood[f.deltas];
    if (!go) continue;
    goals.push({ goal: `flood ${f.deltas} wall ≤ Go ${go.wallMs} ms`, measured: `${f.wallMs} ms`, met: f.wallMs <= go.wallMs && f.problems.length === 0 });
    if (go.eventsPerSec) goals.push({ goal: `flood ${f.deltas} ≥ Go ${go.eventsPerSec} events/s`, measured: `${f.eventsPerSec} events/s`, met: f.eventsPerSec >= go.eventsPerSec });
  }
  for (const c of results.concurrent) {
    const go = GO_REFERENCE.concurrentWallMs[c.concurrency];
    if (go !== undefined) goals.push({ goal: `${c.concurrency} concurrent wall ≤ Go ${go} ms`, measured: `${c.wallMs} ms`, met: c.wallMs <= go && c.badStreams === 0 });
    goals.push({ goal: `${c.concurrency} concurrent: zero lost or out-of-order events`, measured: `${c.badStreams} bad streams`, met: c.badStreams === 0 });
  }
  if (results.openStreams) {
    const o = results.openStreams;
    goals.push({ goal: `memory per open stream < 50 KB (${o.streams} open, warm)`, measured: `${o.perStreamKb} KB (${o.opened} opened)`, met: o.perStreamKb < 50 && o.opened === o.streams });
  }
  if (results.suite) {
    const s = results.suite;
    goals.push({ goal: `suite wall ≤ 1.5 × ${s.permissionTimeoutMs} ms + 3 s = ${s.goalMs} ms`, measured: `${s.wallMs} ms`, met: s.wallMs <= s.goalMs });
  }
  return goals;
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

export function renderReport(results: BenchResults, goals: Goal[]): string {
  const out: string[] = [];
  if (results.flood.length > 0) {
    out.push(
      table(
        ['flood', 'events', 'MB', 'wall ms', 'TTFE ms', 'events/s', 'MB/s', 'Go wall ms', 'ok'],
        results.flood.map((f) => [f.deltas, f.events, (f.bytes / 1e6).toFixed(1), f.wallMs, f.ttfeMs, f.eventsPerSec, f.mbPerSec, GO_REFERENCE.flood[f.deltas]?.wallMs ?? '', f.problems.length === 0 ? 'yes' : 'NO']),
      ),
    );
  }
  const concurrent = [...(results.firstEvent ? [results.firstEvent] : []), ...results.concurrent];
  if (concurrent.length > 0) {
    out.push(
      table(
        ['hello runs in parallel', 'wall ms', 'TTFE p50 ms', 'TTFE p99 ms', 'events/run', 'bad streams', 'Go wall ms'],
        concurrent.map((c) => [c.concurrency, c.wallMs, c.ttfeP50Ms, c.ttfeP99Ms, c.eventsPerRun, c.badStreams, GO_REFERENCE.concurrentWallMs[c.concurrency] ?? '']),
      ),
    );
  }
  if (results.openStreams) {
    const o = results.openStreams;
    out.push(table(['open streams', 'opened', 'RSS before MB', 'RSS open MB', 'KB/stream (warm)', 'KB/stream (cold)'], [[o.streams, o.opened, o.rssBeforeMb, o.rssOpenMb, o.perStreamKb, o.coldPerStreamKb]]));
  }
  if (results.suite) {
    const s = results.suite;
    out.push(table(['conformance suite (scripted)', 'wall ms', 'goal ms', 'exit codes', 'summary'], [[`${s.runs} runs, permission timeout ${s.permissionTimeoutMs} ms`, s.wallMs, s.goalMs, s.exitCodes.join(','), s.summary]]));
  }
  out.push(table(['goal', 'measured', 'met'], goals.map((g) => [g.goal, g.measured, g.met ? 'yes' : 'NO'])));
  return out.join('\n\n');
}
