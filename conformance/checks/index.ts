/** The check registry, in report order. Ids are stable: baselines and the fault table use them. */
import type { Check } from '../types.js';
import { authChecks } from './auth.js';
import { cancelChecks } from './cancel.js';
import { capabilityChecks } from './capabilities.js';
import { catalogChecks } from './catalogs.js';
import { grantChecks } from './grants.js';
import { healthChecks } from './health.js';
import { permissionChecks } from './permissions.js';
import { routeChecks } from './routes.js';
import { runChecks } from './runs.js';
import { sessionChecks } from './sessions.js';
import { sseChecks } from './sse.js';
import { statusChecks } from './status.js';
import { validationChecks } from './validation.js';

export const allChecks: readonly Check[] = [
  ...healthChecks,
  ...authChecks,
  ...statusChecks,
  ...capabilityChecks,
  ...catalogChecks,
  ...validationChecks,
  ...routeChecks,
  ...runChecks,
  ...sseChecks,
  ...cancelChecks,
  ...permissionChecks,
  ...grantChecks,
  ...sessionChecks,
];

export { authChecks, cancelChecks, capabilityChecks, catalogChecks, grantChecks, healthChecks, permissionChecks, routeChecks, runChecks, sessionChecks, sseChecks, statusChecks, validationChecks };
