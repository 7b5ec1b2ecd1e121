import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allChecks } from '../../conformance/checks/index.js';
import { README_END, README_START, renderChecksDoc, renderReadmeBlock } from '../../conformance/checks-doc.js';
import { AREAS } from '../../conformance/types.js';

const root = join(import.meta.dirname, '../..');

describe('check registry', () => {
  it('has unique, well-formed ids that match their area', () => {
    const ids = allChecks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const check of allChecks) {
      expect(check.id).toMatch(/^[A-Z]+-\d{3}$/);
      expect(check.id.startsWith(`${check.area}-`)).toBe(true);
      expect(AREAS).toContain(check.area);
      expect(check.rule.endsWith('.')).toBe(true);
      expect(check.reference).not.toBe('');
    }
  });

  it('docs/checks.md is up to date (npm run checks:list)', () => {
    expect(readFileSync(join(root, 'docs/checks.md'), 'utf8')).toBe(renderChecksDoc(allChecks));
  });

  it('the README checks block is up to date (npm run checks:list)', () => {
    const path = join(root, 'README.md');
    if (!existsSync(path)) return;
    const readme = readFileSync(path, 'utf8');
    const block = readme.slice(readme.indexOf(README_START), readme.indexOf(README_END) + README_END.length);
    expect(block).toBe(renderReadmeBlock(allChecks));
  });
});
