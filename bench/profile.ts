/**
 * `npm run bench -- --profile`: the daemon under `node --cpu-prof` through a flood and a burst of
 * concurrent runs, then the functions that cost the most (self time, and inclusive time of this
 * package's own functions). The .cpuprofile files stay in bench/results/ for Chrome DevTools.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliSource } from './build.js';
import { startDaemon } from './daemon-process.js';
import { helloBurst } from './scenarios/concurrent.js';
import { floodSample } from './scenarios/flood.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  ms: number;
  share: number;
  where: string;
}

export async function profileDaemon(root: string, source: CliSource, args: string[], outDir: string, workload: 'flood' | 'concurrent', node?: string): Promise<{ file: string; busyMs: number; self: HotSpot[]; inclusive: HotSpot[] }> {
  const before = new Set(readdirSync(outDir));
  const daemon = await startDaemon({ root, source, node, permissionTimeout: '10s', args, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${outDir}`] });
  try {
    for (let i = 0; i < 4; i++) {
      if (workload === 'flood') await floodSample(daemon, 10000, 'raw');
      else await helloBurst(daemon, 500, 'raw');
    }
  } finally {
    await daemon.close();
  }
  const file = readdirSync(outDir).find((name) => name.endsWith('.cpuprofile') && !before.has(name));
  if (!file) throw new Error('bench: the daemon wrote no CPU profile');
  return { file: join(outDir, file), ...summarise(JSON.parse(readFileSync(join(outDir, file), 'utf8')) as CpuProfile, root) };
}

function summarise(profile: CpuProfile, root: string): { busyMs: number; self: HotSpot[]; inclusive: HotSpot[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (id: number): string => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return '?';
    const url = frame.url.replace(/^file:\/\//, '').replace(`${root}/`, '').replace(/.*\/node_modules\//, 'node_modules/');
    return `${frame.functionName || '(anonymous)'}${url ? ` ${url}:${frame.lineNumber + 1}` : ''}`;
  };
  const perNode = new Map<number, number>();
  profile.samples.forEach((id, i) => perNode.set(id, (perNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, micros] of perNode) {
    const name = label(id);
    self.set(name, (self.get(name) ?? 0) + micros);
    if (name !== '(idle)') busy += micros;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = label(cur);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
    }
  }
  const top = (map: Map<string, number>, keep: (name: string) => boolean): HotSpot[] =>
    [...map]
      .filter(([name]) => keep(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([where, micros]) => ({ ms: Math.round(micros / 1000), share: Math.round((1000 * micros) / busy) / 10, where }));
  return {
    busyMs: Math.round(busy / 1000),
    self: top(self, (name) => name !== '(idle)' && name !== '(program)'),
    inclusive: top(inclusive, (name) => /(reference-server|src)\//.test(name) && !/src\/cli\//.test(name)),
  };
}
