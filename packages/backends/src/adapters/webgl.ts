import * as tf from '@tensorflow/tfjs-core';
import { importBackendPackage } from '../importer.js';
import { setBackendOrThrow, unsupported } from './set_backend.js';
import type { Adapter } from './types.js';

/** WebGL 2 in browsers. WebGL 1 is refused: ResNeXt's packed grouped-conv shaders need WebGL 2. */
export const activateWebgl: Adapter = async ({ importer }) => {
  await importBackendPackage('@tensorflow/tfjs-backend-webgl', 'webgl', importer);
  // tfjs-backend-webgl registers itself only where `document` exists.
  if (tf.findBackendFactory('webgl') === null) {
    unsupported('webgl', 'WebGL 2', 'The webgl backend needs a browser with WebGL 2; this runtime has none (in Node use node or wasm).');
  }
  const version = tf.env().getNumber('WEBGL_VERSION');
  if (version < 2) {
    unsupported('webgl', 'WebGL 2', `The webgl backend needs WebGL 2; this browser offers ${version === 1 ? 'WebGL 1 only' : 'no WebGL'}.`);
  }
  await setBackendOrThrow('webgl', 'webgl', 'WebGL 2 is reported but a context could not be created.');
  return undefined;
};
