/**
 * The browser MSW entry without a browser: bundled for the browser platform it pulls in no Node
 * module (esbuild refuses `node:` imports there), the bundled fixtures are fresh, and fixtures
 * passed as data load and fail like files do.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { loadMockHostFromSources } from '../../reference-server/mock-host/from-sources.js';
import { MockHostLoadError } from '../../reference-server/mock-host/load-issue.js';
import { packagePath } from '../../src/protocol/package-root.js';
import { readFileSync } from 'node:fs';
import { BUNDLED_FIXTURES_PATH, renderBundledFixtures } from '../../scripts/bundled-fixtures-source.js';

describe('glue-conformance/msw/browser', () => {
  it('bundles for the browser with no Node built-in on its import graph', async () => {
    const result = await build({ entryPoints: [packagePath('src', 'msw', 'browser.ts')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', metafile: true });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((file) => file.startsWith('node:'))).toEqual([]);
    expect(inputs.some((file) => file.endsWith('reference-server/server.ts'))).toBe(true);
    expect(inputs.filter((file) => /permission-store-file|load-definitions|yaml-file|package-root/.test(file))).toEqual([]);
  });

  it('ships fresh bundled fixtures (npm run bundle:fixtures)', () => {
    expect(readFileSync(packagePath(BUNDLED_FIXTURES_PATH), 'utf8')).toBe(renderBundledFixtures());
  });

  it('loads scenarios passed as YAML text or objects, and reports their problems with did-you-mean', async () => {
    const host = loadMockHostFromSources({ delayScale: 0, scenarios: [{ name: 'ping.yaml', value: { match: { text: 'ping' }, turns: [{ text: 'pong' }] } }] });
    expect(host.toolCatalog?.().length).toBeGreaterThan(0);
    try {
      loadMockHostFromSources({ scenarios: [{ name: 'bad.yaml', text: 'mtach: { text: a }\nturns: [{ text: b }]\n' }] });
      throw new Error('expected a load error');
    } catch (error) {
      expect(error).toBeInstanceOf(MockHostLoadError);
      expect((error as Error).message).toContain("bad.yaml:1:1 /mtach: unknown key 'mtach' — did you mean 'match'?");
    }
  });
});
