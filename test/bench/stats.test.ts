/**
 * The bench's arithmetic and its frame counter, kept honest without timing anything: ratios are
 * taken within pairs, medians and percentiles are the textbook ones, goals are judged on the
 * median ratio, and the raw reader counts frames however the bytes are chunked.
 */
import { describe, expect, it } from 'vitest';
import { ChunkedFrameCounter } from '../../bench/raw-client.js';
import { statCpuTicks } from '../../bench/daemon-process.js';
import { netstatCounter } from '../../bench/netstat.js';
import { FLOOR_NOTE, coldLines, renderMarkdownRatios, renderReport, summarise, type ScenarioResult } from '../../bench/report.js';
import { meetsRatio, median, pairRatios, percentile, spread } from '../../bench/stats.js';

describe('bench statistics', () => {
  it('median is the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('percentile is nearest-rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('ratios are per pair, not a ratio of medians', () => {
    // Load moved both sides together: pair 2 ran twice as slow for both, the ratio stays 0.5.
    expect(pairRatios([10, 20, 30], [20, 40, 30])).toEqual([0.5, 0.5, 1]);
    expect(spread(pairRatios([10, 20, 30], [20, 40, 30]))).toEqual({ min: 0.5, median: 0.5, max: 1 });
  });

  it('drops pairs without a usable baseline instead of producing Infinity or NaN', () => {
    expect(pairRatios([1, 2, 3, 4], [0, Number.NaN, 3])).toEqual([1]);
  });

  it('judges a goal on the median ratio, and never meets one without pairs', () => {
    expect(meetsRatio([0.9, 1.0, 1.4])).toBe(true);
    expect(meetsRatio([0.9, 1.01, 1.4])).toBe(false);
    expect(meetsRatio([])).toBe(false);
  });

  it('summarises a scenario into mock, Go and ratio spreads with the goal verdict', () => {
    const result: ScenarioResult = {
      id: 'flood',
      title: 'flood',
      metrics: [{ key: 'wallMs', label: 'wall', unit: 'ms', goal: true }, { key: 'mb', label: 'size', unit: 'MB' }],
      samples: { mock: [{ wallMs: 110, mb: 5 }, { wallMs: 90, mb: 5 }, { wallMs: 300, mb: 5 }], go: [{ wallMs: 100, mb: 5 }, { wallMs: 100, mb: 5 }, { wallMs: 200, mb: 5 }] },
      order: ['mock', 'go', 'mock', 'go', 'mock', 'go'],
    };
    const [wall, size] = summarise([result], true);
    expect(wall?.mock).toEqual({ min: 90, median: 110, max: 300 });
    expect(wall?.go).toEqual({ min: 100, median: 100, max: 200 });
    expect(wall?.ratio?.pairs).toEqual([1.1, 0.9, 1.5]);
    expect(wall?.ratio?.median).toBe(1.1);
    expect(wall?.goal?.met).toBe(false);
    expect(size?.goal).toBeUndefined();
    // Without Go there is no ratio and no verdict.
    const [alone] = summarise([result], false);
    expect(alone?.ratio).toBeUndefined();
    expect(alone?.goal).toBeUndefined();
    // The docs table carries ratios only.
    expect(renderMarkdownRatios([result], summarise([result], true)).split('\n')[2]).toBe('| flood | wall | 1.10× (0.90–1.50) | **not met** |');
  });
});

describe('bench report with the node:http floor', () => {
  const result: ScenarioResult = {
    id: 'hello-500-raw',
    title: '500 concurrent hello',
    metrics: [{ key: 'wallMs', label: 'wall', unit: 'ms', goal: true }, { key: 'listenOverflows', label: 'listen-queue overflows', unit: '', noRatio: true }],
    samples: {
      mock: [{ wallMs: 400, listenOverflows: 0 }, { wallMs: 300, listenOverflows: 0 }],
      go: [{ wallMs: 100, listenOverflows: 0 }, { wallMs: 200, listenOverflows: 0 }],
      floor: [{ wallMs: 90, listenOverflows: 3 }, { wallMs: 220, listenOverflows: 0 }],
    },
    order: ['mock', 'go', 'floor', 'mock', 'go', 'floor'],
  };

  it('takes floor / Go within each triple, beside mock / Go, and judges no goal on the floor', () => {
    const [wall, overflows] = summarise([result], true);
    expect(wall?.ratio?.pairs).toEqual([4, 1.5]);
    expect(wall?.floorRatio?.pairs).toEqual([0.9, 1.1]);
    expect(wall?.floor).toEqual({ min: 90, median: 155, max: 220 });
    expect(wall?.goal?.met).toBe(false); // the goal is the mock's; the floor does not change it
    expect(overflows?.floor).toEqual({ min: 0, median: 1.5, max: 3 });
    expect(overflows?.floorRatio).toBeUndefined();
    // Without Go: the floor's absolute figures, no ratio.
    const [alone] = summarise([result], false);
    expect([alone?.floor?.median, alone?.floorRatio]).toEqual([155, undefined]);
  });

  it('prints the floor columns and says the floor is not a daemon, wherever floor figures appear', () => {
    const rows = summarise([result], true);
    const report = renderReport([result], rows, true);
    expect(report.split('\n')[0]).toMatch(/mock\/Go median \(min–max\).*floor median \(min–max\)\s+floor\/Go median \(min–max\)$/);
    expect(report).toMatch(/^500 concurrent hello\s+wall ms\s+350 \(300–400\)\s+150 \(100–200\)\s+2\.75× \(1\.50–4\.00\)\s+NOT MET\s+155 \(90–220\)\s+1\.00× \(0\.90–1\.10\)$/m);
    expect(report).toContain(FLOOR_NOTE);
    expect(FLOOR_NOTE).toMatch(/NOT a daemon \(no routing, auth, validation, run execution\)/);
    const markdown = renderMarkdownRatios([result], rows).split('\n');
    expect(markdown[0]).toBe('| scenario | metric | mock / Go, median (min–max) | goal ≤ 1.0× | node:http floor / Go (not a daemon) |');
    expect(markdown[2]).toBe('| 500 concurrent hello | wall | 2.75× (1.50–4.00) | **not met** | 1.00× (0.90–1.10) |');
    expect(markdown.at(-1)).toBe(FLOOR_NOTE);
    // No floor samples: no floor column and no note.
    const plain = { ...result, samples: { mock: result.samples.mock, go: result.samples.go } };
    expect(renderReport([plain], summarise([plain], true), true)).not.toContain('floor');
  });
});

describe('listen-queue overflow counter', () => {
  const netstat = [
    'TcpExt: SyncookiesSent ListenOverflows ListenDrops',
    'TcpExt: 0 37573 37600',
    'IpExt: InNoRoutes ListenOverflows',
    'IpExt: 1 2',
    '',
  ].join('\n');

  it("reads one named counter of one group from /proc/net/netstat's name and value lines", () => {
    expect(netstatCounter(netstat, 'TcpExt', 'ListenOverflows')).toBe(37573);
    expect(netstatCounter(netstat, 'IpExt', 'ListenOverflows')).toBe(2);
    expect(netstatCounter(netstat, 'TcpExt', 'Nope')).toBeNaN();
    expect(netstatCounter('TcpExt: A B\nTcpExt: 1\n', 'TcpExt', 'B')).toBeNaN(); // a short value line is not trusted
  });
});

describe('daemon CPU from /proc/PID/stat', () => {
  it('adds utime and stime (fields 14 and 15), counting fields after the command name even when it holds spaces and parentheses', () => {
    const rest = 'S 1 2 3 0 -1 4194304 126 0 0 0 250 37 0 0 20 0 1 0 1087179';
    expect(statCpuTicks(`16402 (node) ${rest}`)).toBe(287);
    expect(statCpuTicks(`16402 (glue (x) d) ${rest}`)).toBe(287);
    expect(statCpuTicks('16402 (node) S 1 2')).toBeNaN();
  });
});

describe('raw reader frame counter', () => {
  const frames = Array.from({ length: 5 }, (_, i) => `id: evt_${i}\nevent: ${i === 0 ? 'run_start' : i === 4 ? 'run_done' : 'text_delta'}\ndata: {"seq":${i + 1},"x":"${'y'.repeat(i * 50)}"}\n\n`);
  // One frame per chunk (as Go and the mock write), then the last chunk.
  const chunked = frames.map((f) => `${Buffer.byteLength(f).toString(16)}\r\n${f}\r\n`).join('') + '0\r\n\r\n';

  it('counts frames and reads the first and last types from a chunked body', () => {
    const counter = new ChunkedFrameCounter();
    const consumed = counter.feed(Buffer.from(`${chunked}HTTP/1.1 200 OK`));
    expect(counter.done).toBe(true);
    expect(consumed).toBe(Buffer.byteLength(chunked)); // stops at the end of this response
    expect(counter.events).toBe(5);
    expect(counter.firstType).toBe('run_start');
    expect(counter.lastType).toBe('run_done');
  });

  it('gives the same answer however the bytes are split', () => {
    const bytes = Buffer.from(chunked);
    for (const step of [1, 2, 3, 7, 64]) {
      const counter = new ChunkedFrameCounter();
      for (let i = 0; i < bytes.length; i += step) counter.feed(bytes.subarray(i, i + step));
      expect([step, counter.events, counter.firstType, counter.lastType, counter.done]).toEqual([step, 5, 'run_start', 'run_done', true]);
    }
  });

  it('finds a frame end split across two chunks', () => {
    const body = 'id: a\nevent: run_start\ndata: {}\n\nid: b\nevent: run_done\ndata: {}\n\n';
    const cut = body.indexOf('\n\n', 30) + 1; // "\n" | "\n"
    const parts = [body.slice(0, cut), body.slice(cut)];
    const wire = parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';
    const counter = new ChunkedFrameCounter();
    counter.feed(Buffer.from(wire));
    expect([counter.events, counter.lastType]).toEqual([2, 'run_done']);
  });

  it('reports a malformed chunk size instead of miscounting', () => {
    const counter = new ChunkedFrameCounter();
    counter.feed(Buffer.from('zz\r\nid: a\n\n'));
    expect(counter.error).toMatch(/bad chunk size/);
    expect(counter.done).toBe(true);
  });
});

describe('bench report after several warm-up samples', () => {
  const result: ScenarioResult = {
    id: 'hello-500-raw',
    title: '500 concurrent hello',
    metrics: [{ key: 'wallMs', label: 'wall', unit: 'ms', goal: true }, { key: 'cpuMsPerRun', label: 'daemon CPU per run', unit: 'ms' }],
    samples: { mock: [{ wallMs: 200, cpuMsPerRun: 0.4 }], go: [{ wallMs: 100, cpuMsPerRun: 0.3 }] },
    order: ['mock', 'go'],
    warmups: { mock: [{ wallMs: 600, cpuMsPerRun: 1.4 }, { wallMs: 300, cpuMsPerRun: 0.8 }], go: [{ wallMs: 150, cpuMsPerRun: 0.3 }, { wallMs: 100, cpuMsPerRun: 0.3 }] },
  };

  it('counts only the pairs, and prints the cold first sample of each side beside them', () => {
    const rows = summarise([result], true);
    expect(rows[0]?.ratio?.pairs).toEqual([2]);
    const line = '500 concurrent hello: measured after 2 warm-up samples per daemon; the first (cold, not counted): wall mock 600 ms, Go 150 ms (4.00×)';
    expect(coldLines([result])).toEqual([line]);
    expect(renderReport([result], rows, true)).toContain(line);
    expect(renderMarkdownRatios([result], rows).split('\n').at(-1)).toBe(line);
    // No goal metric: the wall time stands for the scenario.
    const noGoal = { ...result, metrics: result.metrics.map((m) => ({ ...m, goal: false })) };
    expect(coldLines([noGoal])).toEqual([line]);
    // One warm-up sample (the long-lived default): nothing to add.
    expect(coldLines([{ ...result, warmups: { mock: [{ wallMs: 600 }], go: [{ wallMs: 150 }] } }])).toEqual([]);
  });
});
