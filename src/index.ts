/**
 * glue-conformance: the conformance suite for the Glue daemon protocol (ADR-0010) and the
 * protocol layer it is built on. The reference daemon lives in `glue-conformance/reference-server`,
 * the MSW handlers in `glue-conformance/msw`.
 */
export * from '../conformance/index.js';
export * from './protocol/index.js';
