/** The YAML examples in fixtures/README.md load, so the guide cannot drift from the schemas. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../src/protocol/package-root.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';

const readme = readFileSync(packagePath('fixtures', 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const dir = mkdtempSync(join(tmpdir(), 'mock-host-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeDir(name: string, files: Record<string, string>): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
}

describe('fixtures/README.md examples', () => {
  it('has a scenario, a tool-call and a catalog example', () => {
    expect(blocks).toHaveLength(3);
  });

  it('the scenario examples load', () => {
    const scenarios = writeDir('scenarios', {
      'example.yaml': blocks[0] ?? '',
      'calls.yaml': `match: { text: calls }\n${blocks[1] ?? ''}`,
    });
    expect(() => loadMockHost({ scenariosDir: scenarios })).not.toThrow();
  });

  it('the catalog example loads and serves its entries', async () => {
    const catalogs = writeDir('catalogs', { 'example.yaml': blocks[2] ?? '' });
    const scenarios = writeDir('only-echo', { 'echo.yaml': 'match: { default: true }\nturns: [{ text: "{{text}}" }]\n' });
    const host = loadMockHost({ catalogsDir: catalogs, scenariosDir: scenarios, includeDefaults: false });
    expect(host.toolCatalog?.().map((tool) => tool.name)).toEqual(['write_note', 'shout']);
    expect(await host.mcpRenderPrompt?.({ server: 'linear', name: 'daily_brief', arguments: { topic: 'Go' } })).toMatchObject({
      messages: [{ role: 'user', content: { type: 'text', text: 'Brief me on Go.' } }],
    });
  });
});
