/**
 * Resolves after pending I/O has had its turn: setImmediate in Node (no 1 ms timer clamp, runs
 * after the poll phase), setTimeout(0) where there is none (browsers, under MSW).
 */
const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;

export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => {
    if (immediate) immediate(resolve);
    else setTimeout(resolve, 0);
  });
}
