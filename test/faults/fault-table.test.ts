import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAULTS } from '../../reference-server/faults/catalogue.js';
import { faultTableMarkdown } from '../../reference-server/faults/fault-table.js';
import { packagePath } from '../../src/protocol/package-root.js';

describe('docs/faults.md', () => {
  it('is generated from the catalogue (regenerate with `npm run mutants -- --write-docs`)', () => {
    expect(readFileSync(packagePath('docs', 'faults.md'), 'utf8')).toBe(faultTableMarkdown(FAULTS));
  });

  it('names only well-formed check ids', () => {
    for (const fault of FAULTS) for (const id of fault.mustFail) expect(id, fault.name).toMatch(/^[A-Z]+-\d{3}$/);
  });
});
