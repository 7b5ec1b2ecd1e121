/**
 * `glue-conformance/client`: the client suite for Glue daemon clients — the cases, the JS harness
 * (`startClientCase`), the suite runner (a command or an in-process driver) and the kit's
 * reference client (`runPrompt`), which passes every case.
 */
export { allClientCases, findClientCase } from './cases/index.js';
export { startClientCase, type ClientCaseHandle, type ClientResult, type StartClientCaseOptions } from './harness.js';
export { runClientSuite, selectClientCases, type ClientSuiteOptions } from './runner.js';
export { commandDriver, fillCommand, shellQuote, PLACEHOLDERS, type CommandDriverOptions, type Placeholder } from './command.js';
export type { ClientDriver, ClientSession } from './session.js';
export { writeFrame, pacedStream, type FrameStyle, type Pacing } from './raw-frames.js';
export { runPrompt, GlueClientError, type GlueRunOptions, type GlueRunResult, type PermissionQuestion } from './reference-client/glue-client.js';
export { referenceDriver } from './reference-client/driver.js';
export { listClientFaults, CLIENT_FAULTS, type ClientFaultName } from './reference-client/faults.js';
export * from './types.js';
