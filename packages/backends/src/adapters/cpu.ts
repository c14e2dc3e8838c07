import { importBackendPackage } from '../importer.js';
import { setBackendOrThrow } from './set_backend.js';
import type { Adapter } from './types.js';

/** The plain-JavaScript cpu backend: always works, slowest. */
export const activateCpu: Adapter = async ({ importer }) => {
  await importBackendPackage('@tensorflow/tfjs-backend-cpu', 'cpu', importer);
  await setBackendOrThrow('cpu', 'cpu');
  return undefined;
};
