import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allClientCases } from '../../client-conformance/cases/index.js';
import { renderClientCasesDoc } from '../../client-conformance/cases-doc.js';
import { GLUE_CONNECT_FAILURES } from '../../client-conformance/glue-connect-findings.js';
import { listClientFaults } from '../../client-conformance/reference-client/faults.js';
import { CLIENT_AREAS } from '../../client-conformance/types.js';

describe('client case registry', () => {
  it('has unique ids of the form AREA-NNN, a rule sentence and a reference', () => {
    const ids = allClientCases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of allClientCases) {
      expect(c.id).toMatch(/^CLI-[A-Z]+-\d{3}$/);
      expect(c.id.startsWith(`${c.area}-`)).toBe(true);
      expect(CLIENT_AREAS).toContain(c.area);
      expect(c.rule.endsWith('.')).toBe(true);
      expect(c.reference).not.toBe('');
    }
    for (const id of Object.keys(GLUE_CONNECT_FAILURES)) expect(ids).toContain(id);
  });

  it('docs/client-cases.md is up to date (npm run checks:list)', () => {
    const path = join(import.meta.dirname, '../../docs/client-cases.md');
    expect(readFileSync(path, 'utf8')).toBe(renderClientCasesDoc(allClientCases, listClientFaults()));
  });
});
