/**
 * Writes docs/checks.md and the README's checks block from the check registry.
 * `--check` writes nothing and exits 1 when either is stale (the same test runs in vitest).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { allChecks } from '../conformance/checks/index.js';
import { renderChecksDoc, renderReadmeBlock, replaceReadmeBlock } from '../conformance/checks-doc.js';
import { packagePath } from '../src/protocol/package-root.js';
import { allClientCases } from '../client-conformance/cases/index.js';
import { renderClientCasesDoc } from '../client-conformance/cases-doc.js';
import { listClientFaults } from '../client-conformance/reference-client/faults.js';

const checkOnly = process.argv.includes('--check');
const docPath = packagePath('docs', 'checks.md');
const readmePath = packagePath('README.md');

const wanted = new Map<string, string>([
  [docPath, renderChecksDoc(allChecks)],
  [packagePath('docs', 'client-cases.md'), renderClientCasesDoc(allClientCases, listClientFaults())],
]);
if (existsSync(readmePath)) {
  const readme = readFileSync(readmePath, 'utf8');
  wanted.set(readmePath, replaceReadmeBlock(readme, renderReadmeBlock(allChecks)));
}

let stale = 0;
for (const [path, text] of wanted) {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) continue;
  stale++;
  if (checkOnly) process.stderr.write(`${path} is stale; run npm run checks:list\n`);
  else writeFileSync(path, text);
}
if (!checkOnly) process.stdout.write(`${allChecks.length} checks; ${stale} file(s) updated\n`);
process.exitCode = checkOnly && stale > 0 ? 1 : 0;
