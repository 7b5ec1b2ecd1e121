/**
 * One problem found while loading fixtures, and the error that carries all of them. Every issue
 * names the file, the line and column, the JSON path inside the file, and how to fix it, e.g.
 * `fixtures/scenarios/x.yaml:4:5 /turns/0: unknown key 'toll' — did you mean 'tool'?`.
 */

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

/** No program prefix: the CLI that prints it adds its own, once. */
export class MockHostLoadError extends Error {
  /** `help` says where the schemas and the guide are (the Node loader names the installed files). */
  constructor(
    readonly issues: LoadIssue[],
    help = 'schemas: glue-conformance/fixtures/schema/, guide: glue-conformance/fixtures/README.md',
  ) {
    const lines = issues.map(formatIssue);
    super(
      `failed to load mock host fixtures: ${issues.length} problem${issues.length === 1 ? '' : 's'}. ` +
        `Fix the files below (${help}).\n` +
        lines.map((line) => `  ${line}`).join('\n'),
    );
    this.name = 'MockHostLoadError';
  }
}
