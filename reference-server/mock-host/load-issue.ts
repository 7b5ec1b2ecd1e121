/**
 * One problem found while loading fixtures, and the error that carries all of them. Every issue
 * names the file, the line and column, the JSON path inside the file, and how to fix it, e.g.
 * `fixtures/scenarios/x.yaml:4:5 /turns/0: unknown key 'toll' — did you mean 'tool'?`.
 */
import { sep } from 'node:path';
import { packagePath } from '../../src/protocol/package-root.js';
import { displayPath } from './yaml-source.js';

export interface LoadIssue {
  file: string;
  line: number;
  column: number;
  /** JSON Pointer inside the file's document, `''` for the whole document. */
  path: string;
  message: string;
  hint?: string;
}

export function formatIssue(issue: LoadIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}${issue.path ? ` ${issue.path}` : ''}`;
  return `${where}: ${issue.message}${issue.hint ? ` — ${issue.hint}` : ''}`;
}

/**
 * Where a user of the installed package finds the schemas and the guide (e.g.
 * `node_modules/glue-conformance/fixtures/schema/`), relative to the working directory when below it.
 */
export function schemaHelp(): string {
  const schemas = displayPath(packagePath('fixtures', 'schema'));
  return `schemas: ${schemas}${sep}scenario.schema.json and catalog.schema.json, guide: ${displayPath(packagePath('fixtures', 'README.md'))}`;
}

/** No program prefix: the CLI that prints it adds its own, once. */
export class MockHostLoadError extends Error {
  constructor(readonly issues: LoadIssue[]) {
    const lines = issues.map(formatIssue);
    super(
      `failed to load mock host fixtures: ${issues.length} problem${issues.length === 1 ? '' : 's'}. ` +
        `Fix the files below (${schemaHelp()}).\n` +
        lines.map((line) => `  ${line}`).join('\n'),
    );
    this.name = 'MockHostLoadError';
  }
}
