/** Every client case of the kit, in report order. */
import type { ClientCase } from '../types.js';
import { authCases } from './auth.js';
import { cancelCases } from './cancel.js';
import { endCases } from './end.js';
import { errCases } from './err.js';
import { metaCases } from './meta.js';
import { permCases } from './perm.js';
import { runCases } from './run.js';
import { sseCases } from './sse.js';

export const allClientCases: readonly ClientCase[] = [...authCases, ...runCases, ...sseCases, ...endCases, ...permCases, ...cancelCases, ...errCases, ...metaCases];

export function findClientCase(id: string): ClientCase | undefined {
  return allClientCases.find((c) => c.id === id.toUpperCase());
}
