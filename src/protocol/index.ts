/**
 * The protocol layer's public surface (`glue-conformance/protocol`): the spec, its operations and
 * capabilities, runtime validation, type aliases of the generated types, the SSE reader and the
 * bounded HTTP client. Everything else in the package builds on these.
 */
export * from './types.js';
export * from './spec.js';
export * from './operations.js';
export * from './capabilities.js';
export * from './validator.js';
export * from './sse-reader.js';
export * from './http-client.js';
export { packagePath, packageRoot } from './package-root.js';
