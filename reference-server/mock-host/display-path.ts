/** How a fixture path is shown in messages (Node only). */
import { isAbsolute, relative } from 'node:path';

/** Relative to the working directory when below it, else absolute. */
export function displayPath(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}
