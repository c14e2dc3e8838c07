import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { rngFor } from '../data/rng.js';

/** Thrown when a layer uses an initializer the seeded re-initialization does not know. */
class SeededInitError extends Error {
  override name = 'SeededInitError';
}

type InitConfig = { className: string; config: Record<string, unknown> };
type Factory = (config: Record<string, unknown>) => ReturnType<typeof tfl.initializers.zeros>;

// Initializers that draw random numbers; each accepts a `seed`, which makes tfjs' JS-side
// generators (seedrandom's alea) reproducible on every backend.
const RANDOM: Record<string, Factory> = {
  VarianceScaling: (c) => tfl.initializers.varianceScaling(c),
  RandomUniform: (c) => tfl.initializers.randomUniform(c),
  RandomNormal: (c) => tfl.initializers.randomNormal(c),
  TruncatedNormal: (c) => tfl.initializers.truncatedNormal(c),
  GlorotUniform: (c) => tfl.initializers.glorotUniform(c),
  GlorotNormal: (c) => tfl.initializers.glorotNormal(c),
  HeNormal: (c) => tfl.initializers.heNormal(c),
  HeUniform: (c) => tfl.initializers.heUniform(c),
  LeCunNormal: (c) => tfl.initializers.leCunNormal(c),
  LeCunUniform: (c) => tfl.initializers.leCunUniform(c),
};
// Initializers without randomness: the values createModel put in are already deterministic.
const CONSTANT = new Set(['Zeros', 'Ones', 'Constant']);

/** `moving_variance` → `movingVarianceInitializer`. */
function initializerKey(weight: string): string {
  return `${weight.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}Initializer`;
}

/**
 * Re-draws every randomly initialized weight of `model` from `seed`. tfjs' initializers are
 * unseeded, so a fresh model differs on every run; this rebuilds each weight's initializer from
 * the layer's own config (so the distribution is exactly the one createModel chose: Kaiming-normal
 * fan-out convolutions, nn.Linear's uniform head, …) with a seed derived from (seed, weight index).
 */
export function seededInit(model: tfl.LayersModel, seed: number): void {
  let index = 0;
  for (const layer of model.layers) {
    const config = layer.getConfig() as Record<string, unknown>;
    for (const w of layer.weights) {
      const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      const init = config[initializerKey(short)] as InitConfig | undefined;
      const weightSeed = rngFor(seed, 0x5eed, index++).int(2 ** 31);
      if (init === undefined) throw new SeededInitError(`Layer "${layer.name}" has no initializer config for weight "${short}".`);
      if (CONSTANT.has(init.className)) continue;
      const factory = RANDOM[init.className];
      if (factory === undefined) throw new SeededInitError(`Layer "${layer.name}", weight "${short}": initializer ${init.className} is not supported by the seeded initialization.`);
      tf.tidy(() => {
        w.write(factory({ ...init.config, seed: weightSeed }).apply(w.shape, 'float32'));
      });
    }
  }
}
