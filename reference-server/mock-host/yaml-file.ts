/** Reading a YAML fixture from disk (Node only); parsing is in yaml-source.ts. */
import { readFileSync } from 'node:fs';
import { displayPath } from './display-path.js';
import type { LoadIssue } from './load-issue.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

export { displayPath } from './display-path.js';

/** Parses one YAML file; read and syntax errors come back as issues, never thrown. */
export function readYamlSource(absolutePath: string): { source?: YamlSource; issues: LoadIssue[] } {
  const file = displayPath(absolutePath);
  let text: string;
  try {
    text = readFileSync(absolutePath, 'utf8');
  } catch (error) {
    return { issues: [{ file, line: 1, column: 1, path: '', message: `cannot read file: ${(error as Error).message}` }] };
  }
  return parseYamlSource(file, text);
}

