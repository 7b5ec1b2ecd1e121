#!/usr/bin/env node
/**
 * `npm test`: the static checks (`typecheck`, `lint:spec`, `check:generated`, one after another,
 * at a lower CPU priority) and `vitest run` at the same time, instead of one after the other. tsc alone takes ~12 s on one
 * core while vitest's global setup compiles on the other and its workers then wait on sockets and
 * child processes. vitest's output goes straight to the console; the static checks' output is
 * held and printed after it (a check that fails prints at once and stops vitest: `&&` as before).
 * Exit code: the first failure's, else 0. Extra arguments go to vitest (`npm test -- test/spec`).
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const STATIC = ['typecheck', 'lint:spec', 'check:generated'];
/** Output of one static check held at most (a type error report is a few KB). */
const MAX_HELD_CHARS = 1 << 20;

const posix = process.platform !== 'win32';
const children = new Set();
/** `group`: the child leads a process group of its own, so stop() reaches everything it started. */
function start(command, args, stdio, group = false) {
  const child = spawn(command, args, { cwd: root, stdio, shell: !posix, detached: group && posix });
  child.group = group && posix;
  children.add(child);
  child.once('close', () => children.delete(child));
  return child;
}
/** vitest exits on a signal without stopping its workers (they linger until they notice): hence the group. */
function stop(child, signal) {
  try {
    if (child.group) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}
const exitOf = (child) => new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {
  for (const child of children) stop(child, signal);
  process.exit(1);
});

const vitest = start(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)], 'inherit', true);
const vitestDone = exitOf(vitest);

/** Runs the static checks in order; resolves their held output and the first failing exit code. */
async function staticChecks() {
  let output = '';
  for (const script of STATIC) {
    const child = start(npm, ['run', '-s', script], ['ignore', 'pipe', 'pipe']);
    // Niced (its processes inherit it): the checks only need the CPU the tests leave, while
    // tests with permission timeouts and in-process daemons are the ones a busy core delays.
    try {
      setPriority(child.pid, 10);
    } catch {
      // not permitted here: the checks just compete as equals
    }
    let text = '';
    let dropped = 0;
    // Held until vitest is done, so capped: a check gone wrong must not grow this process without bound.
    const hold = (chunk) => {
      const room = MAX_HELD_CHARS - text.length;
      if (room >= chunk.length) text += chunk;
      else {
        text += String(chunk).slice(0, Math.max(0, room));
        dropped += chunk.length - Math.max(0, room);
      }
    };
    child.stdout.setEncoding('utf8').on('data', hold);
    child.stderr.setEncoding('utf8').on('data', hold);
    const code = await exitOf(child);
    if (dropped > 0) text += `\n… ${dropped} more characters of output not kept (run \`npm run ${script}\` alone to see them)\n`;
    output += `> npm run ${script}: ${code === 0 ? 'ok' : `exit ${code}`}\n${text}`;
    if (code !== 0) return { output, code, failed: script };
  }
  return { output, code: 0 };
}

const checks = await staticChecks();
if (checks.code !== 0) {
  stop(vitest, 'SIGTERM');
  await vitestDone;
  process.stdout.write(`\n${checks.output}\nnpm test: ${checks.failed} failed (exit ${checks.code}); vitest stopped\n`);
  process.exit(checks.code);
}
const vitestCode = await vitestDone;
process.stdout.write(`\n${checks.output}`);
process.exit(vitestCode);
