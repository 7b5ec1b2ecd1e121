/**
 * Which checks a run includes: `--only` / `--skip` name ids or areas (case-insensitive), `--level
 * must` drops SHOULD checks. Unknown names are an error, so a typo never selects nothing silently.
 */
import { AREAS, type Check } from './types.js';

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

function matches(check: Check, name: string): boolean {
  const wanted = name.toUpperCase();
  return check.id === wanted || check.area === wanted;
}

function validate(checks: readonly Check[], names: readonly string[], flag: string): void {
  for (const name of names) {
    const wanted = name.toUpperCase();
    const known = (AREAS as readonly string[]).includes(wanted) || checks.some((c) => c.id === wanted);
    if (!known) throw new SelectionError(`${flag} ${name}: no check or area has that name (areas: ${AREAS.join(', ')})`);
  }
}

/** Splits repeated, comma-separated flag values into names. */
export function splitNames(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

export function selectChecks(checks: readonly Check[], selection: Selection): Check[] {
  const only = splitNames(selection.only);
  const skip = splitNames(selection.skip);
  validate(checks, only, '--only');
  validate(checks, skip, '--skip');
  return checks.filter(
    (check) =>
      (only.length === 0 || only.some((name) => matches(check, name))) &&
      !skip.some((name) => matches(check, name)) &&
      (selection.level !== 'must' || check.level === 'MUST'),
  );
}
