/**
 * Broken fixture files are refused on load with messages that say where (file:line:column and
 * the JSON path) and how to fix it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MockHostLoadError, loadMockHost } from '../../reference-server/mock-host/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` into a fresh temp dir and returns its path. */
function fixtureDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mock-host-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function loadError(options: Parameters<typeof loadMockHost>[0]): MockHostLoadError {
  try {
    loadMockHost(options);
  } catch (error) {
    if (error instanceof MockHostLoadError) return error;
    throw error;
  }
  throw new Error('expected loadMockHost to fail');
}

function scenarioError(yaml: string): { error: MockHostLoadError; file: string } {
  const dir = fixtureDir({ 'x.yaml': yaml });
  return { error: loadError({ scenariosDir: dir }), file: join(dir, 'x.yaml') };
}

describe('loadMockHost refuses broken fixtures', () => {
  it.each([
    [
      'a misspelt key, with the closest allowed key',
      'match: { text: go }\nturns:\n  - tool_calls:\n      - toll: write_note\n  - text: done\n',
      ["4:9 /turns/0/tool_calls/0/toll: unknown key 'toll' — did you mean 'tool'?"],
    ],
    [
      'a value of the wrong type',
      'match: { text: go }\nturns:\n  - text: hi\n    delay_ms: fast\n',
      ['4:15 /turns/0/delay_ms: must be number — use a value of type number here'],
    ],
    [
      'a missing required key',
      'match: { text: go }\n',
      ["1:1 /: missing key 'turns' — add 'turns: [{ text: <reply> }]'"],
    ],
    [
      'two matchers',
      'match: { text: go, regex: "^go$" }\nturns: [{ text: hi }]\n',
      ['1:8 /match: must have at most 1 key — keep only one of text, regex, skill, default'],
    ],
    [
      'a permission that is neither none nor an object',
      'match: { text: go }\nturns:\n  - tool_calls: [{ tool: write_note, permission: ask }]\n  - text: done\n',
      ["3:50 /turns/0/tool_calls/0/permission: is not one of the allowed forms — Overrides the catalog tool's permission step"],
    ],
    [
      'an unknown tool, with the closest catalog tool',
      'match: { text: go }\nturns:\n  - tool_calls: [{ tool: write_nte }]\n  - text: done\n',
      ["3:26 /turns/0/tool_calls/0/tool: unknown tool 'write_nte' — did you mean 'write_note'?"],
    ],
    [
      'an unknown template variable',
      'match: { text: go }\nturns:\n  - text: "you said {{txt}}"\n',
      ["3:11 /turns/0/text: unknown template variable '{{txt}}' — did you mean '{{text}}'?"],
    ],
    [
      'an invalid regular expression',
      "match: { regex: '(' }\nturns: [{ text: hi }]\n",
      ['1:17 /match/regex: invalid regular expression'],
    ],
    [
      'a last turn that calls tools',
      'match: { text: go }\nturns:\n  - tool_calls: [{ tool: read_note }]\n',
      ['3:5 /turns/0/tool_calls: the last turn calls tools, so the run would need another turn — add a final turn'],
    ],
    [
      'two text sources in one turn',
      'match: { text: go }\nturns:\n  - text: hi\n    deltas: [h, i]\n',
      ['3:5 /turns/0: a turn takes its text from one of text, deltas, repeat; found text, deltas'],
    ],
    [
      'invalid YAML',
      'match: { text: go\nturns: []\n',
      ['invalid YAML:', '— fix the YAML syntax'],
    ],
  ])('%s', (_name, yaml, expected) => {
    const { error, file } = scenarioError(yaml);
    for (const line of expected) expect(error.message).toContain(line.includes('invalid YAML') || line.startsWith('—') ? line : `${file}:${line}`);
  });

  it('reports every problem of every file at once', () => {
    const dir = fixtureDir({
      'a.yaml': 'match: { text: a }\nturns: [{ txt: hi }]\n',
      'b.yaml': 'match: { text: b }\nturns: [{ text: hi, chunk_size: 0 }]\n',
    });
    const error = loadError({ scenariosDir: dir });
    expect(error.issues.map((issue) => [issue.file.endsWith('a.yaml') ? 'a' : 'b', issue.path])).toEqual([
      ['a', '/turns/0/txt'],
      ['b', '/turns/0/chunk_size'],
    ]);
    expect(error.message).toMatch(/^failed to load mock host fixtures: 2 problems\. Fix the files below \(schemas: fixtures\/schema\/scenario\.schema\.json and catalog\.schema\.json, guide: fixtures\/README\.md\)/);
    expect(error.issues[0]?.hint).toBe("did you mean 'text'?");
    expect(error.issues[1]?.hint).toBe('use a number >= 1');
  });

  it('checks catalog files too', () => {
    const dir = fixtureDir({ 'tools.yaml': 'tools:\n  - name: shout\n    permision: { action: write }\n' });
    const error = loadError({ catalogsDir: dir });
    expect(error.message).toContain(`${join(dir, 'tools.yaml')}:3:5 /tools/0/permision: unknown key 'permision' — did you mean 'permission'?`);
  });

  it('checks timestamps in catalogs', () => {
    const dir = fixtureDir({ 'm.yaml': 'memories:\n  - id: m1\n    content: x\n    timestamp: yesterday\n' });
    const error = loadError({ catalogsDir: dir });
    expect(error.message).toContain(`${join(dir, 'm.yaml')}:4:16 /memories/0/timestamp: must match format "date-time" — use an RFC 3339 time`);
  });

  it('refuses two scenarios with one name in one directory', () => {
    const dir = fixtureDir({
      'a.yaml': 'name: same\nmatch: { text: a }\nturns: [{ text: a }]\n',
      'b.yaml': 'name: same\nmatch: { text: b }\nturns: [{ text: b }]\n',
    });
    expect(loadError({ scenariosDir: dir }).message).toContain(`${join(dir, 'b.yaml')}:1:1 /name: scenario name 'same' is already used by`);
  });

  it('names a missing directory', () => {
    const missing = join(tmpdir(), 'mock-host-does-not-exist');
    expect(loadError({ scenariosDir: missing }).message).toContain(`${missing}:1:1: directory not found — pass an existing directory of .yaml files`);
  });

  it('accepts an empty extra directory and ignores non-YAML files', () => {
    const dir = fixtureDir({ 'notes.txt': 'not a scenario' });
    mkdirSync(join(dir, 'sub'));
    expect(() => loadMockHost({ scenariosDir: dir, catalogsDir: dir })).not.toThrow();
  });
});
