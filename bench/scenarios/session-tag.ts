/**
 * Session names for the scenarios' runs. A daemon runs one session's runs one after another, so
 * every sample needs sessions of its own: a prefix no other sample of this bench run has used.
 */
let next = 0;

export const sessionTag = (kind: string): string => `${kind}-${next++}`;
