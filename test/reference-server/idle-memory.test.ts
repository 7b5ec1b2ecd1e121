/**
 * The CLI's idle collector (src/cli/idle-memory.ts) decides from the CPU time of each 2 s check:
 * one minor GC after QUIET_CHECKS quiet checks in a row, none under load, none again until the
 * daemon was busy once more. The policy is checked with given CPU figures (no clock, no timers).
 */
import { describe, expect, it } from 'vitest';
import { QUIET_CHECKS, QUIET_CPU_US, idlePolicy } from '../../src/cli/idle-memory.js';

describe('idle collector policy', () => {
  it('collects once after QUIET_CHECKS quiet checks, never under load, and again only after activity', () => {
    const due = idlePolicy();
    const busy = QUIET_CPU_US * 50;
    const quiet = QUIET_CPU_US / 10;
    for (let i = 0; i < 10; i++) expect(due(busy)).toBe(false);
    const decisions = Array.from({ length: QUIET_CHECKS + 5 }, () => due(quiet));
    expect(decisions.filter(Boolean)).toHaveLength(1);
    expect(decisions.indexOf(true)).toBe(QUIET_CHECKS - 1);
    // Quiet checks broken by one busy check start over.
    expect(due(busy)).toBe(false);
    for (let i = 0; i < QUIET_CHECKS - 1; i++) expect(due(quiet)).toBe(false);
    expect(due(busy)).toBe(false);
    for (let i = 0; i < QUIET_CHECKS - 1; i++) expect(due(quiet)).toBe(false);
    expect(due(quiet)).toBe(true);
  });
});
