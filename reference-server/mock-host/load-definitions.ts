/**
 * The Node side of fixture loading: reads the YAML files of each directory and hands them to
 * `buildDefinitions`; a problem anywhere throws one `MockHostLoadError` naming the installed schemas.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { packagePath } from '../../src/protocol/package-root.js';
import { buildDefinitions } from './build-definitions.js';
import { checkSchema } from './schema-check.js';
import type { MockHostDefinition } from './definitions.js';
import { MockHostLoadError } from './load-issue.js';
import type { LoadIssue } from './load-issue.js';
import { displayPath, readYamlSource } from './yaml-file.js';
import type { YamlSource } from './yaml-source.js';

export interface DefinitionDirs {
  /** Scenario directories, applied in order: a later scenario with the same name replaces an earlier one. */
  scenarioDirs: string[];
  /** Catalog directories, applied in order: later entries with the same key replace earlier ones. */
  catalogDirs: string[];
}

/** Reads, validates and merges every fixture file; throws one `MockHostLoadError` listing every problem. */
export function loadDefinitions(dirs: DefinitionDirs): MockHostDefinition {
  const issues: LoadIssue[] = [];
  const groups = {
    catalogs: dirs.catalogDirs.map((dir) => readDir(dir, issues)),
    scenarios: dirs.scenarioDirs.map((dir) => readDir(dir, issues)),
  };
  const definition = buildDefinitions(groups, issues, checkSchema);
  if (issues.length > 0) throw new MockHostLoadError(issues, schemaHelp());
  return definition;
}

/**
 * Where a user of the installed package finds the schemas and the guide (e.g.
 * `node_modules/glue-conformance/fixtures/schema/`), relative to the working directory when below it.
 */
export function schemaHelp(): string {
  const schemas = displayPath(packagePath('fixtures', 'schema'));
  return `schemas: ${schemas}${sep}scenario.schema.json and catalog.schema.json, guide: ${displayPath(packagePath('fixtures', 'README.md'))}`;
}

function readDir(dir: string, issues: LoadIssue[]): YamlSource[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    issues.push({
      file: displayPath(dir),
      line: 1,
      column: 1,
      path: '',
      message: 'directory not found',
      hint: 'pass an existing directory of .yaml files',
    });
    return [];
  }
  const sources: YamlSource[] = [];
  const files = readdirSync(dir)
    .filter((name) => ['.yaml', '.yml'].includes(extname(name)))
    .sort();
  for (const name of files) {
    const { source, issues: found } = readYamlSource(join(dir, name));
    issues.push(...found);
    if (source) sources.push(source);
  }
  return sources;
}
