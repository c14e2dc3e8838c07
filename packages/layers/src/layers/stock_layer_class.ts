import * as tf from '@tensorflow/tfjs-core';

/**
 * The class tfjs-layers registered under `className` (it exports only factories for its layers,
 * but its serialization registry holds the classes), for subclasses that keep the stock class name
 * so a saved model.json stays the stock layer's.
 *
 * @throws if tfjs-layers has not registered that class (tfjs-layers not loaded, or renamed).
 */
export function stockLayerClass<Ctor>(className: string): Ctor {
  const registered = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (registered === undefined) throw new Error(`@resnext/layers: @tensorflow/tfjs-layers registered no ${className} class.`);
  return registered[0] as unknown as Ctor;
}
