/**
 * Which checks a run includes: `--only` / `--skip` name ids or areas (case-insensitive), `--level
 * must` drops SHOULD checks. Unknown names are an error, so a typo never selects nothing silently.
 */
import { AREAS } from './types.js';

/** What selection needs of a check or a client case. */
export interface Selectable {
  id: string;
  area: string;
  level: 'MUST' | 'SHOULD';
}

export type LevelFilter = 'must' | 'should';

export interface Selection {
  only?: readonly string[] | undefined;
  skip?: readonly string[] | undefined;
  level?: LevelFilter | undefined;
}

export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectionError';
  }
}

function matches(check: Selectable, name: string): boolean {
  const wanted = name.toUpperCase();
  return check.id === wanted || check.area === wanted;
}

function validate(checks: readonly Selectable[], names: readonly string[], flag: string, areas: readonly string[]): void {
  for (const name of names) {
    const wanted = name.toUpperCase();
    const known = areas.includes(wanted) || checks.some((c) => c.id === wanted);
    if (!known) throw new SelectionError(`${flag} ${name}: no check or area has that name (areas: ${areas.join(', ')})`);
  }
}

/** Splits repeated, comma-separated flag values into names. */
export function splitNames(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** The checks (or client cases) a selection keeps; `areas` are the names `--only`/`--skip` accept besides ids. */
export function selectChecks<T extends Selectable>(checks: readonly T[], selection: Selection, areas: readonly string[] = AREAS): T[] {
  const only = splitNames(selection.only);
  const skip = splitNames(selection.skip);
  validate(checks, only, '--only', areas);
  validate(checks, skip, '--skip', areas);
  return checks.filter(
    (check) =>
      (only.length === 0 || only.some((name) => matches(check, name))) &&
      !skip.some((name) => matches(check, name)) &&
      (selection.level !== 'must' || check.level === 'MUST'),
  );
}
