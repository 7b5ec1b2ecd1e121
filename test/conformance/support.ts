/**
 * Test support: the reference daemon on an ephemeral loopback port, optionally behind a wrapper
 * that breaks one behaviour (the hand-made faults of sensitivity.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { createReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode } from '../../reference-server/serve-node.js';

export type Handle = (request: Request) => Promise<Response>;
export type Wrap = (next: Handle, token: string) => Handle;

export interface TestDaemon {
  url: string;
  token: string;
  permissionTimeoutMs: number;
  close(): Promise<void>;
}

/**
 * Short, so PERM-010 waits little, but not shorter: PERM-009 sends three decisions before its
 * request may expire, and at 400 ms a loaded 2-core box let it expire first (a false failure).
 */
export const TEST_PERMISSION_TIMEOUT_MS = 1_000;

export async function startDaemon(options: { minimal?: boolean; sessions?: boolean; wrap?: Wrap; permissionTimeoutMs?: number; token?: string } = {}): Promise<TestDaemon> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const permissionTimeoutMs = options.permissionTimeoutMs ?? TEST_PERMISSION_TIMEOUT_MS;
  const server = createReferenceServer({ token, host: loadMockHost({ minimal: options.minimal ?? false, sessions: options.sessions ?? false }), permissionTimeoutMs });
  const base: Handle = (request) => server.handle(request);
  const handle = options.wrap ? options.wrap(base, token) : base;
  const node = await serveNode({ handle }, { host: '127.0.0.1', port: 0, closeGraceMs: 500 });
  return {
    url: node.url,
    token,
    permissionTimeoutMs,
    async close() {
      await server.close();
      await node.close();
    },
  };
}
