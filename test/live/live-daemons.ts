/**
 * The real Go daemon (../shared/go-daemon/bin/glue-refd) and glue-mock-daemon started the same way,
 * side by side, for the live comparisons. Ephemeral ports, temp dirs, every wait bounded, every
 * child killed in cleanup. `GO_DAEMON` is undefined when ../shared/go-daemon is absent.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/protocol/package-root.js';
import { within } from '../reference-server/spawn-daemon.js';
import { cliArgv } from '../support/cli-entry.js';

const shared = resolve(packageRoot(), '..', 'shared', 'go-daemon');
export const GO_DAEMON = existsSync(join(shared, 'bin', 'glue-refd')) ? join(shared, 'bin', 'glue-refd') : undefined;
export const GLUE_CLIENT = existsSync(join(shared, 'bin', 'glue')) ? join(shared, 'bin', 'glue') : undefined;
export const SKIP_LINE = `live comparison with the Go daemon: skipped, ${shared} is absent (../shared/go-daemon not beside the repo)`;

export type Kind = 'go' | 'mock';

export interface LiveDaemon {
  kind: Kind;
  child: ChildProcessWithoutNullStreams;
  baseUrl: string;
  port: number;
  dir: string;
  metadataPath: string;
  stdout(): string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcessWithoutNullStreams>();
const dirs: string[] = [];

export async function stopAll(): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface StartOptions {
  token: string;
  minimal?: boolean;
  permissionTimeout?: string;
  store?: boolean;
}

/** Starts one daemon with glue-refd's flags (the mock also gets glue-refd's names) and waits for its startup lines. */
export async function startDaemon(kind: Kind, options: StartOptions): Promise<LiveDaemon> {
  const dir = mkdtempSync(join(tmpdir(), `glue-live-${kind}-`));
  dirs.push(dir);
  const metadataPath = join(dir, 'meta', 'daemon.json');
  const args = ['--listen', '127.0.0.1:0', '--token', options.token, '--metadata', metadataPath, '--permission-timeout', options.permissionTimeout ?? '0'];
  if (options.minimal) args.push('--minimal');
  if (options.store) args.push('--permission-store', join(dir, 'grants', 'permissions.json'));
  const child =
    kind === 'go'
      ? spawn(GO_DAEMON!, args, { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(process.execPath, [...cliArgv('glue-mock-daemon'), ...args, '--name', 'glue-refd', '--startup-name', 'glue refd'], {
          cwd: packageRoot(),
          env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: dir },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('close', (code, signal) => done({ code, signal })));
  const baseUrl = await within(
    (async () => {
      for (;;) {
        const line = /base_url: (\S+)\n/.exec(out);
        if (line?.[1]) return line[1];
        if (child.exitCode !== null) throw new Error(`${kind} daemon exited early: ${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })(),
    `the ${kind} daemon's startup lines`,
    20_000,
  );
  return { kind, child, baseUrl, port: Number(new URL(baseUrl).port), dir, metadataPath, stdout: () => out, stderr: () => err, exit };
}

export interface RawResponse {
  status: number;
  /** Header lines as sent, in order, `Name: value`. */
  headers: string[];
  body: string;
  /** The server closed the connection after this response. */
  closed: boolean;
}

/** Parses one HTTP/1.1 response (Content-Length, chunked, or up to the close). */
export function parseRaw(text: string, closed: boolean, head = false): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...headers] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const rest = text.slice(end + 4);
  const header = (name: string): string | undefined =>
    headers.find((h) => h.toLowerCase().startsWith(name + ':'))?.slice(name.length + 1).trim();
  if (head) return { status, headers, body: '', closed };
  const length = header('content-length');
  if (length !== undefined) return rest.length >= Number(length) ? { status, headers, body: rest.slice(0, Number(length)), closed } : undefined;
  if (header('transfer-encoding') === 'chunked') {
    let body = '';
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd < 0) return closed ? { status, headers, body, closed } : undefined;
      const size = parseInt(rest.slice(at, lineEnd), 16);
      if (size === 0) return { status, headers, body, closed };
      if (rest.length < lineEnd + 2 + size + 2) return closed ? { status, headers, body, closed } : undefined;
      body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }
  return closed ? { status, headers, body: rest, closed } : undefined;
}

/** One raw exchange: sends `bytes`, resolves with the first complete response (and whether the server then closed). */
export function rawExchange(port: number, bytes: string | Buffer, options: { timeoutMs?: number; head?: boolean; onData?: (text: string) => void } = {}): Promise<RawResponse> {
  return within(
    new Promise<RawResponse>((resolvePromise, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      let settled = false;
      const finish = (closed: boolean): void => {
        const parsed = parseRaw(text, closed, options.head);
        if (!parsed || settled) return;
        if (!closed && !/connection: close/i.test(parsed.headers.join('\n'))) {
          settled = true;
          socket.destroy();
          resolvePromise(parsed);
        } else if (closed) {
          settled = true;
          resolvePromise(parsed);
        }
      };
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
        options.onData?.(text);
        finish(false);
      });
      socket.on('close', () => {
        finish(true);
        if (!settled) reject(new Error(`connection closed without a complete response: ${JSON.stringify(text.slice(0, 300))}`));
      });
      socket.on('error', () => undefined);
      socket.write(bytes);
    }),
    `a raw exchange on port ${port}`,
    options.timeoutMs ?? 15_000,
  );
}

/** Ids, times and temp paths replaced, so the two daemons' answers compare. */
export function normalize(text: string, daemon: LiveDaemon): string {
  return text
    .split(daemon.dir)
    .join('$DIR')
    .replace(/\b(run|evt|perm)_[0-9a-f]{32}\b/g, '$1_<id>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z/g, (t) => (t.startsWith('0001-') ? t : '<time>'))
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/"pid":\s*\d+/g, '"pid":<pid>');
}
