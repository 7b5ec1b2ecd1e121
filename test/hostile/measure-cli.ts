/**
 * Runs glue-conformance's main() in this process and prints what it cost as one JSON line:
 * exit code, peak RSS (MB) and bytes written to the console. For the memory regression test,
 * which needs a fresh process per measurement. `MEASURE_CLI` may name another CLI module (to
 * measure an older build for comparison).
 */
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const modulePath = process.env['MEASURE_CLI'] ?? new URL('../../src/cli/glue-conformance.ts', import.meta.url).pathname;
const { main } = (await import(pathToFileURL(modulePath).href)) as { main: (argv: string[], io: unknown) => Promise<number> };
let consoleBytes = 0;
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    consoleBytes += chunk.length;
    done();
  },
});
const code = await main(process.argv.slice(2), { stdout: sink, stderr: sink, env: process.env });
process.stdout.write(`${JSON.stringify({ code, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), consoleBytes })}\n`, () => process.exit(0));
