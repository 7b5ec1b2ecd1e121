/**
 * Gives the young generation back to the OS when the daemon goes idle. V8 grows its new space
 * under load (to 16–32 MB) and shrinks it only in a GC that runs once allocation has been low for
 * its 5-second throughput window; an idle daemon runs no GC at all, so it kept the grown space for
 * good (after 1,000 `hello` runs: 84 MB; 69 MB after one minor GC). Every CHECK_MS (an unref'd timer)
 * this looks at the CPU time used since the last check: after QUIET_CHECKS quiet checks in a row it
 * runs one minor GC (about a millisecond on an idle heap), then none until the daemon was busy
 * again. Under load it does nothing but read the CPU clock every 2 s, so it costs no throughput.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const CHECK_MS = 2_000;
/** 4 × 2 s: at least 6 s after the last busy check, past V8's 5 s allocation-throughput window (a GC sooner does not shrink). */
export const QUIET_CHECKS = 4;
/** CPU time per check below which the process counts as idle (0.5 % of one core). */
export const QUIET_CPU_US = 10_000;

/** Decides, one check at a time, when to collect: once per idle stretch, after QUIET_CHECKS quiet checks. */
export function idlePolicy(): (cpuUsedUs: number) => boolean {
  let quiet = 0;
  let collected = false;
  return (cpuUsedUs) => {
    if (cpuUsedUs >= QUIET_CPU_US) {
      quiet = 0;
      collected = false;
      return false;
    }
    quiet++;
    if (collected || quiet < QUIET_CHECKS) return false;
    collected = true;
    return true;
  };
}

/** V8's `gc()` without `--expose-gc` on the command line (the flag set at run time, read by a new context). */
function minorGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as ((options?: { type: 'minor' | 'major' }) => void) | undefined;
    return typeof gc === 'function' ? () => gc({ type: 'minor' }) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the idle check; returns its stop function. */
export function startIdleCollector(): () => void {
  const collect = minorGc();
  if (!collect) return () => undefined;
  const due = idlePolicy();
  let last = process.cpuUsage();
  const timer = setInterval(() => {
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    if (!due(used.user + used.system)) return;
    try {
      collect();
    } catch {
      // A V8 without the `type` option: memory stays as it is, the daemon goes on.
      clearInterval(timer);
    }
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
