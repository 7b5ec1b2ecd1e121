/**
 * `npm run docs [-- OUT]`: the API reference as ONE offline HTML file (default docs/api.html).
 * Redoc's script is inlined (--inlineBundle) instead of loaded from a CDN, the page template
 * (openapi/docs/template.hbs) carries a CSP that forbids every network load, and Redocly's
 * telemetry is off (REDOCLY_TELEMETRY=off: neither the CLI nor the page reports usage).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { packagePath } from '../src/protocol/package-root.js';

const out = resolve(process.argv[2] ?? packagePath('docs', 'api.html'));
const require = createRequire(import.meta.url);
const cli = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
const result = spawnSync(
  process.execPath,
  [cli, 'build-docs', packagePath('openapi', 'glue-daemon.v1.yaml'), '--config', packagePath('openapi', 'redocly.yaml'), '--inlineBundle', '--template', packagePath('openapi', 'docs', 'template.hbs'), '--output', out],
  { stdio: 'inherit', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, timeout: 120_000 },
);
if (result.status !== 0) {
  process.stderr.write(`build-docs: redocly failed (${result.error?.message ?? `exit ${result.status}`})\n`);
  process.exit(1);
}
