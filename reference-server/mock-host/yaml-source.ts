import { LineCounter, isMap, isNode, isPair, isScalar, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { LoadIssue } from './load-issue.js';

export interface Position {
  line: number;
  column: number;
}

/** A parsed YAML file that can tell the position of any value (or key) inside it. */
export interface YamlSource {
  /** Path shown in messages: relative to the working directory when below it. */
  file: string;
  value: unknown;
  /** Position (1-based) of the value at `path`; with `key`, of that key inside the mapping at `path`. */
  positionOf(path: readonly (string | number)[], key?: string): Position;
}

export function parseYamlSource(file: string, text: string): { source?: YamlSource; issues: LoadIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((error) => {
        const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          path: '',
          message: `invalid YAML: ${firstLine(error.message)}`,
          hint: 'fix the YAML syntax (indentation, quotes, a missing ":")',
        };
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { issues: [{ file, line: 1, column: 1, path: '', message: `invalid YAML: ${firstLine((error as Error).message)}` }] };
  }
  return {
    issues: [],
    source: { file, value, positionOf: (path, key) => positionOf(doc, lineCounter, path, key) },
  };
}

function positionOf(doc: Document, lineCounter: LineCounter, path: readonly (string | number)[], key?: string): Position {
  // Walk down as far as the path exists: a missing value points at its nearest parent.
  let node: unknown = doc.contents;
  let best: Node | null = isNode(node) ? node : null;
  let complete = true;
  for (const segment of path) {
    const next: unknown = isNode(node) && 'get' in node ? (node as { get(k: unknown, keep: true): unknown }).get(segment, true) : undefined;
    if (!isNode(next)) {
      complete = false;
      break;
    }
    node = next;
    best = next;
  }
  if (complete && key !== undefined && isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
    if (pair && isNode(pair.key) && pair.key.range) return toPosition(lineCounter, pair.key.range[0]);
  }
  return toPosition(lineCounter, best?.range?.[0] ?? 0);
}

function toPosition(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
