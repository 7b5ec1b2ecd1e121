/** Pieces several case files share. */
import { expectPrintedOnce, expectSuccess } from '../judge.js';
import type { Judgement } from '../types.js';

export const HELLO_TEXT = 'Hello, world';
export const ALLOWED_TEXT = 'tool result: wrote 2 bytes to notes/a.txt';
export const DENIED_TEXT = 'tool result: error: permission denied';
export const FAIL_MESSAGE = 'loop: provider stream: fake provider: scripted failure';
export const MIDSTREAM_MESSAGE = 'fake provider: stream broke mid-turn';

/** The hello run went through: exit 0 and "Hello, world" printed exactly once. */
export function judgeHello(j: Judgement, why: string): void {
  expectSuccess(j, why);
  expectPrintedOnce(j, HELLO_TEXT, why);
}
