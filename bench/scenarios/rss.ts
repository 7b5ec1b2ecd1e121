/**
 * A daemon's resident memory around a load, for the memory scenarios: a steady reading before the
 * load, and one while the load is held (before it is released).
 */

export const MB = 2 ** 20;

/** The lowest of a few RSS samples after a pause: garbage not yet collected is not held memory. */
export async function steadyRss(target: { rss(): Promise<number> }): Promise<number> {
  await new Promise((r) => setTimeout(r, 300));
  let low = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 150));
    low = Math.min(low, await target.rss());
  }
  return low;
}

/** `hold` applies the load and returns how to release it, which happens after the second reading. */
export async function rssAround(target: { rss(): Promise<number> }, hold: () => Promise<(() => Promise<void>) | void>): Promise<{ before: number; held: number }> {
  const before = await steadyRss(target);
  const release = await hold();
  const held = await steadyRss(target);
  if (release) await release();
  return { before, held };
}
