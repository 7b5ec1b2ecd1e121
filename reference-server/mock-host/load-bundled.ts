/**
 * The daemon's default profile without YAML or ajv at start. When no scenario or catalog directory
 * is given and the package's default fixture files are exactly the bundled ones (bundled-fixtures.ts:
 * same names, same text; a test checks the bundled values against that text and the schemas), the
 * host is built from the bundled parsed values: the yaml parser, ajv and the compiled fixture
 * schemas (~20 MB of the daemon's RSS at start) are never loaded. Anything else (user directories,
 * an edited default file) goes through the full loader, imported only then, with every check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { MockHost } from '../host.js';
import { buildDefinitions } from './build-definitions.js';
import { defaultCatalogFiles, defaultScenarioFiles, type BundledFile } from './bundled-fixtures.js';
import { createMockHost } from './create-host.js';
import { defaultCatalogsDir, defaultScenariosDir } from './default-dirs.js';
import type { MockHostDefinition } from './definitions.js';
import { displayPath } from './display-path.js';
import type { LoadIssue } from './load-issue.js';
import type { LoadMockHostOptions } from './index.js';
import type { YamlSource } from './yaml-source.js';

/** Whether `dir` holds exactly the bundled files (the .yaml/.yml names the loader reads, byte for byte). */
export function holdsBundledFiles(dir: string, files: readonly BundledFile[]): boolean {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => ['.yaml', '.yml'].includes(extname(name)))
      .sort();
  } catch {
    return false;
  }
  if (names.length !== files.length) return false;
  return files.every((file, i) => {
    if (names[i] !== file.file) return false;
    try {
      return readFileSync(join(dir, file.file), 'utf8') === file.text;
    } catch {
      return false;
    }
  });
}

/** The sources the loader would have parsed from `dir`, from the bundled values. */
function bundledSources(dir: string, files: readonly BundledFile[]): YamlSource[] {
  return files.map((file) => ({
    file: displayPath(join(dir, file.file)),
    value: structuredClone(file.value),
    // Only the root's position is asked for (a scenario's `source.line`): files that passed
    // their checks raise no issue that would point inside them.
    positionOf: () => ({ line: file.line, column: 1 }),
  }));
}

/** The default definition from the bundled values, or undefined when the default files on disk differ. */
export function bundledDefinition(): MockHostDefinition | undefined {
  const scenarios = defaultScenariosDir();
  const catalogs = defaultCatalogsDir();
  if (!holdsBundledFiles(scenarios, defaultScenarioFiles) || !holdsBundledFiles(catalogs, defaultCatalogFiles)) return undefined;
  const issues: LoadIssue[] = [];
  // Schema-checked when bundled (test/mock-host/bundled-fixtures.test.ts), so not again here.
  const definition = buildDefinitions({ catalogs: [bundledSources(catalogs, defaultCatalogFiles)], scenarios: [bundledSources(scenarios, defaultScenarioFiles)] }, issues, () => []);
  return issues.length === 0 ? definition : undefined;
}

/** `loadMockHost`, without loading YAML or ajv for the default fixtures (the CLI's start). */
export async function loadMockHostLazily(options: LoadMockHostOptions = {}): Promise<MockHost> {
  const definition = options.scenariosDir === undefined && options.catalogsDir === undefined ? bundledDefinition() : undefined;
  if (definition) return createMockHost(definition, options);
  const { loadMockHost } = await import('./index.js');
  return loadMockHost(options);
}
