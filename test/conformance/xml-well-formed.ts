/**
 * A small XML well-formedness check for the JUnit report (no XML dependency in the kit): one
 * root element, balanced tags, quoted attributes, known entities, no raw `<` or `&` in text.
 * Returns the element names in document order, or throws with the offset of the first problem.
 */
const NAME = '[A-Za-z_:][-A-Za-z0-9_.:]*';
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*("[^"<]*"|'[^'<]*')`, 'y');
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);/y;

export function parseXmlElements(xml: string): string[] {
  const elements: string[] = [];
  const stack: string[] = [];
  let pos = 0;
  const problem = (what: string): never => {
    throw new Error(`not well-formed XML at offset ${pos}: ${what}`);
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) problem('unterminated XML declaration');
    pos = end + 2;
  }
  let rootClosed = false;
  while (pos < xml.length) {
    const ch = xml[pos];
    if (ch === '<') {
      if (xml.startsWith('</', pos)) {
        const match = new RegExp(`</(${NAME})\\s*>`, 'y');
        match.lastIndex = pos;
        const m = match.exec(xml) ?? problem('bad end tag');
        const open = stack.pop();
        if (open !== m[1]) problem(`</${m[1]}> closes <${open ?? 'nothing'}>`);
        if (stack.length === 0) rootClosed = true;
        pos = match.lastIndex;
      } else {
        if (rootClosed) problem('content after the root element');
        const start = new RegExp(`<(${NAME})`, 'y');
        start.lastIndex = pos;
        const m = start.exec(xml) ?? problem('bad start tag');
        const name = m[1] ?? '';
        pos = start.lastIndex;
        const seen = new Set<string>();
        for (;;) {
          ATTRIBUTE.lastIndex = pos;
          const a = ATTRIBUTE.exec(xml);
          if (!a) break;
          if (seen.has(a[1] ?? '')) problem(`duplicate attribute ${a[1]}`);
          seen.add(a[1] ?? '');
          checkEntities(a[2] ?? '', pos, problem);
          pos = ATTRIBUTE.lastIndex;
        }
        while (/\s/.test(xml[pos] ?? '')) pos++;
        elements.push(name);
        if (xml.startsWith('/>', pos)) {
          pos += 2;
          if (stack.length === 0) rootClosed = true;
        } else if (xml[pos] === '>') {
          pos += 1;
          stack.push(name);
        } else problem(`bad attribute in <${name}>`);
      }
    } else {
      const next = xml.indexOf('<', pos);
      const text = xml.slice(pos, next < 0 ? xml.length : next);
      if (stack.length === 0 && text.trim() !== '') problem('text outside the root element');
      checkEntities(text, pos, problem);
      pos = next < 0 ? xml.length : next;
    }
  }
  if (stack.length > 0) problem(`unclosed <${stack.at(-1)}>`);
  if (elements.length === 0) problem('no root element');
  return elements;
}

function checkEntities(text: string, offset: number, problem: (what: string) => never): void {
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.exec(text)) problem(`bad entity near offset ${offset + i}`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(text)) problem('control character');
}
