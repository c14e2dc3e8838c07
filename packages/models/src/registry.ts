import type { ResNeXtConfig } from './config.js';
import { NamedRegistry } from './named_registry.js';
import { BUILTIN_VARIANTS } from './variants.js';

/** Thrown when a model name is unknown or registered twice. */
export class ModelRegistryError extends Error {
  override name = 'ModelRegistryError';
}

/**
 * An explicit registry of architectures. Nothing registers itself on import: the built-in
 * variants are passed to the constructor, and users add theirs with {@link ModelRegistry.register}.
 */
export class ModelRegistry {
  readonly #configs: NamedRegistry<ResNeXtConfig>;

  constructor(configs: Iterable<ResNeXtConfig> = []) {
    this.#configs = new NamedRegistry<ResNeXtConfig>(
      { kind: 'model', kinds: 'models', nameOf: (c) => c.name, store: (c) => Object.freeze({ ...c }), error: (m) => new ModelRegistryError(m) },
      configs,
    );
  }

  /** Adds a config; throws {@link ModelRegistryError} if the name is taken. */
  register(config: ResNeXtConfig): void {
    this.#configs.register(config);
  }

  /**
   * The config of `name`; throws {@link ModelRegistryError} suggesting the likeliest meant name
   * (`closestName`) and listing the known ones.
   */
  get(name: string): ResNeXtConfig {
    return this.#configs.get(name);
  }

  /** Names in registration order, optionally filtered by a substring or a predicate. */
  list(filter?: string | ((config: ResNeXtConfig) => boolean)): string[] {
    const all = this.#configs.entries();
    const keep =
      filter === undefined
        ? all
        : typeof filter === 'string'
          ? all.filter((c) => c.name.includes(filter))
          : all.filter(filter);
    return keep.map((c) => c.name);
  }
}

/** The registry holding every built-in variant. */
export const models = new ModelRegistry(BUILTIN_VARIANTS);

/** Names of the built-in variants, optionally filtered (e.g. `listModels('resnext50')`). */
export function listModels(filter?: string | ((config: ResNeXtConfig) => boolean)): string[] {
  return models.list(filter);
}

/** The config of a built-in variant; throws {@link ModelRegistryError} for an unknown name. */
export function getModelConfig(name: string): ResNeXtConfig {
  return models.get(name);
}
