/**
 * glue-conformance's `main()` in process, as the CLI tests drive it: stdout and stderr captured
 * as text, NO_COLOR set unless `env` says otherwise, stdout a TTY only when asked.
 */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/glue-conformance.js';

export interface MainRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(argv: string[], env: NodeJS.ProcessEnv = {}, tty = false): Promise<MainRun> {
  const stdout = Object.assign(new PassThrough(), tty ? { isTTY: true } : {});
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { stdout, stderr, env: { NO_COLOR: '1', ...env } });
  return { code, stdout: out, stderr: err };
}
