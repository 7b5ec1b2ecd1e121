/**
 * The command driver: runs the client under test as a shell command per case. Placeholders
 * (`{url} {token} {prompt} {session} {client_id} {metadata}`) are replaced by shell-quoted
 * values; the environment carries `GLUE_DAEMON_TOKEN`, `GLUE_CONFORMANCE_CASE` and an
 * `XDG_CONFIG_HOME` holding the case's metadata file; stdin gets the permission answer. The
 * command runs in its own process group, so an interrupt (SIGINT) and the deadline (SIGTERM,
 * then SIGKILL) reach everything it started; output past the cap kills it too.
 */
import { spawn } from 'node:child_process';
import type { ClientDriver, ClientSession } from './session.js';
import type { ClientOutcome } from './types.js';

export const PLACEHOLDERS = ['url', 'token', 'prompt', 'session', 'client_id', 'metadata'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface CommandDriverOptions {
  /** The command line with placeholders, run by /bin/sh. */
  command: string;
  /** Written to stdin when the user allows / denies (defaults `y\n`, `n\n`). */
  answerAllow?: string;
  answerDeny?: string;
  /** Bytes of stdout + stderr kept; more kills the client as flooding. Default 8 MiB. */
  maxOutputBytes?: number;
  /** Extra environment (the kit's own variables win). */
  env?: NodeJS.ProcessEnv;
  /** The shell; default /bin/sh. */
  shell?: string;
}

const DEFAULT_MAX_OUTPUT = 8 * 1024 * 1024;
const KILL_GRACE_MS = 1000;
/** After the shell exits, how long what it started may still run (and hold the pipes). */
const PIPE_GRACE_MS = 1000;

/** POSIX shell single-quoting: the value is one word, whatever it contains. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Unknown `{names}` are an error, so a typo never sends a literal `{urll}`. */
export function unknownPlaceholders(command: string): string[] {
  const names = [...command.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1] ?? '');
  return names.filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
}

export function fillCommand(command: string, values: Readonly<Record<Placeholder, string>>): string {
  return command.replace(/\{([a-z_]+)\}/g, (whole, name: string) => ((PLACEHOLDERS as readonly string[]).includes(name) ? shellQuote(values[name as Placeholder]) : whole));
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function commandDriver(options: CommandDriverOptions): ClientDriver {
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return (session: ClientSession) =>
    new Promise<ClientOutcome>((resolve) => {
      const started = Date.now();
      const hidden = session.metadataOnly;
      const line = fillCommand(options.command, {
        url: hidden ? '' : session.baseUrl,
        token: hidden ? '' : session.token,
        prompt: session.prompt,
        session: session.sessionId,
        client_id: session.clientId,
        metadata: session.metadataPath,
      });
      const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, GLUE_CONFORMANCE_CASE: session.caseId, XDG_CONFIG_HOME: session.configDir };
      delete env['GLUE_DAEMON_TOKEN'];
      if (!hidden) env['GLUE_DAEMON_TOKEN'] = session.token;
      const child = spawn(options.shell ?? '/bin/sh', ['-c', line], { detached: true, env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let bytes = 0;
      let flooded = false;
      let timedOut = false;
      let interrupted = false;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      let settled = false;

      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(killTimer);
        session.kill.removeEventListener('abort', onDeadline);
        session.interrupt.removeEventListener('abort', onInterrupt);
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({
          exitCode: exit?.code ?? null,
          signal: exit?.signal ?? null,
          timedOut,
          flooded,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          durationMs: Date.now() - started,
          interrupted,
        });
      };
      const terminate = (): void => {
        signalGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
      };
      const onDeadline = (): void => {
        if (exit) return;
        timedOut = true;
        terminate();
      };
      const onInterrupt = (): void => {
        if (exit) return;
        interrupted = true;
        signalGroup(child.pid, 'SIGINT');
      };
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        if (flooded) return;
        bytes += chunk.length;
        if (bytes > maxOutput) {
          flooded = true;
          signalGroup(child.pid, 'SIGKILL');
          return;
        }
        into.push(chunk);
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      child.stdin.on('error', () => undefined); // a client that never reads stdin closes it early
      child.on('error', (error) => {
        err.push(Buffer.from(`cannot run the client command: ${error.message}`));
        exit = { code: null, signal: null };
        finish();
      });
      child.on('exit', (code, signal) => {
        exit = { code, signal };
        // What it started (a shell's child still sending its DELETE) gets a short grace, then goes too.
        setTimeout(() => {
          signalGroup(child.pid, 'SIGKILL');
          finish();
        }, PIPE_GRACE_MS).unref();
      });
      child.on('close', () => {
        signalGroup(child.pid, 'SIGKILL');
        finish();
      });
      session.kill.addEventListener('abort', onDeadline, { once: true });
      session.interrupt.addEventListener('abort', onInterrupt, { once: true });
      const answer = session.answer === 'allow' ? (options.answerAllow ?? 'y\n') : session.answer === 'deny' ? (options.answerDeny ?? 'n\n') : '';
      child.stdin.end(answer.repeat(session.answers));
    });
}
