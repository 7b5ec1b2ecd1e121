import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { catalogSchema, scenarioSchema } from './bundled-fixtures.js';
import type { LoadIssue } from './load-issue.js';
import type { YamlSource } from './yaml-source.js';
import { closest } from './did-you-mean.js';

export { closest } from './did-you-mean.js';

export type FixtureKind = 'scenario' | 'catalog';

const validators = new Map<FixtureKind, ValidateFunction>();

/** The compiled schema for a fixture kind (compiled once per process: ajv compilation is the slow part). */
function validatorFor(kind: FixtureKind): ValidateFunction {
  const cached = validators.get(kind);
  if (cached) return cached;
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  // ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
  const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default;
  addFormats(ajv, ['date-time']);
  // fixtures/schema/*.json as data (bundled-fixtures.ts, kept fresh by a test), so no file system is needed.
  const schema = kind === 'scenario' ? scenarioSchema : catalogSchema;
  const validate = ajv.compile(schema);
  validators.set(kind, validate);
  return validate;
}

/** Validates a parsed file against its JSON Schema; each ajv error becomes an issue with a line and a fix hint. */
export function checkSchema(kind: FixtureKind, source: YamlSource): LoadIssue[] {
  const validate = validatorFor(kind);
  if (validate(source.value)) return [];
  const errors = pruneErrors(validate.errors ?? []);
  // In file order, so the list reads top to bottom like the file.
  return errors.map((error) => issueFor(error, source)).sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Drops errors that only restate another: `if` wrappers, duplicates, and for a `oneOf` either the
 * branch the value evidently meant (its type matched, so its own errors, an unknown key's
 * did-you-mean included, are the useful ones) or, when no branch fits, the per-branch errors.
 * A `required` key that an unknown sibling key is a typo of is left to that key's did-you-mean.
 */
function pruneErrors(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const oneOf of errors.filter((error) => error.keyword === 'oneOf')) {
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors) {
      if (!error.schemaPath.startsWith(oneOf.schemaPath + '/')) continue;
      const branch = error.schemaPath.slice(oneOf.schemaPath.length + 1).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    const fits = [...branches.values()].find((list) =>
      list.every((error) => !(error.instancePath === oneOf.instancePath && ['type', 'const', 'enum'].includes(error.keyword))),
    );
    if (fits) dropped.add(oneOf);
    for (const list of branches.values()) if (list !== fits) list.forEach((error) => dropped.add(error));
  }
  for (const error of errors) {
    if (error.keyword !== 'required') continue;
    const missing = String((error.params as Record<string, unknown>)['missingProperty']);
    const typo = errors.some(
      (other) =>
        other.keyword === 'additionalProperties' &&
        other.instancePath === error.instancePath &&
        closest(String((other.params as Record<string, unknown>)['additionalProperty']), allowedProperties(other) ?? []) === missing,
    );
    if (typo) dropped.add(error);
  }
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword === 'if' || dropped.has(error)) continue;
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(error);
  }
  return out;
}

function issueFor(error: ErrorObject, source: YamlSource): LoadIssue {
  const path = pointerSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const extra = error.keyword === 'additionalProperties' ? params['additionalProperty'] : undefined;
  const position = typeof extra === 'string' ? source.positionOf(path, extra) : source.positionOf(path);
  return {
    file: source.file,
    line: position.line,
    column: position.column,
    // An unknown key is reported at its own path, where the fix goes.
    path: typeof extra === 'string' ? `${error.instancePath}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}` : error.instancePath || '/',
    message: messageFor(error),
    hint: hintFor(error),
  };
}

function messageFor(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key '${String(params['additionalProperty'])}'`;
    case 'required':
      return `missing key '${String(params['missingProperty'])}'`;
    case 'oneOf':
      return 'is not one of the allowed forms';
    case 'maxProperties':
    case 'minProperties': {
      const limit = Number(params['limit']);
      return `must have ${error.keyword === 'maxProperties' ? 'at most' : 'at least'} ${limit} key${limit === 1 ? '' : 's'}`;
    }
    case 'enum':
      return `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/** Placeholders for `add "<prop>: …"` hints, so a fix can be typed in directly. */
const PLACEHOLDERS: Record<string, string> = {
  tool: '<tool name>',
  match: '{ text: <prompt> }',
  turns: '[{ text: <reply> }]',
  name: '<name>',
  instructions: '<what the model is told>',
  server: '<MCP server name>',
  uri: '<resource uri>',
  count: '<number of deltas>',
  delta: '<delta text>',
  id: '<id>',
  content: '<text>',
  session_id: '<session id>',
  snippet: '<text>',
  hits: '[]',
  role: 'user',
  messages: '[]',
  text: '<text>',
};

function hintFor(error: ErrorObject): string | undefined {
  const params = error.params as Record<string, unknown>;
  const allowed = allowedProperties(error);
  switch (error.keyword) {
    case 'required': {
      const prop = String(params['missingProperty']);
      return `add '${prop}: ${PLACEHOLDERS[prop] ?? '<value>'}'`;
    }
    case 'additionalProperties': {
      const prop = String(params['additionalProperty']);
      const guess = allowed ? closest(prop, allowed) : undefined;
      if (guess) return `did you mean '${guess}'?`;
      return allowed ? `remove '${prop}'; allowed here: ${allowed.join(', ')}` : `remove '${prop}'`;
    }
    case 'type':
      return `use a value of type ${String(params['type']).replace(',', ' or ')} here`;
    case 'enum':
      return `use one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `use ${JSON.stringify(params['allowedValue'])}`;
    case 'minProperties':
      return allowed ? `set one of ${allowed.join(', ')}` : 'add at least one property';
    case 'maxProperties':
      return allowed ? `keep only one of ${allowed.join(', ')}` : 'remove properties';
    case 'oneOf': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return description ?? 'see the schema for the allowed forms';
    }
    case 'minItems':
      return 'add at least one entry';
    case 'minLength':
      return 'use a non-empty string';
    case 'minimum':
      return `use a number >= ${String(params['limit'])}`;
    case 'pattern':
      return `use letters, digits, "_", "-" or "." (pattern ${String(params['pattern'])})`;
    case 'format':
      return params['format'] === 'date-time'
        ? 'use an RFC 3339 time in quotes, e.g. "2026-05-24T12:00:00Z"'
        : `use a valid ${String(params['format'])}`;
    default:
      return undefined;
  }
}

function allowedProperties(error: ErrorObject): string[] | undefined {
  const schema = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
  return schema?.properties ? Object.keys(schema.properties) : undefined;
}

function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}
