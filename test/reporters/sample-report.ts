/**
 * A small SuiteReport with one result of every kind (MUST fail, SHOULD fail, baselined failure,
 * stale baseline, pass, skip) and an SSE exchange, for the reporter tests.
 */
import type { CheckResult, SuiteReport } from '../../conformance/types.js';
import { summarize } from '../../conformance/outcome.js';

const sseBody = Array.from({ length: 8 }, (_, i) => `id: evt_${i + 1}\nevent: text_delta\ndata: {"type":"text_delta","seq":${i === 4 ? 7 : i + 1},"payload":{"delta":"${'x'.repeat(300)}"}}\n\n`).join('');

function result(partial: Partial<CheckResult> & Pick<CheckResult, 'id' | 'status'>): CheckResult {
  return {
    area: partial.id.split('-')[0] as CheckResult['area'],
    level: 'MUST',
    rule: `Rule of ${partial.id}, long enough to need a shorter form in a JUnit test case name, really quite long.`,
    reference: 'ADR-0010 §5; 049-events-hello.txt',
    profile: 'any',
    durationMs: 12,
    notes: [],
    exchanges: [],
    ...partial,
  };
}

export function sampleReport(): SuiteReport {
  const results: CheckResult[] = [
    result({ id: 'HEALTH-001', status: 'pass' }),
    result({
      id: 'SSE-005',
      status: 'fail',
      message: 'expected seq 5 after 4, got 7 (text_delta)',
      exchanges: [
        { method: 'POST', url: 'http://127.0.0.1:1/v1/sessions/s/runs', requestHeaders: { Authorization: 'Bearer <redacted>' }, requestBody: '{"text":"hello"}', status: 201, responseHeaders: { 'content-type': 'application/json' }, responseBody: '{"run_id":"run_1"}', durationMs: 3 },
        { method: 'GET', url: 'http://127.0.0.1:1/v1/runs/run_1/events', requestHeaders: { Authorization: 'Bearer <redacted>' }, status: 200, responseHeaders: { 'content-type': 'text/event-stream' }, responseBody: sseBody, durationMs: 4 },
      ],
    }),
    result({ id: 'SSE-013', level: 'SHOULD', status: 'fail', message: 'Cache-Control is "private", expected no-cache' }),
    result({ id: 'CAT-001', status: 'fail', expected: true, message: 'tools[0].name must be string' }),
    result({ id: 'ROUTE-002', level: 'SHOULD', status: 'fail', staleBaseline: true, message: 'ROUTE-002 is listed as an expected failure but passed; remove it from the expected-failures baseline' }),
    result({ id: 'PERM-001', status: 'skip', profile: 'scripted', message: 'needs the scripted profile (--profile scripted)' }),
  ];
  const { summary, ok } = summarize(results);
  return { url: 'http://127.0.0.1:1', profile: 'any', startedAt: '2026-12-01T09:05:30.123Z', durationMs: 1234, capabilities: ['runs'], results, summary, ok };
}
