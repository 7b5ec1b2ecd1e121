/**
 * The mock host from fixtures passed as data (no file system; the browser MSW entry): each
 * scenario or catalog is YAML text or an already parsed object, validated like a file. The
 * package's default scenarios and catalogs are bundled (bundled-fixtures.ts) and apply first.
 */
import type { MockHost } from '../host.js';
import { buildDefinitions } from './build-definitions.js';
import { checkSchema } from './schema-check.js';
import { defaultCatalogFiles, defaultScenarioFiles } from './bundled-fixtures.js';
import { createMockHost, type HostBehaviour } from './create-host.js';
import { MockHostLoadError, type LoadIssue } from './load-issue.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

/** One scenario or catalog: `text` is YAML (positions in messages), `value` a parsed object. */
export type FixtureSource = { name: string; text: string } | { name: string; value: unknown };

export interface MockHostSources extends HostBehaviour {
  scenarios?: readonly FixtureSource[];
  catalogs?: readonly FixtureSource[];
  /** `false`: only the given fixtures, not the package defaults. Default `true`. */
  includeDefaults?: boolean;
}

/** Throws `MockHostLoadError` listing every problem, as `loadMockHost` does. */
export function loadMockHostFromSources(options: MockHostSources = {}): MockHost {
  const issues: LoadIssue[] = [];
  const parse = (sources: readonly FixtureSource[]): YamlSource[] => sources.flatMap((source) => toSource(source, issues));
  const withDefaults = options.includeDefaults !== false;
  const groups = {
    catalogs: [...(withDefaults ? [parse(defaultCatalogFiles.map(asText))] : []), ...(options.catalogs ? [parse(options.catalogs)] : [])],
    scenarios: [...(withDefaults ? [parse(defaultScenarioFiles.map(asText))] : []), ...(options.scenarios ? [parse(options.scenarios)] : [])],
  };
  const definition = buildDefinitions(groups, issues, checkSchema);
  if (issues.length > 0) throw new MockHostLoadError(issues);
  return createMockHost(definition, options);
}

function asText(file: { file: string; text: string }): FixtureSource {
  return { name: file.file, text: file.text };
}

function toSource(source: FixtureSource, issues: LoadIssue[]): YamlSource[] {
  if ('text' in source) {
    const parsed = parseYamlSource(source.name, source.text);
    issues.push(...parsed.issues);
    return parsed.source ? [parsed.source] : [];
  }
  // A parsed object has no lines: every position is the start of the "file".
  return [{ file: source.name, value: source.value, positionOf: () => ({ line: 1, column: 1 }) }];
}
