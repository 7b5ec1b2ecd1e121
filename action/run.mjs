#!/usr/bin/env node
/**
 * What action.yml runs: turns the action's inputs (INPUT_* variables) into one glue-conformance
 * command line, runs the pinned kit, then writes the step outputs (passed/failed/skipped,
 * exit-code, report-dir) and the job summary from the reports. Plain JavaScript with no
 * dependencies, so it runs from the action's checkout before anything is installed.
 *
 * The token travels as GLUE_DAEMON_TOKEN (environment), never on the command line. The exit
 * code is the kit's: 0 passed, 1 a check failed the run, 2 usage error or daemon unreachable.
 * GLUE_CONFORMANCE_COMMAND (a JSON array) replaces `npx --yes glue-conformance@VERSION`: the
 * kit's own tests run this script against the working tree that way.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPORT_FILES = { json: 'report.json', junit: 'junit.xml', html: 'report.html', markdown: 'summary.md' };
const STDERR_TAIL = 4096;

const input = (name) => (process.env[`INPUT_${name}`] ?? '').trim();

/** The version this action is tagged with: its own package.json. */
function actionVersion() {
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
  return JSON.parse(readFileSync(path, 'utf8')).version;
}

/** The kit's arguments for these inputs; throws on a reporter name it does not know. */
export function kitArguments(env = process.env) {
  const get = (name) => (env[`INPUT_${name}`] ?? '').trim();
  const reportDir = resolve(get('REPORT_DIR') || 'glue-conformance-report');
  const args = [];
  if (get('URL')) args.push('--url', get('URL'));
  else if (get('METADATA')) args.push('--metadata', get('METADATA'));
  if (get('PROFILE')) args.push('--profile', get('PROFILE'));
  if (get('PERMISSION_TIMEOUT')) args.push('--permission-timeout', get('PERMISSION_TIMEOUT'));
  if (get('EXPECTED_FAILURES')) args.push('--expected-failures', get('EXPECTED_FAILURES'));
  if (get('WAIT')) args.push('--wait', get('WAIT'));
  const wanted = new Set(['json', 'markdown']);
  for (const name of get('REPORTERS').split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '' && n !== 'pretty')) {
    if (!(name in REPORT_FILES)) throw new Error(`reporters: unknown report ${JSON.stringify(name)} (use ${Object.keys(REPORT_FILES).join(', ')})`);
    wanted.add(name);
  }
  for (const name of wanted) args.push('--reporter', `${name}=${join(reportDir, REPORT_FILES[name])}`);
  args.push('--reporter', 'pretty');
  return { args, reportDir };
}

function kitCommand(version) {
  const override = process.env['GLUE_CONFORMANCE_COMMAND'];
  if (override) return JSON.parse(override);
  return ['npx', '--yes', `glue-conformance@${version}`];
}

/** Runs the kit with the console passed through; resolves to its exit code and stderr's tail. */
function runKit(command, args) {
  return new Promise((resolvePromise) => {
    const child = spawn(command[0], [...command.slice(1), ...args], { stdio: ['ignore', 'inherit', 'pipe'], env: process.env });
    let tail = '';
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-STDERR_TAIL);
    });
    child.on('error', (error) => resolvePromise({ code: 2, tail: `cannot start ${command[0]}: ${error.message}` }));
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 2 : 1), tail }));
  });
}

function setOutputs(outputs) {
  const file = process.env['GITHUB_OUTPUT'];
  const text = Object.entries(outputs).map(([name, value]) => `${name}=${String(value).replace(/[\r\n]+/g, ' ')}\n`).join('');
  if (file) appendFileSync(file, text);
  else process.stdout.write(text);
}

function writeSummary(markdown) {
  const file = process.env['GITHUB_STEP_SUMMARY'];
  if (file) appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
}

async function main() {
  let plan;
  try {
    plan = kitArguments();
  } catch (error) {
    process.stderr.write(`glue-conformance action: ${error.message}\n`);
    return 2;
  }
  mkdirSync(plan.reportDir, { recursive: true });
  const version = input('VERSION') || actionVersion();
  const command = kitCommand(version);
  process.stdout.write(`glue-conformance action: running glue-conformance ${version}\n`);
  const { code, tail } = await runKit(command, plan.args);

  const jsonPath = join(plan.reportDir, REPORT_FILES.json);
  const counts = { passed: '', failed: '', skipped: '' };
  if (existsSync(jsonPath)) {
    const summary = JSON.parse(readFileSync(jsonPath, 'utf8')).summary ?? {};
    for (const name of Object.keys(counts)) counts[name] = String(summary[name] ?? '');
  }
  setOutputs({ ...counts, 'exit-code': code, 'report-dir': plan.reportDir });
  const markdownPath = join(plan.reportDir, REPORT_FILES.markdown);
  if (existsSync(markdownPath)) writeSummary(readFileSync(markdownPath, 'utf8'));
  else {
    // No report: the kit stopped before the suite (exit 2). Its reason is the last stderr line.
    const reason = tail.trim().split('\n').filter((l) => !l.startsWith('Run glue-conformance --help')).at(-1) ?? `exit code ${code}`;
    writeSummary(`## glue-conformance: ❌ the suite did not run\n\n\`\`\`text\n${reason.replace(/`/g, "'")}\n\`\`\`\n`);
  }
  return code;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
