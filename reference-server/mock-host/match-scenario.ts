import type { Scenario } from './definitions.js';

export interface ScenarioMatchResult {
  scenario: Scenario;
  /** Regex groups by index and by name (`{{match.1}}`, `{{match.n}}`); the whole text at 0. */
  groups: Record<string, string>;
}

const KIND_RANK = { skill: 0, text: 1, regex: 2, default: 3 } as const;

/** Scenarios in the order they are tried: priority (high first), matcher kind, name. */
export function orderScenarios(scenarios: readonly Scenario[]): Scenario[] {
  return [...scenarios].sort(
    (a, b) =>
      b.priority - a.priority ||
      KIND_RANK[a.match.kind] - KIND_RANK[b.match.kind] ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** The first scenario (in `orderScenarios` order) that answers this prompt. */
export function matchScenario(ordered: readonly Scenario[], prompt: { text: string; skill?: string }): ScenarioMatchResult | undefined {
  for (const scenario of ordered) {
    const match = scenario.match;
    switch (match.kind) {
      case 'skill':
        if (prompt.skill === match.skill) return { scenario, groups: { 0: prompt.text } };
        break;
      case 'text':
        if (prompt.text === match.text) return { scenario, groups: { 0: prompt.text } };
        break;
      case 'regex': {
        const found = match.regex.exec(prompt.text);
        if (found) {
          const groups: Record<string, string> = {};
          found.forEach((value, index) => (groups[String(index)] = value ?? ''));
          for (const [name, value] of Object.entries(found.groups ?? {})) groups[name] = value ?? '';
          return { scenario, groups };
        }
        break;
      }
      case 'default':
        return { scenario, groups: { 0: prompt.text } };
    }
  }
  return undefined;
}
