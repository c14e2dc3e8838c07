export { backendInfo, type BackendInfo } from './info.js';
export {
  useBackend,
  NODE_AUTO_ORDER,
  BROWSER_AUTO_ORDER,
  type BackendRequest,
  type SkippedBackend,
  type UseBackendResult,
} from './use_backend.js';
export type { BackendName, UseBackendOptions } from './adapters/types.js';
export { BackendUnavailableError, type BackendFailure, type BackendUnavailableDetails } from './errors.js';
export type { ModuleImporter } from './importer.js';
export { registerModuleLoader, type ModuleLoader } from './module_loaders.js';
export { CROSS_ORIGIN_ISOLATION_HEADERS } from './environment.js';
