/**
 * Writes reference-server/mock-host/bundled-fixtures.ts: the fixture JSON Schemas and the default
 * scenario and catalog YAML as data, so the mock host loads without a file system (browser MSW).
 * `--check` fails when the file is stale (npm test runs the same comparison).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderBundledFixtures, BUNDLED_FIXTURES_PATH } from './bundled-fixtures-source.js';

const out = fileURLToPath(new URL(`../${BUNDLED_FIXTURES_PATH}`, import.meta.url));
const text = renderBundledFixtures();
if (process.argv.includes('--check')) {
  if (readFileSync(out, 'utf8') !== text) {
    process.stderr.write(`${BUNDLED_FIXTURES_PATH} is stale: run npm run bundle:fixtures\n`);
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
}
