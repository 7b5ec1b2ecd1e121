#!/usr/bin/env node
/**
 * glue-reference-client: the kit's reference Glue client as a command, for
 * `glue-conformance client --command 'glue-reference-client --url {url} --token {token} …'`.
 * Prints the streamed answer on stdout, permission questions and errors on stderr, reads
 * answers (y/n) from stdin, cancels the run on Ctrl-C, and exits 1 when the run failed.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseGoDuration } from '../../src/cli/args.js';
import { listClientFaults, type ClientFaultName } from './faults.js';
import { GlueClientError, runPrompt } from './glue-client.js';

const USAGE = `Usage: glue-reference-client --prompt TEXT [--url URL --token TOKEN | --metadata PATH]
  [--session ID] [--client-id ID] [--idle-timeout DUR]
Token default: $GLUE_DAEMON_TOKEN; URL and token default: the Glue metadata file.`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      metadata: { type: 'string' },
      prompt: { type: 'string' },
      session: { type: 'string' },
      'client-id': { type: 'string' },
      'idle-timeout': { type: 'string' },
      fault: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return process.stdout.write(`${USAGE}\n`), 0;
  if (!values.prompt?.trim()) return process.stderr.write(`glue-reference-client: --prompt is required\n${USAGE}\n`), 2;
  const known = new Set(listClientFaults().map((f) => f.name));
  const faults = new Set<ClientFaultName>();
  for (const name of values.fault ?? []) {
    if (!known.has(name as ClientFaultName)) return process.stderr.write(`glue-reference-client: unknown fault ${name}\n`), 2;
    faults.add(name as ClientFaultName);
  }

  // Answers are read line by line, one per permission question.
  const lines: string[] = [];
  const waiting: Array<(line: string | undefined) => void> = [];
  let closed = false;
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  input.on('close', () => {
    closed = true;
    for (const next of waiting.splice(0)) next(undefined);
  });
  const readLine = (): Promise<string | undefined> => (lines.length > 0 ? Promise.resolve(lines.shift()) : closed ? Promise.resolve(undefined) : new Promise((resolve) => waiting.push(resolve)));

  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  process.once('SIGTERM', () => interrupt.abort());
  let printed = false;
  try {
    await runPrompt({
      baseUrl: values.url,
      token: values.token || process.env['GLUE_DAEMON_TOKEN'],
      metadataPath: values.metadata,
      prompt: values.prompt,
      ...(values.session ? { sessionId: values.session } : {}),
      ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
      ...(values['idle-timeout'] ? { idleTimeoutMs: parseGoDuration(values['idle-timeout']) } : {}),
      signal: interrupt.signal,
      faults,
      onText: (delta) => {
        printed = true;
        process.stdout.write(delta);
      },
      onNotice: (message) => process.stderr.write(`${message}\n`),
      onPermission: async (question) => {
        process.stderr.write(`Permission requested: ${question.tool}${question.action ? ` ${question.action}` : ''}${question.target ? ` (${question.target})` : ''}. Allow? [y/N] `);
        const answer = (await readLine())?.trim().toLowerCase();
        return answer === 'y' || answer === 'yes';
      },
    });
    if (printed) process.stdout.write('\n');
    return 0;
  } catch (error) {
    if (printed) process.stdout.write('\n');
    const message = error instanceof GlueClientError ? error.message : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`glue-reference-client: ${message.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?')}\n`);
    return interrupt.signal.aborted ? 130 : 1;
  } finally {
    input.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`glue-reference-client: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
