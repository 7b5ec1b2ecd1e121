/**
 * The kernel's count of connections a listen queue had no room for (TcpExt ListenOverflows in
 * /proc/net/netstat): a burst that overflows a listener's backlog loses SYNs, and the client
 * retries them after a second, which shows up as a bimodal wall time. System-wide, so a sample's
 * delta also counts other loopback listeners' overflows (nothing else bursts during a bench).
 */
import { readFile } from 'node:fs/promises';

/** One counter of a /proc/net/netstat (or /proc/net/snmp) text: a line of names, then a line of values. */
export function netstatCounter(text: string, group: string, name: string): number {
  const lines = text.split('\n').filter((line) => line.startsWith(`${group}:`));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = (lines[i] ?? '').trim().split(/\s+/);
    const values = (lines[i + 1] ?? '').trim().split(/\s+/);
    const at = names.indexOf(name);
    if (at > 0 && values.length === names.length) return Number(values[at]);
  }
  return Number.NaN;
}

/** ListenOverflows so far; NaN where /proc/net/netstat does not exist (not Linux). */
export async function listenOverflows(): Promise<number> {
  try {
    return netstatCounter(await readFile('/proc/net/netstat', 'utf8'), 'TcpExt', 'ListenOverflows');
  } catch {
    return Number.NaN;
  }
}
