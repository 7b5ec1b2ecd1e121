/**
 * The GitHub Action: action.yml and the README's workflow recipe validate against SchemaStore's
 * action and workflow schemas (@action-validator/core embeds them), the action's wiring matches
 * the script it runs, and that script (action/run.mjs) runs end to end against the reference
 * daemon: outputs, job summary, report files, exit codes 0, 1 and 2, and never the token.
 */
import { validateAction, validateWorkflow } from '@action-validator/core';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFaultyServer } from '../../reference-server/faults/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode } from '../../reference-server/serve-node.js';
import { cliArgv } from '../support/cli-entry.js';

const ROOT = join(import.meta.dirname, '../..');
const ACTION = readFileSync(join(ROOT, 'action.yml'), 'utf8');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function recipe(): string {
  const block = /<!-- ci-recipe:start -->\s*```yaml\n([\s\S]*?)```\s*<!-- ci-recipe:end -->/.exec(README);
  if (!block?.[1]) throw new Error('README has no ci-recipe block');
  return block[1];
}

interface ActionFile {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, string> }[] };
}

describe('action.yml and the README recipe', () => {
  it('validate against the SchemaStore schemas, and the validator rejects broken ones', () => {
    expect(validateAction(ACTION).errors).toEqual([]);
    expect(validateWorkflow(recipe()).errors).toEqual([]);
    // The recipe the README had before: no `on:` (what a new user hit).
    expect(validateWorkflow(recipe().replace(/^on:\n(  .*\n)+/m, '')).errors.map((e) => e.title)).toContain('This property is required');
    expect(validateAction(ACTION.replace('using: composite', 'using: bogus')).errors.length).toBeGreaterThan(0);
  });

  it('the recipe uses the action with inputs it has, and every input reaches the script', () => {
    const action = parse(ACTION) as ActionFile;
    expect(action.runs.using).toBe('composite');
    const workflow = parse(recipe()) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }> };
    const step = Object.values(workflow.jobs).flatMap((j) => j.steps).find((s) => s.uses?.includes('glue-conformance@'));
    expect(step?.uses).toMatch(/@v\d+\.\d+\.\d+$/);
    for (const key of Object.keys(step?.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
    const run = action.runs.steps.find((s) => s.id === 'run')!;
    expect(run.run).toBe('node "$GITHUB_ACTION_PATH/action/run.mjs"');
    const script = readFileSync(join(ROOT, 'action/run.mjs'), 'utf8');
    for (const name of Object.keys(action.inputs).filter((n) => !['node-version', 'upload', 'artifact-name', 'token'].includes(n))) {
      const variable = `INPUT_${name.toUpperCase().replace(/-/g, '_')}`;
      expect(run.env?.[variable], name).toBe(`\${{ inputs.${name} }}`);
      expect(script).toContain(`'${variable.slice('INPUT_'.length)}'`);
    }
    expect(run.env?.['GLUE_DAEMON_TOKEN']).toBe('${{ inputs.token }}');
    expect(action.runs.steps[0]?.uses).toBe('actions/setup-node@v4');
    expect(action.inputs['node-version']?.default).toBe('24');
    for (const output of ['passed', 'failed', 'skipped', 'exit-code']) expect(action.outputs[output]?.value).toBe(`\${{ steps.run.outputs.${output} }}`);
  });
});

interface ScriptRun {
  code: number | null;
  outputs: Record<string, string>;
  summary: string;
  dir: string;
  console: string;
}

/** Runs action/run.mjs the way the composite step does, with the kit from this working tree. */
function runScript(inputs: Record<string, string>, token: string): Promise<ScriptRun> {
  const dir = mkdtempSync(join(tmpdir(), 'glue-action-'));
  const outputFile = join(dir, 'output.txt');
  const summaryFile = join(dir, 'summary.md');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GLUE_DAEMON_TOKEN: token,
    GLUE_CONFORMANCE_COMMAND: JSON.stringify([process.execPath, ...cliArgv('glue-conformance')]),
    INPUT_REPORT_DIR: join(dir, 'reports'),
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name}`] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'action/run.mjs')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let console = '';
    child.stdout.on('data', (c: Buffer) => (console += c.toString()));
    child.stderr.on('data', (c: Buffer) => (console += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`action script still running: ${console.slice(-800)}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const outputs = Object.fromEntries(
        (existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : '')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      resolve({ code, outputs, summary: existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '', dir: join(dir, 'reports'), console });
    });
  });
}

describe('action/run.mjs end to end against the reference daemon', () => {
  const token = `action-${crypto.randomUUID()}`;
  const daemons: { url: string; close(): Promise<void> }[] = [];
  async function daemon(faults: string[]): Promise<string> {
    // Real delays: the scripted profile's timing checks need a `slow` run that is slow.
    const server = createFaultyServer({ token, host: loadMockHost(), permissionTimeoutMs: 500, faults });
    const node = await serveNode(server, { host: '127.0.0.1', port: 0, closeGraceMs: 200 });
    daemons.push({ url: node.url, close: async () => (await server.close().catch(() => undefined), await node.close()) });
    return node.url;
  }
  let clean: string;
  let broken: string;
  beforeAll(async () => {
    [clean, broken] = await Promise.all([daemon([]), daemon(['run-start-200'])]);
  });
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.close()));
  });

  it('a conforming daemon: exit 0, counts as outputs, the Markdown job summary and every report file', async () => {
    // The `any` profile: the action's wiring is under test here, not the daemon's timers.
    const run = await runScript({ URL: clean, PROFILE: 'any', WAIT: '30s', REPORTERS: 'junit,html' }, token);
    expect(run.code, run.console).toBe(0);
    expect(run.outputs['exit-code']).toBe('0');
    expect(run.outputs['failed']).toBe('0');
    const report = JSON.parse(readFileSync(join(run.dir, 'report.json'), 'utf8')) as { summary: { passed: number; skipped: number }; profile: string };
    expect(report.profile).toBe('any');
    expect(run.outputs['passed']).toBe(String(report.summary.passed));
    expect(run.outputs['skipped']).toBe(String(report.summary.skipped));
    expect(report.summary.passed).toBeGreaterThan(50);
    expect(run.outputs['report-dir']).toBe(run.dir);
    expect(readdirSync(run.dir).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'summary.md']);
    expect(run.summary).toMatch(/^## glue-conformance: ✅ every MUST check passed/);
    expect(run.console).toMatch(/\d+ passed, 0 failed, \d+ skipped/);
    for (const file of readdirSync(run.dir)) expect(readFileSync(join(run.dir, file), 'utf8')).not.toContain(token);
    expect(run.console + run.summary).not.toContain(token);
  });

  it('a broken daemon: exit 1, failed > 0, the failure in the summary', async () => {
    const run = await runScript({ URL: broken, WAIT: '30s', REPORTERS: 'junit' }, token);
    expect(run.code, run.console).toBe(1);
    expect(run.outputs['exit-code']).toBe('1');
    expect(Number(run.outputs['failed'])).toBeGreaterThan(0);
    expect(run.summary).toMatch(/^## glue-conformance: ❌ \d+ check\(s\) fail the run/);
    expect(run.summary).toContain('<code>RUN-001</code>');
  });

  it('nothing listening: --wait gives up, exit 2, and the summary says why', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const run = await runScript({ URL: `http://127.0.0.1:${port}`, WAIT: '500ms' }, token);
    expect(run.code).toBe(2);
    expect(run.outputs['exit-code']).toBe('2');
    expect(run.outputs['passed']).toBe('');
    expect(run.summary).toMatch(/^## glue-conformance: ❌ the suite did not run\n\n```text\nglue-conformance: the daemon at http:\/\/127\.0\.0\.1:\d+ was not ready within --wait 500 ms/);
  });

  it('maps every input to the kit command line, the token never among the arguments', () => {
    const env = { INPUT_URL: 'http://127.0.0.1:7777', INPUT_METADATA: '/ignored/when/url', INPUT_PROFILE: 'scripted', INPUT_PERMISSION_TIMEOUT: '2s', INPUT_EXPECTED_FAILURES: 'baseline.txt', INPUT_WAIT: '45s', INPUT_REPORTERS: 'junit, HTML', INPUT_REPORT_DIR: '/tmp/r', GLUE_DAEMON_TOKEN: token };
    const script = `import('${pathToFileURL(join(ROOT, 'action/run.mjs')).href}').then((m) => console.log(JSON.stringify(m.kitArguments(process.env))))`;
    const out = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
    const { args, reportDir } = JSON.parse(out.stdout) as { args: string[]; reportDir: string };
    expect(reportDir).toBe('/tmp/r');
    expect(args).toEqual([
      '--url', 'http://127.0.0.1:7777', '--profile', 'scripted', '--permission-timeout', '2s', '--expected-failures', 'baseline.txt', '--wait', '45s',
      '--reporter', 'json=/tmp/r/report.json', '--reporter', 'markdown=/tmp/r/summary.md', '--reporter', 'junit=/tmp/r/junit.xml', '--reporter', 'html=/tmp/r/report.html', '--reporter', 'pretty',
    ]);
    expect(args.join(' ')).not.toContain(token);
  });

  it('an unknown reporter is refused before anything runs', async () => {
    const run = await runScript({ URL: clean, REPORTERS: 'junit,htlm' }, token);
    expect(run.code).toBe(2);
    expect(run.console).toContain('reporters: unknown report "htlm"');
  });
});
