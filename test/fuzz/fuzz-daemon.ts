/**
 * An in-process reference daemon served over real HTTP (serveNode) for fuzzing, with short
 * timeouts so slow clients are cut in seconds, plus the figures the closing note reports.
 */
import { randomBytes } from 'node:crypto';
import { createReferenceServer, type ReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode, type NodeServer } from '../../reference-server/serve-node.js';

export interface FuzzDaemon {
  server: ReferenceServer;
  node: NodeServer;
  port: number;
  host: string;
  token: string;
  close(): Promise<void>;
}

export interface FuzzDaemonOptions {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxActiveRuns?: number;
  maxOpenStreams?: number;
}

export async function startFuzzDaemon(options: FuzzDaemonOptions = {}): Promise<FuzzDaemon> {
  const token = randomBytes(32).toString('hex');
  const server = createReferenceServer({
    token,
    // delayScale 0: the `slow` scenario finishes at once, so random prompts never park a run.
    host: loadMockHost({ delayScale: 0 }),
    permissionTimeoutMs: 200,
    limits: {
      ...(options.maxActiveRuns !== undefined ? { maxActiveRuns: options.maxActiveRuns } : {}),
      ...(options.maxOpenStreams !== undefined ? { maxOpenStreams: options.maxOpenStreams } : {}),
    },
  });
  const node = await serveNode(server, {
    host: '127.0.0.1',
    port: 0,
    headersTimeoutMs: options.headersTimeoutMs ?? 2_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 3_000,
    keepAliveTimeoutMs: 1_000,
    closeGraceMs: 500,
  });
  return {
    server,
    node,
    port: node.address.port,
    host: `127.0.0.1:${node.address.port}`,
    token,
    async close() {
      await node.close();
      await server.close();
    },
  };
}

/** Peak memory while fuzzing, sampled after every request. */
export class MemoryPeak {
  rss = 0;
  heapUsed = 0;
  sample(): void {
    const usage = process.memoryUsage();
    this.rss = Math.max(this.rss, usage.rss);
    this.heapUsed = Math.max(this.heapUsed, usage.heapUsed);
  }
}
