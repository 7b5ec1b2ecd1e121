/**
 * `createReferenceServer` as the package entry exports it on Node: the portable core
 * (`server.ts`) plus Go's permission store file when `permissionStorePath` is given.
 */
import { loadPermissionStore, savePermissionStore } from './permission-store-file.js';
import { createReferenceServer as createCoreServer, type ReferenceServer, type ReferenceServerOptions } from './server.js';

export function createReferenceServer(options: ReferenceServerOptions): ReferenceServer {
  const path = options.permissionStorePath?.trim() || undefined;
  if (path === undefined || options.permissionStore !== undefined) return createCoreServer(options);
  return createCoreServer({ ...options, permissionStore: { load: () => loadPermissionStore(path), save: (grants) => savePermissionStore(path, grants) } });
}
