/**
 * `{{name}}` templates in scenario and catalog strings. A variable is a dotted path into the
 * render context (`text`, `match.1`, `args.path`); `{{i:02}}` zero-pads a number to two digits.
 * Objects and arrays render as JSON, a missing variable as the empty string.
 */

const placeholder = /\{\{\s*([A-Za-z_][\w]*(?:\.[\w-]+)*)(?::(0\d+))?\s*\}\}/g;

export type TemplateContext = Readonly<Record<string, unknown>>;

export function renderTemplate(template: string, context: TemplateContext): string {
  return template.replace(placeholder, (_whole, path: string, pad: string | undefined) => {
    const value = lookup(context, path);
    const text = stringify(value);
    return pad ? text.padStart(Number(pad.slice(1)), '0') : text;
  });
}

/** The root names a template refers to (`match` for `{{match.1}}`), for load-time checks. */
export function templateRoots(template: string): string[] {
  return [...template.matchAll(placeholder)].map((match) => (match[1] ?? '').split('.')[0] ?? '');
}

/** Renders every string inside a JSON value (object keys stay as written). */
export function renderDeep(value: unknown, context: TemplateContext): unknown {
  if (typeof value === 'string') return renderTemplate(value, context);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderDeep(item, context)]));
  }
  return value;
}

function lookup(context: TemplateContext, path: string): unknown {
  let current: unknown = context;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
