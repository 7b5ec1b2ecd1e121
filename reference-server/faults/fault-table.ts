/**
 * The fault → checks table as Markdown, generated from the catalogue so docs/faults.md can
 * never disagree with the data (a test compares them).
 */
import type { FaultDefinition } from './catalogue.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function faultTableMarkdown(faults: readonly FaultDefinition[]): string {
  const lines = [
    '# Fault catalogue',
    '',
    '<!-- Generated from reference-server/faults/catalogue.ts by `npm run mutants -- --write-docs`; do not edit by hand. -->',
    '',
    'Each fault is a switch of the reference daemon (`glue-mock-daemon --fault NAME`, or',
    '`createFaultyServer({ ..., faults: [NAME] })` in-process) that breaks exactly one rule. The conformance',
    'checks in the last column must fail against a daemon with that fault; `npm run mutants` runs the suite',
    'against every fault and reports the kill rate, and `test/faults/faults.test.ts` asserts the table in `npm test`.',
    '',
    `${faults.length} faults.`,
    '',
    'To add a fault: give it a row in `reference-server/faults/catalogue.ts` (the one rule it breaks and the',
    'checks that must catch it), then either a middleware in `reference-server/faults/*-faults.ts` (a rewrite of',
    'one request, response or SSE frame: preferred) or, when it needs the daemon\'s inner state, a hook in',
    '`reference-server/internal-faults.ts` with `via: internal`. Regenerate this page and run `npm run mutants`.',
    '',
    '| fault | area | rule broken | via | checks that must fail |',
    '|---|---|---|---|---|',
    ...faults.map(
      (fault) =>
        `| \`${fault.name}\` | ${fault.area} | ${cell(fault.rule)} | ${fault.via}${fault.host === 'minimal' ? ', minimal host' : ''} | ${fault.mustFail.map((id) => `\`${id}\``).join(', ') || '—'} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
