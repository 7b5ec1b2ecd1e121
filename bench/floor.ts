/**
 * The node:http floor, the way bench/ceiling.ts bounds the reader: what ANY Node.js daemon could
 * reach at best on a scenario (`hello`, `flood 10000`). One exchange of that run text with a real
 * daemon is recorded byte for byte (POST → 201, GET → the SSE stream, one chunk per event) and
 * replayed by a bare node:http server in its own plain-node process (bench/floor-server.ts), read
 * by the same raw reader as the daemons. The floor is not a daemon: no routing, auth, validation
 * or run.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { portLine, processRss, stopChild, type DaemonProcess } from './daemon-process.js';
import { floorRecording } from './floor-recording.js';
import { rawRun, type RawTarget } from './raw-client.js';

/** The floor's inputs on disk: the recording (JSON) and the server as plain JavaScript. */
export interface FloorFiles {
  recording: string;
  server: string;
  recordedFrom: string;
  /** The run text recorded (and sent by the check run), e.g. `hello`. */
  text: string;
  /** The node binary that runs the floor (the mock daemon's, `--node`). */
  node: string;
}

/**
 * Records one exchange of run text `text` with `source`, writes what a floor process needs into
 * `tmpDir`, and checks on a throwaway floor process that it answers exactly the recorded bytes
 * (the measured floors then start clean: their RSS at start is before any exchange).
 */
export async function prepareFloor(source: RawTarget, sourceName: string, tmpDir: string, text = 'hello', node = process.execPath): Promise<FloorFiles> {
  const recorded = await record(source, text);
  const recording = floorRecording(recorded, sourceName);
  const files: FloorFiles = { recording: join(tmpDir, `floor-${text.replace(/[^a-z0-9]+/gi, '-')}.json`), server: join(tmpDir, 'floor-server.mjs'), recordedFrom: sourceName, text, node };
  await writeFile(files.recording, JSON.stringify(recording));
  // Plain node, no tsx loader: the floor's RSS is node:http's, not a TypeScript hook thread's.
  const serverSource = await readFile(fileURLToPath(new URL('./floor-server.ts', import.meta.url)), 'utf8');
  await writeFile(files.server, ts.transpileModule(serverSource, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } }).outputText);
  const probe = await startFloor(files);
  try {
    const check = rawRun(probe, 'floor-check', text, { idleTimeoutMs: 30_000, recordWire: true });
    const tally = await check.finished;
    if (tally.problem) throw new Error(`floor: the check run failed: ${tally.problem}`);
    if (!Buffer.concat(check.wire).equals(recorded)) throw new Error('floor: the node:http floor did not answer the recorded bytes');
  } finally {
    await probe.close();
  }
  return files;
}

async function record(source: RawTarget, text: string): Promise<Buffer> {
  const run = rawRun(source, `floor-${Date.now()}`, text, { idleTimeoutMs: 30_000, recordWire: true });
  const tally = await run.finished;
  if (tally.problem) throw new Error(`floor: recording a ${text} run failed: ${tally.problem}`);
  return Buffer.concat(run.wire);
}

/** A fresh floor process, in the shape of a daemon (url, pid, RSS) so the scenarios can read it. */
export async function startFloor(files: FloorFiles): Promise<DaemonProcess> {
  const child = spawn(files.node, [files.server, files.recording], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('floor: could not spawn the node:http floor');
  try {
    const port = await portLine(child, 'floor: the node:http floor');
    return { url: `http://127.0.0.1:${port}`, token: 'floor', pid, rss: () => processRss(pid), close: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
