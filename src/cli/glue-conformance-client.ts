/**
 * `glue-conformance client`: runs the client suite against a Glue client command and prints the
 * report, with the daemon suite's selection, baseline, reporters and exit codes (0 every MUST
 * case passed, 1 a MUST case failed, 2 usage error).
 */
import { parseArgs } from 'node:util';
import { prettyLines, renderOutput, resultLines, summaryLine, writeReport } from '../../conformance/reporters/index.js';
import { SuiteError } from '../../conformance/runner.js';
import { SelectionError, type LevelFilter } from '../../conformance/select.js';
import { PLACEHOLDERS } from '../../client-conformance/command.js';
import { runClientSuite, selectClientCases, type ClientSuiteOptions } from '../../client-conformance/runner.js';
import { createFileSink, createStreamSink, type OutputSink, type Redactor } from '../output/index.js';
import { parseGoDuration, UsageError } from './args.js';
import type { ReporterName } from '../../conformance/reporters/index.js';

const PROGRAM = 'glue-conformance client';

const HELP = `Usage: ${PROGRAM} --command 'CMD …' [options]

Runs the Glue client conformance suite: for each case a case daemon (the reference daemon plus
the case's behaviour) starts on 127.0.0.1:0, the command runs against it, and the case is judged
from the requests the daemon recorded, the exit status and, where the case says so, stdout.

Client:
  --command CMD             the client command, run by /bin/sh; placeholders are replaced by
                            shell-quoted values: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}
                            ({url} and {token} are empty in CLI-META, which tests the metadata file)
                            environment: GLUE_DAEMON_TOKEN, GLUE_CONFORMANCE_CASE, XDG_CONFIG_HOME
  --answer-allow TEXT       stdin when the user allows a permission (default 'y\\n'; \\n is a newline)
  --answer-deny TEXT        stdin when the user denies (default 'n\\n')
Selection:
  --only ID|AREA            run only these cases or areas (repeatable, comma-separated)
  --skip ID|AREA            leave these out
  --level must|should       must: MUST cases only; should (default): all
  --list                    print the cases and exit
  --expected-failures FILE  case ids (one per line) known to fail: they do not fail the run,
                            and a listed case that passes does
Timing and bounds:
  --timeout DUR             time per case before the client is killed (default 10s;
                            the stall cases keep their own 12s)
  --concurrency N           cases at once (default 8)
  --max-output BYTES        stdout+stderr kept per case; more kills the client (default 8388608)
Output:
  --reporter NAME[=PATH]    pretty (default), json or junit; repeatable
  --out PATH                write the preceding --reporter to PATH
  --quiet                   print only failures and the final line
  --help

Exit status: 0 every MUST case passed, 1 a MUST case failed, 2 usage error.
`;

const OPTIONS = {
  command: { type: 'string' },
  'answer-allow': { type: 'string' },
  'answer-deny': { type: 'string' },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  level: { type: 'string' },
  list: { type: 'boolean' },
  'expected-failures': { type: 'string' },
  timeout: { type: 'string' },
  concurrency: { type: 'string' },
  'max-output': { type: 'string' },
  reporter: { type: 'string', multiple: true },
  out: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `y\n` on the command line means y + newline. */
const unescape = (text: string): string => text.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t');

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

export interface ClientIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** The daemon CLI's own report-flag parsing, colour rule and redactor, handed in so both commands behave alike. */
export interface SharedFlags {
  reporterTargets(tokens: ReadonlyArray<{ kind: string; name?: string; value?: string | undefined }>): Array<{ name: ReporterName; path?: string }>;
  readBaseline(path: string): string[];
  useColor(env: NodeJS.ProcessEnv, tty: boolean): boolean;
  /** The one redactor of every sink (seeded with GLUE_DAEMON_TOKEN); the suite adds each case token. */
  redactor: Redactor;
}

/** Console lines are wrapped by the sink, after redaction (a wrap could cut a secret in two). */
const UNWRAPPED = Number.POSITIVE_INFINITY;

/** Runs the client suite; everything it prints goes through a sink with the one redactor. */
export async function clientMain(argv: string[], io: ClientIo, { reporterTargets, readBaseline, useColor, redactor }: SharedFlags): Promise<number> {
  // Everything written goes through a sink: redacted, control bytes from the client shown as escapes.
  const out = createStreamSink(io.stdout, { redactor });
  // Error messages stay one line each (scripts match them).
  const err = createStreamSink(io.stderr, { redactor, width: 0 });
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, strict: true, allowPositionals: false, tokens: true, options: OPTIONS });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, tokens } = parsed;
    if (values.help) return out.document(HELP), 0;
    const level = values.level?.toLowerCase();
    if (level !== undefined && level !== 'must' && level !== 'should') throw new UsageError(`--level must be must or should, got ${JSON.stringify(values.level)}`);
    const selection = { ...(values.only ? { only: values.only } : {}), ...(values.skip ? { skip: values.skip } : {}), ...(level ? { level: level as LevelFilter } : {}) };
    if (values.list) {
      const cases = selectClientCases(selection);
      return out.document(`${cases.map((c) => `${c.id.padEnd(14)} ${c.level.padEnd(6)} ${c.rule}`).join('\n')}\n${cases.length} cases\n`), 0;
    }
    if (values.command === undefined || values.command.trim() === '') throw new UsageError("no client: pass --command 'CMD {url} {token} {prompt}'");
    const timeout = values.timeout === undefined ? undefined : parseGoDuration(values.timeout);
    if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`--timeout must be a positive duration, got ${JSON.stringify(values.timeout)}`);
    const concurrency = positiveInt('concurrency', values.concurrency);
    const maxOutput = positiveInt('max-output', values['max-output']);
    const reporters = reporterTargets(tokens ?? []);
    const options: ClientSuiteOptions = {
      command: values.command,
      ...selection,
      ...(values['answer-allow'] !== undefined ? { answerAllow: unescape(values['answer-allow']) } : {}),
      ...(values['answer-deny'] !== undefined ? { answerDeny: unescape(values['answer-deny']) } : {}),
      ...(values['expected-failures'] !== undefined ? { expectedFailures: readBaseline(values['expected-failures']) } : {}),
      ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(maxOutput !== undefined ? { maxOutputBytes: maxOutput } : {}),
    };

    const stdoutTaken = reporters.some((r) => r.name !== 'pretty' && r.path === undefined);
    const consoleStream = stdoutTaken ? io.stderr : io.stdout;
    const color = useColor(io.env, (consoleStream as { isTTY?: boolean }).isTTY === true);
    const console: OutputSink = createStreamSink(consoleStream, { redactor, color });
    if (!values.quiet) console.lines([`${PROGRAM}: testing ${values.command}`]);
    const report = await runClientSuite({
      ...options,
      redactor,
      ...(values.quiet ? {} : { onCaseResult: (result) => console.lines(resultLines(result, { color, width: UNWRAPPED })) }),
    });
    for (const target of reporters) {
      if (target.name === 'pretty' && target.path === undefined) continue;
      writeReport(target.path === undefined ? out : createFileSink(target.path, { redactor }), renderOutput(target.name, report));
    }
    if (values.quiet) {
      for (const failure of report.results.filter((r) => r.status === 'fail')) console.lines(resultLines(failure, { width: UNWRAPPED }));
      console.lines(summaryLine(report));
    } else console.lines(prettyLines(report, { color, progressShown: true, width: UNWRAPPED }));
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError || error instanceof SelectionError || (error instanceof SuiteError && error.kind === 'usage')) {
      err.lines([`${PROGRAM}: ${error.message}`, `Run ${PROGRAM} --help for usage.`]);
      return 2;
    }
    err.lines([`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}`]);
    return 2;
  }
}
