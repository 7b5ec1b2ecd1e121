/**
 * Validates and merges parsed fixture files into one mock host definition, with no file system:
 * the Node loader (load-definitions.ts) reads directories, the browser entry passes data.
 */
import type {
  Catalog,
  CatalogFile,
  MockHostDefinition,
  Scenario,
  ScenarioMatch,
  ToolCallSpec,
  TurnSpec,
} from './definitions.js';
import type { LoadIssue } from './load-issue.js';
import { closest } from './did-you-mean.js';
import { templateRoots } from './template.js';
import { turnLimits } from './turn-limits.js';
import type { YamlSource } from './yaml-source.js';

/** Parsed files by directory (or data set), applied in order: later entries replace earlier ones. */
export interface SourceGroups {
  catalogs: readonly (readonly YamlSource[])[];
  scenarios: readonly (readonly YamlSource[])[];
}

/** A file's schema problems (schema-check.ts `checkSchema`; injected so a caller can load without ajv). */
export type SchemaCheck = (kind: 'scenario' | 'catalog', source: YamlSource) => LoadIssue[];

/** Every problem goes to `issues`; the definition is only meaningful when none were added. */
export function buildDefinitions(groups: SourceGroups, issues: LoadIssue[], checkSchema: SchemaCheck): MockHostDefinition {
  const catalog = emptyCatalog();
  for (const group of groups.catalogs) {
    for (const source of group) {
      const found = checkSchema('catalog', source);
      issues.push(...found);
      if (found.length === 0) mergeCatalog(catalog, source.value as CatalogFile);
    }
  }
  const scenarios = new Map<string, Scenario>();
  for (const group of groups.scenarios) {
    const names = new Map<string, string>();
    for (const source of group) {
      const found = checkSchema('scenario', source);
      issues.push(...found);
      if (found.length > 0) continue;
      const scenario = toScenario(source, catalog, issues);
      if (!scenario) continue;
      const previous = names.get(scenario.name);
      if (previous !== undefined) {
        const position = source.positionOf([], 'name');
        issues.push({
          file: source.file,
          line: position.line,
          column: position.column,
          path: '/name',
          message: `scenario name '${scenario.name}' is already used by ${previous}`,
          hint: 'give one of them another name',
        });
        continue;
      }
      names.set(scenario.name, source.file);
      scenarios.set(scenario.name, scenario);
    }
  }
  return { catalog, scenarios: [...scenarios.values()] };
}

/** `dir/x.yaml` → `x` (the default scenario name). */
function fileStem(file: string): string {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

function emptyCatalog(): Catalog {
  return {
    agent: { model: 'fake-model', maxTurns: 32 },
    tools: [],
    skills: [],
    roles: [],
    mcpResources: [],
    mcpPrompts: [],
    mcpErrors: {
      unknown_server: 'mcp: server "{{server}}" is not configured',
      unknown_resource: 'mcp: resource "{{uri}}" not found on server "{{server}}"',
      unknown_prompt: 'mcp: prompt "{{name}}" not found on server "{{server}}"',
    },
    recallHits: [],
    memories: [],
    memoryNotFound: 'memory "{{id}}" not found',
  };
}

/** Replaces entries with the same key in place (keeping their position) and appends new ones. */
function upsert<T>(list: T[], entries: readonly T[] | undefined, key: (entry: T) => string): void {
  for (const entry of entries ?? []) {
    const index = list.findIndex((existing) => key(existing) === key(entry));
    if (index >= 0) list[index] = entry;
    else list.push(entry);
  }
}

function mergeCatalog(catalog: Catalog, file: CatalogFile): void {
  if (file.agent?.model !== undefined) catalog.agent.model = file.agent.model;
  if (file.agent?.max_turns !== undefined) catalog.agent.maxTurns = file.agent.max_turns;
  upsert(catalog.tools, file.tools, (tool) => tool.name);
  upsert(catalog.skills, file.skills, (skill) => skill.name);
  upsert(catalog.roles, file.roles, (role) => role.name);
  upsert(catalog.mcpResources, file.mcp?.resources, (resource) => `${resource.server}\n${resource.uri}`);
  upsert(catalog.mcpPrompts, file.mcp?.prompts, (prompt) => `${prompt.server}\n${prompt.name}`);
  Object.assign(catalog.mcpErrors, file.mcp?.errors ?? {});
  if (file.recall) catalog.recallHits = [...file.recall.hits];
  upsert(catalog.memories, file.memories, (memory) => memory.id);
  if (file.memory_errors?.not_found !== undefined) catalog.memoryNotFound = file.memory_errors.not_found;
}

interface RawScenario {
  name?: string;
  description?: string;
  priority?: number;
  match: { text?: string; regex?: string; skill?: string; default?: true };
  turns: TurnSpec[];
}

/** Template variables each kind of string may use. */
const TURN_VARS = ['text', 'match', 'tool_result', 'tool_results', 'skill', 'session_id', 'client_id', 'model'];
const REPEAT_VARS = [...TURN_VARS, 'i'];
const CALL_VARS = [...TURN_VARS, 'args'];
const DENY_VARS = [...CALL_VARS, 'reason'];

function toScenario(source: YamlSource, catalog: Catalog, issues: LoadIssue[]): Scenario | undefined {
  const raw = source.value as RawScenario;
  const before = issues.length;
  const issue = (path: (string | number)[], message: string, hint?: string, key?: string): void => {
    const position = source.positionOf(path, key);
    const pointer = '/' + [...path, ...(key !== undefined ? [key] : [])].join('/');
    issues.push({ file: source.file, line: position.line, column: position.column, path: pointer, message, ...(hint ? { hint } : {}) });
  };

  let match: ScenarioMatch;
  if (raw.match.text !== undefined) match = { kind: 'text', text: raw.match.text };
  else if (raw.match.skill !== undefined) match = { kind: 'skill', skill: raw.match.skill };
  else if (raw.match.regex !== undefined) {
    try {
      match = { kind: 'regex', regex: new RegExp(raw.match.regex), source: raw.match.regex };
    } catch (error) {
      issue(['match', 'regex'], `invalid regular expression: ${(error as Error).message}`, 'fix the JavaScript regular expression (quote it in single quotes in YAML)');
      match = { kind: 'default' };
    }
  } else match = { kind: 'default' };

  const checkTemplate = (path: (string | number)[], text: string, allowed: readonly string[]): void => {
    for (const root of templateRoots(text)) {
      if (!allowed.includes(root)) {
        const guess = closest(root, allowed);
        issue(path, `unknown template variable '{{${root}}}'`, guess ? `did you mean '{{${guess}}}'?` : `use one of ${allowed.map((v) => `{{${v}}}`).join(', ')}`);
      }
    }
  };
  const checkDeep = (path: (string | number)[], value: unknown, allowed: readonly string[]): void => {
    if (typeof value === 'string') checkTemplate(path, value, allowed);
    else if (Array.isArray(value)) value.forEach((item, index) => checkDeep([...path, index], item, allowed));
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) checkDeep([...path, key], item, allowed);
    }
  };

  raw.turns.forEach((turn, index) => {
    const at = ['turns', index];
    const textSources = (['text', 'deltas', 'repeat'] as const).filter((key) => turn[key] !== undefined);
    if (textSources.length > 1) issue(at, `a turn takes its text from one of text, deltas, repeat; found ${textSources.join(', ')}`, `keep only '${textSources[0]}'`);
    if (turn.chunk_size !== undefined && turn.text === undefined) issue(at, "'chunk_size' splits 'text', but this turn has no 'text'", "add 'text' or remove 'chunk_size'", 'chunk_size');
    if (turn.fail !== undefined) {
      const extra = Object.keys(turn).filter((key) => key !== 'fail' && key !== 'start_delay_ms');
      if (extra.length > 0) issue(at, `'fail' replaces the whole turn; ${extra.join(', ')} would never happen`, `remove ${extra.join(', ')}`);
    }
    if (turn.error !== undefined && turn.tool_calls !== undefined) issue(at, "'error' ends the turn before its tool calls", "remove 'tool_calls' or 'error'", 'error');
    if (index === raw.turns.length - 1 && turn.tool_calls !== undefined && turn.error === undefined) {
      issue(at, 'the last turn calls tools, so the run would need another turn', "add a final turn with 'text' that reports the result (e.g. text: \"tool result: {{tool_result}}\")", 'tool_calls');
    }
    if (turn.text !== undefined) checkTemplate([...at, 'text'], turn.text, TURN_VARS);
    turn.deltas?.forEach((delta, i) => checkTemplate([...at, 'deltas', i], delta, TURN_VARS));
    if (turn.repeat) {
      checkTemplate([...at, 'repeat', 'delta'], turn.repeat.delta, REPEAT_VARS);
      if (typeof turn.repeat.count === 'string') checkTemplate([...at, 'repeat', 'count'], turn.repeat.count, TURN_VARS);
      else if (turn.repeat.count > turnLimits.maxDeltas) issue([...at, 'repeat'], `count ${turn.repeat.count} is more than the limit of ${turnLimits.maxDeltas} deltas per turn`, `use at most ${turnLimits.maxDeltas}`, 'count');
    }
    if (turn.fail !== undefined) checkTemplate([...at, 'fail'], turn.fail, TURN_VARS);
    if (turn.error !== undefined) checkTemplate([...at, 'error'], turn.error, TURN_VARS);
    turn.tool_calls?.forEach((call: ToolCallSpec, i) => {
      const callAt = [...at, 'tool_calls', i];
      if (!catalog.tools.some((tool) => tool.name === call.tool)) {
        const names = catalog.tools.map((tool) => tool.name);
        const guess = closest(call.tool, names);
        issue([...callAt, 'tool'], `unknown tool '${call.tool}'`, guess ? `did you mean '${guess}'?` : names.length > 0 ? `use one of ${names.join(', ')} or add the tool to a catalog` : 'add the tool to a catalog file (tools:)');
      }
      checkDeep([...callAt, 'args'], call.args, TURN_VARS);
      if (call.permission !== undefined && call.permission !== 'none') checkDeep([...callAt, 'permission'], call.permission, CALL_VARS);
      checkDeep([...callAt, 'result'], call.result, CALL_VARS);
      checkDeep([...callAt, 'on_deny'], call.on_deny, DENY_VARS);
    });
  });
  if (issues.length > before) return undefined;
  const position = source.positionOf([]);
  return {
    name: raw.name ?? fileStem(source.file),
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    priority: raw.priority ?? 0,
    match,
    turns: raw.turns,
    source: { file: source.file, line: position.line },
  };
}
