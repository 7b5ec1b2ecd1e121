/** Where the package's default fixtures live (Node only). */
import { packagePath } from '../../src/protocol/package-root.js';

export const defaultScenariosDir = (): string => packagePath('fixtures', 'scenarios');
export const defaultCatalogsDir = (): string => packagePath('fixtures', 'catalogs');
