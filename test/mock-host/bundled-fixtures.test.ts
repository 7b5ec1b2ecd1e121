/**
 * The daemon's default profile builds its host from the bundled parsed fixtures, without the YAML
 * parser or ajv (load-bundled.ts). It must be the same host the full loader builds: the bundled
 * values are what their text parses to and pass the schemas, the definition equals the loader's,
 * an edited default file falls back to the full loader, and the CLI really loads neither module.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCatalogFiles, defaultScenarioFiles } from '../../reference-server/mock-host/bundled-fixtures.js';
import { defaultCatalogsDir, defaultScenariosDir } from '../../reference-server/mock-host/default-dirs.js';
import { bundledDefinition, holdsBundledFiles, loadMockHostLazily } from '../../reference-server/mock-host/load-bundled.js';
import { loadDefinitions } from '../../reference-server/mock-host/load-definitions.js';
import { MockHostLoadError } from '../../reference-server/mock-host/load-issue.js';
import { checkSchema } from '../../reference-server/mock-host/schema-check.js';
import { parseYamlSource } from '../../reference-server/mock-host/yaml-source.js';
import { packageRoot } from '../../src/protocol/package-root.js';
import { cliArgv } from '../support/cli-entry.js';

const temp = mkdtempSync(join(tmpdir(), 'bundled-fixtures-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('bundled default fixtures (the default profile loads without YAML or ajv)', () => {
  it('each bundled value is what its text parses to, its root line is right, and it passes its schema', () => {
    for (const [kind, files] of [['scenario', defaultScenarioFiles], ['catalog', defaultCatalogFiles]] as const) {
      for (const file of files) {
        const { source, issues } = parseYamlSource(file.file, file.text);
        expect(issues).toEqual([]);
        expect(file.value).toEqual(source?.value);
        expect(source?.positionOf([])).toEqual({ line: file.line, column: 1 });
        expect(checkSchema(kind, { file: file.file, value: file.value, positionOf: () => ({ line: 1, column: 1 }) })).toEqual([]);
      }
    }
  });

  it('builds the definition the full loader builds from the package fixtures', () => {
    const full = loadDefinitions({ scenarioDirs: [defaultScenariosDir()], catalogDirs: [defaultCatalogsDir()] });
    expect(bundledDefinition()).toEqual(full);
  });

  it('is used only while the directory holds exactly the bundled files', () => {
    const dir = join(temp, 'scenarios');
    cpSync(defaultScenariosDir(), dir, { recursive: true });
    expect(holdsBundledFiles(dir, defaultScenarioFiles)).toBe(true);
    const hello = join(dir, 'hello.yaml');
    writeFileSync(hello, readFileSync(hello, 'utf8').replace('Hello', 'Howdy'));
    expect(holdsBundledFiles(dir, defaultScenarioFiles)).toBe(false);
    cpSync(defaultScenariosDir(), dir, { recursive: true });
    writeFileSync(join(dir, 'extra.yml'), 'match: { text: extra }\nturns: [{ text: x }]\n');
    expect(holdsBundledFiles(dir, defaultScenarioFiles)).toBe(false);
    expect(holdsBundledFiles(join(temp, 'missing'), defaultScenarioFiles)).toBe(false);
  });

  it('a scenarios directory goes through the full loader, with every check', async () => {
    const dir = join(temp, 'bad');
    cpSync(defaultScenariosDir(), dir, { recursive: true });
    writeFileSync(join(dir, 'typo.yaml'), 'mtach: { text: typo }\nturns: [{ text: x }]\n');
    const failure = await loadMockHostLazily({ scenariosDir: dir }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MockHostLoadError);
    expect((failure as Error).message).toContain("did you mean 'match'?");
  });

  it('glue-mock-daemon with the default fixtures starts without loading the yaml parser or ajv', async () => {
    const hooks = join(temp, 'hooks.mjs');
    writeFileSync(hooks, "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`MODULE ${r.url}\\n`); return r; }\n");
    const register = join(temp, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const child = spawn(process.execPath, ['--import', pathToFileURL(register).href, ...cliArgv('glue-mock-daemon'), '--listen', '127.0.0.1:0', '--metadata', '', '--token', 'bundled-fixtures-token'], {
      cwd: packageRoot(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no base_url within 20 s; stderr: ${err.slice(-2000)}`)), 20_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('base_url: ')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const url = /base_url: (\S+)/.exec(out)?.[1] ?? '';
    // It serves the default scenarios.
    const started = await fetch(`${url}/v1/sessions/s/runs`, { method: 'POST', headers: { Authorization: 'Bearer bundled-fixtures-token' }, body: '{"text":"hello"}' });
    const run = (await started.json()) as { events_url: string };
    const events = await (await fetch(url + run.events_url, { headers: { Authorization: 'Bearer bundled-fixtures-token' } })).text();
    child.kill();
    expect(events).toContain('"delta":", world"');
    const modules = err.split('\n').filter((line) => line.startsWith('MODULE '));
    expect(modules.some((line) => line.includes('/reference-server/server.'))).toBe(true); // the hook saw the daemon's modules
    expect(modules.filter((line) => /node_modules\/(yaml|ajv|ajv-formats)\//.test(line))).toEqual([]);
  });
});
