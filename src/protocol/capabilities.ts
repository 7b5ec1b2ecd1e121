/**
 * Which capability in `/v1/status` announces which operations. The spec says it twice: the
 * `Capability` schema's `x-capability-operations` map (read first) and each operation's
 * `x-glue-capability`; `capabilityMapProblems` reports where the two disagree.
 * Checks use this to skip (with a reason) what a daemon does not advertise.
 */
import { loadSpec, type OpenApiDocument } from './spec.js';
import { buildOperationTable, OPERATIONS, type OperationId, type OperationInfo } from './operations.js';
import type { Capability } from './types.js';

export interface CapabilityMap {
  /** Every capability name the spec's `Capability` schema lists, in spec order. */
  capabilities: Capability[];
  byCapability: Map<Capability, OperationId[]>;
  byOperation: Map<OperationId, Capability>;
}

/** Builds the capability map of any document (operation extensions, plus the Capability enum). */
export function buildCapabilityMap(doc: OpenApiDocument, table: readonly OperationInfo[] = buildOperationTable(doc)): CapabilityMap {
  const byCapability = new Map<Capability, OperationId[]>();
  const byOperation = new Map<OperationId, Capability>();
  const add = (capability: Capability, operationId: OperationId): void => {
    if (byOperation.has(operationId)) return;
    byOperation.set(operationId, capability);
    const list = byCapability.get(capability) ?? [];
    list.push(operationId);
    byCapability.set(capability, list);
  };
  const schema = doc.components?.schemas?.['Capability'];
  const declared = schema?.[CAPABILITY_OPERATIONS_KEY];
  if (isObject(declared)) {
    for (const [capability, ids] of Object.entries(declared)) {
      for (const id of Array.isArray(ids) ? ids : []) if (typeof id === 'string') add(capability as Capability, id as OperationId);
    }
  }
  for (const row of table) if (row.capability !== undefined) add(row.capability as Capability, row.operationId);
  const enumValues = schema?.['enum'];
  const capabilities = Array.isArray(enumValues) ? enumValues.filter((v): v is Capability => typeof v === 'string') : [...byCapability.keys()];
  return { capabilities, byCapability, byOperation };
}

/** Disagreements between `x-capability-operations` and the operations' `x-glue-capability`. */
export function capabilityMapProblems(doc: OpenApiDocument, table: readonly OperationInfo[] = buildOperationTable(doc)): string[] {
  const problems: string[] = [];
  const declared = doc.components?.schemas?.['Capability']?.[CAPABILITY_OPERATIONS_KEY];
  const listed = new Map<string, string>();
  if (isObject(declared)) {
    for (const [capability, ids] of Object.entries(declared)) for (const id of Array.isArray(ids) ? ids : []) listed.set(String(id), capability);
  }
  const known = new Set(table.map((row) => row.operationId as string));
  for (const [id, capability] of listed) if (!known.has(id)) problems.push(`${CAPABILITY_OPERATIONS_KEY}.${capability} names unknown operation ${id}`);
  for (const row of table) {
    const fromMap = listed.get(row.operationId);
    if (row.capability !== fromMap) problems.push(`${row.operationId}: x-glue-capability ${String(row.capability)} but ${CAPABILITY_OPERATIONS_KEY} says ${String(fromMap)}`);
  }
  return problems;
}

const CAPABILITY_OPERATIONS_KEY = 'x-capability-operations';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let cached: CapabilityMap | undefined;

function shipped(): CapabilityMap {
  cached ??= buildCapabilityMap(loadSpec(), OPERATIONS);
  return cached;
}

/** Every capability the spec names, in spec order. */
export function allCapabilities(): Capability[] {
  return [...shipped().capabilities];
}

/** The operations a capability announces (empty for capabilities that gate no single route). */
export function operationsForCapability(capability: Capability): OperationId[] {
  return [...(shipped().byCapability.get(capability) ?? [])];
}

/** The capability an operation needs, or `undefined` when every daemon must serve it. */
export function capabilityForOperation(operationId: OperationId): Capability | undefined {
  return shipped().byOperation.get(operationId);
}
