/**
 * Typings of the two js-yaml members spec.ts calls (js-yaml ships none); declared here instead of
 * depending on @types/js-yaml for them.
 */
declare module 'js-yaml' {
  /** YAML 1.2 core schema: strings, numbers, booleans, null; no timestamps, no merge keys. */
  export const CORE_SCHEMA: unknown;
  export function load(text: string, options?: { schema?: unknown; filename?: string }): unknown;
}
