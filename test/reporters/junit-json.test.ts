import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJson, renderJunit } from '../../conformance/reporters/index.js';
import { shortRule } from '../../conformance/reporters/verdict.js';
import { parseXmlElements } from '../conformance/xml-well-formed.js';
import { sampleReport } from './sample-report.js';

const version = (JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

/** The <testcase> element whose name starts with `id:`. */
function testcaseOf(xml: string, id: string): string {
  const match = new RegExp(`<testcase [^>]*name="${id}: [^"]*"[^>]*(/>|>[\\s\\S]*?</testcase>)`).exec(xml);
  if (!match) throw new Error(`no testcase ${id}`);
  return match[0];
}

describe('JUnit reporter', () => {
  const xml = renderJunit(sampleReport());

  it('is well-formed and red exactly for the failures that fail the run (MUST, stale baseline)', () => {
    expect(parseXmlElements(xml)[0]).toBe('testsuites');
    expect(xml.match(/<failure /g)).toHaveLength(2);
    expect(testcaseOf(xml, 'SSE-005')).toContain('<failure message="expected seq 5 after 4, got 7 (text_delta)" type="MUST">');
    expect(testcaseOf(xml, 'ROUTE-002')).toContain('<failure ');
    expect(xml).toMatch(/<testsuites [^>]*tests="6" failures="2" errors="0" skipped="3"/);
  });

  it('reports a SHOULD failure as <skipped message="SHOULD failed …"> with the details in <system-out>', () => {
    const should = testcaseOf(xml, 'SSE-013');
    expect(should).not.toContain('<failure');
    expect(should).toContain('<skipped message="SHOULD failed (does not fail the run): Cache-Control is &quot;private&quot;, expected no-cache"/>');
    expect(should).toMatch(/<system-out>SSE-013 SHOULD: Rule of SSE-013[\s\S]*reference: ADR-0010/);
    expect(testcaseOf(xml, 'CAT-001')).toContain('<skipped message="expected failure: tools[0].name must be string"/>');
  });

  it('names test cases `ID: short rule`, stamps Ant timestamps and the kit version', () => {
    expect(xml).toContain(`name="HEALTH-001: ${shortRule(sampleReport().results[0]!.rule)}"`);
    expect(shortRule(sampleReport().results[0]!.rule)).toMatch(/^Rule of HEALTH-001, .{10,}…$/);
    expect(shortRule(sampleReport().results[0]!.rule).length).toBeLessThanOrEqual(72);
    expect(shortRule('Short rule.')).toBe('Short rule');
    const stamps = [...xml.matchAll(/timestamp="([^"]*)"/g)].map((m) => m[1]);
    expect(stamps.length).toBeGreaterThan(0);
    for (const stamp of stamps) expect(stamp).toBe('2026-12-01T09:05:30');
    expect(xml).toContain(`<property name="glue-conformance.version" value="${version}"/>`);
    expect(xml).toContain(`<testsuites name="glue-conformance ${version} http://127.0.0.1:1"`);
  });
});

describe('JSON reporter', () => {
  it('carries the kit version', () => {
    const parsed = JSON.parse(renderJson(sampleReport())) as { kitVersion: string; summary: unknown };
    expect(parsed.kitVersion).toBe(version);
    expect(Object.keys(parsed)[0]).toBe('kitVersion');
  });
});
