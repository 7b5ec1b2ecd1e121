/**
 * Console wrapping, done by the sink after redaction: a reporter that wrapped its own lines could
 * cut a secret in two, and neither half would be recognised. Style markers (private-use
 * characters, see style.ts) take no columns and are never cut. Linear in the line's length.
 */

const isInvisible = (c: string): boolean => c >= '\uE000' && c <= '\uF8FF';

/**
 * `line` in lines of at most `columns` visible characters: breaks at spaces, hard-breaks a longer
 * word, continuation lines indented `hang` spaces beyond the line's own indent.
 */
export function wrapLine(line: string, columns = 80, hang = 2): string[] {
  const chars = Array.from(line);
  let total = 0;
  for (const c of chars) if (!isInvisible(c)) total++;
  if (total <= columns) return [line];
  let at = 0;
  while (chars[at] === ' ') at++;
  const indent = ' '.repeat(at);
  const next = indent + ' '.repeat(hang);
  const out: string[] = [];
  let prefix = indent;
  let current = '';
  let currentWidth = 0;
  const flush = (): void => {
    out.push(prefix + current);
    prefix = next;
    current = '';
    currentWidth = 0;
  };
  while (at <= chars.length) {
    let end = at;
    let wordWidth = 0;
    while (end < chars.length && chars[end] !== ' ') {
      if (!isInvisible(chars[end] ?? '')) wordWidth++;
      end++;
    }
    let start = at;
    for (;;) {
      const room = columns - prefix.length - (current === '' ? 0 : currentWidth + 1);
      if (wordWidth <= room) {
        const word = chars.slice(start, end).join('');
        current = current === '' ? word : `${current} ${word}`;
        currentWidth += (currentWidth === 0 ? 0 : 1) + wordWidth;
        if (current === word) currentWidth = wordWidth;
        break;
      }
      if (current !== '' && (wordWidth <= columns - next.length || room < 8)) {
        flush();
        continue;
      }
      // Hard break: take `take` visible characters (and the markers among them).
      const take = Math.max(1, room);
      let cut = start;
      let seen = 0;
      while (cut < end && (seen < take || isInvisible(chars[cut] ?? ''))) {
        if (!isInvisible(chars[cut] ?? '')) seen++;
        cut++;
      }
      const head = chars.slice(start, cut).join('');
      current = current === '' ? head : `${current} ${head}`;
      flush();
      wordWidth -= seen;
      start = cut;
      if (start >= end) break;
    }
    at = end + 1;
  }
  if (current !== '') out.push(prefix + current);
  return out;
}
