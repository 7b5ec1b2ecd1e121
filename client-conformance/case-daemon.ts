/**
 * A case daemon: the reference server with the default mock host (plus the kit's big-answer
 * scenario), the case's behaviour as middleware around it, the recorder outermost, served on
 * 127.0.0.1:0; beside it the redirect trap, another loopback port that records whatever reaches
 * it and answers 404; and a metadata file in a fresh config directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReferenceServer } from '../reference-server/server.js';
import { loadMockHost } from '../reference-server/mock-host/index.js';
import { serveNode, type NodeServer } from '../reference-server/serve-node.js';
import { wrapServer } from '../reference-server/faults/wrap-server.js';
import { goJsonResponse, type Middleware } from '../reference-server/faults/middleware.js';
import { writeMetadataFile } from '../reference-server/metadata-file.js';
import type { MockHost } from '../reference-server/host.js';
import { recorderMiddleware, type Recording } from './recorder.js';
import { streamPlanMiddleware } from './stream-plan.js';
import type { CaseFacts, CasePrompt, ClientCase } from './types.js';

/** Text of the big answer: its text_delta frame (partial message + delta) is over 1 MiB, as a long answer's is from the Go daemon. */
export const BIG_ANSWER_TEXT = `big:${'0123456789abcdef'.repeat(40 * 1024)}:end`;

let sharedHost: MockHost | undefined;
/** One mock host for every case of the process (it keeps no per-run state). */
function caseHost(): MockHost {
  if (sharedHost) return sharedHost;
  const dir = mkdtempSync(join(tmpdir(), 'glue-client-scenarios-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'big-answer.yaml'), `description: One answer longer than 600 KiB, in one delta.\nmatch:\n  text: big-answer\nturns:\n  - text: "${BIG_ANSWER_TEXT}"\n`);
  sharedHost = loadMockHost({ scenariosDir: dir });
  return sharedHost;
}

/** Echoed back by the default scenario: two-, three- and four-byte UTF-8 sequences to split. */
export const UNICODE_TEXT = 'grüße, 世界 🌍';

/** Run text of each prompt (the scenario names of fixtures/scenarios; `unicode` is echoed). */
export function promptText(prompt: CasePrompt): string {
  return prompt === 'unicode' ? UNICODE_TEXT : prompt;
}

export interface CaseDaemon {
  baseUrl: string;
  trapUrl: string;
  token: string;
  prompt: string;
  sessionId: string;
  clientId: string;
  /** The case's own directory: config dir (XDG_CONFIG_HOME) with `glue/daemon.json`. */
  dir: string;
  configDir: string;
  metadataPath: string;
  recording: Recording;
  trapped: Recording;
  facts: CaseFacts;
  startedAt: number;
  close(): Promise<void>;
}

export interface CaseDaemonOptions {
  /** Session id for the client to use (default a fresh one per case). */
  sessionId?: string;
}

export async function startCaseDaemon(clientCase: ClientCase, options: CaseDaemonOptions = {}): Promise<CaseDaemon> {
  const startedAt = Date.now();
  const token = randomBytes(32).toString('hex');
  const tag = randomBytes(4).toString('hex');
  const facts: CaseFacts = { runIds: [], eventsUrls: [], permissionIds: [] };
  const recording: Recording = { requests: [] };
  const trapped: Recording = { requests: [] };
  const opened: Array<() => Promise<void>> = [];
  const dir = await mkdtemp(join(tmpdir(), 'glue-client-case-'));
  try {
    const trapRecorder = recorderMiddleware(trapped, facts, 'trap', startedAt);
    const trap = await serveNode(
      { handle: (request) => trapRecorder(request, async () => goJsonResponse(404, { error: { code: 'not_found', message: 'route not found', retryable: false } })) },
      { host: '127.0.0.1', port: 0, closeGraceMs: 200 },
    );
    opened.push(() => trap.close());

    const server = createReferenceServer({
      token,
      host: caseHost(),
      ...(clientCase.daemon?.permissionTimeoutMs !== undefined ? { permissionTimeoutMs: clientCase.daemon.permissionTimeoutMs } : {}),
      name: `glue-conformance-client ${clientCase.id}`,
    });
    const middleware: Middleware[] = [
      recorderMiddleware(recording, facts, 'daemon', startedAt),
      ...(clientCase.daemon?.middleware?.({ token, trapUrl: trap.url, facts }) ?? []),
      ...(clientCase.daemon?.stream ? [streamPlanMiddleware(clientCase.daemon.stream)] : []),
    ];
    const node: NodeServer = await serveNode(wrapServer(server, middleware), { host: '127.0.0.1', port: 0, closeGraceMs: 200 });
    opened.push(async () => {
      await server.close();
      await node.close();
    });

    const configDir = join(dir, 'config');
    const metadataPath = join(configDir, 'glue', 'daemon.json');
    await writeMetadataFile(metadataPath, { version: 1, base_url: node.url, token, pid: process.pid });
    const closeAll = async (): Promise<void> => {
      await Promise.allSettled(opened.reverse().map((close) => close()));
      await rm(dir, { recursive: true, force: true });
    };
    return {
      baseUrl: node.url,
      trapUrl: trap.url,
      token,
      prompt: promptText(clientCase.prompt ?? 'hello'),
      sessionId: options.sessionId ?? clientCase.sessionId ?? `conf-${clientCase.id.toLowerCase()}-${tag}`,
      clientId: `conf-client-${tag}`,
      dir,
      configDir,
      metadataPath,
      recording,
      trapped,
      facts,
      startedAt,
      close: closeAll,
    };
  } catch (error) {
    await Promise.allSettled(opened.reverse().map((close) => close()));
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
