/** The conformance suite: the check registry, the runner and the reporters. */
export { allChecks } from './checks/index.js';
export { runSuite, SuiteError, type SuiteErrorKind, type SuiteOptions } from './runner.js';
export { selectChecks, splitNames, SelectionError, type LevelFilter, type Selectable, type Selection } from './select.js';
export { applyBaseline, areasOf, baselineIds, runPool, summarize, unknownBaselineIds } from './outcome.js';
export { CheckFailure, CheckSkip } from './expect.js';
export * from './reporters/index.js';
export * from './types.js';
export * from './stream-rules.js';
export { renderChecksDoc, renderReadmeBlock } from './checks-doc.js';
