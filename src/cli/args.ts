/**
 * Argument helpers shared by the CLIs: Go's flag conventions (`-flag` and `--flag`, Go durations),
 * listen addresses, and the daemon token resolution of `daemon.ResolveToken`.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

/** A bad command line: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};
const DURATION_PART = /(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/y;

/** Go's `time.ParseDuration` (`1h2m3.5s`, `500ms`, `0`), in milliseconds. Throws `UsageError`. */
export function parseGoDuration(text: string): number {
  const invalid = (): UsageError => new UsageError(`invalid duration "${text}" (use Go syntax such as 2s, 500ms, 10m)`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < rest.length) {
    const at = DURATION_PART.lastIndex;
    const match = DURATION_PART.exec(rest);
    if (!match || match.index !== at) throw invalid();
    const [, number = '', unit = ''] = match;
    if (number === '' || number === '.') throw invalid();
    total += Number(number) * (DURATION_UNITS_MS[unit] ?? NaN);
  }
  if (!Number.isFinite(total)) throw invalid();
  return sign * total;
}

export interface ListenAddress {
  /** Host as given, brackets removed; `''` means every interface, as in Go. */
  host: string;
  port: number;
}

/** Go's `host:port` listen syntax (`127.0.0.1:0`, `[::1]:7777`, `:7777`). Throws `UsageError`. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`invalid --listen address "${text}" (want host:port, e.g. 127.0.0.1:0)`);
  }
  return { host: match[1] ?? match[2] ?? '', port };
}

/** Only loopback names and addresses; `''` (every interface) is not. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost') return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  if (isIP(lower) === 6) return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || lower.startsWith('::ffff:127.');
  return false;
}

export type TokenSource = 'flag' | 'GLUE_DAEMON_TOKEN' | 'generated';

/** Go's `daemon.ResolveToken`: the trimmed flag, else `$GLUE_DAEMON_TOKEN`, else 256 random bits as hex. */
export function resolveToken(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): { token: string; source: TokenSource } {
  const fromFlag = flag?.trim() ?? '';
  if (fromFlag !== '') return { token: fromFlag, source: 'flag' };
  const fromEnv = env.GLUE_DAEMON_TOKEN?.trim() ?? '';
  if (fromEnv !== '') return { token: fromEnv, source: 'GLUE_DAEMON_TOKEN' };
  return { token: randomBytes(32).toString('hex'), source: 'generated' };
}

/**
 * Go's flag package accepts `-listen` as well as `--listen`; node's parseArgs only the latter.
 * Single-dash long names of known options are rewritten, up to a `--` terminator.
 */
export function normalizeGoFlags(argv: readonly string[], longNames: ReadonlySet<string>): string[] {
  const out: string[] = [];
  let terminated = false;
  for (const arg of argv) {
    if (terminated || arg === '--') {
      terminated = true;
      out.push(arg);
      continue;
    }
    const name = /^-([a-z][a-z0-9-]+)(=.*)?$/.exec(arg)?.[1];
    out.push(name !== undefined && longNames.has(name) ? '-' + arg : arg);
  }
  return out;
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) for did-you-mean hints. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a third of the word's length (at least 2 edits), or a prefix match. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = name.startsWith(lower) && lower.length >= 3 ? 0.5 : editDistance(lower, name);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(lower.length / 3)) ? best.name : undefined;
}

/**
 * node's parseArgs error for an unknown option, with the nearest known flag named:
 * `unknown flag --reporer (did you mean --reporter?)`.
 */
export function unknownOptionMessage(error: unknown, longNames: readonly string[]): string | undefined {
  if (!(error instanceof Error) || (error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return undefined;
  const flag = /'(-{1,2}[^']+)'/.exec(error.message)?.[1] ?? '';
  const name = flag.replace(/^-+/, '').replace(/=.*$/, '');
  const guess = didYouMean(name, longNames);
  return `unknown flag ${flag}${guess ? ` (did you mean --${guess}?)` : ''}`;
}

/** `--timeout 30` → names the flag, the expected form, and the likely intent (`30s`). */
export function parseDurationFlag(flag: string, text: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(text);
  } catch {
    const hint = /^\d+(\.\d+)?$/.test(text.trim()) ? ` (did you mean ${text.trim()}s?)` : '';
    throw new UsageError(`--${flag} ${JSON.stringify(text)} is not a duration: give a number with a unit, Go syntax such as 30s, 500ms, 2m${hint}`);
  }
  if (!(ms > 0)) throw new UsageError(`--${flag} must be a positive duration such as 30s, got ${JSON.stringify(text)}`);
  return ms;
}
