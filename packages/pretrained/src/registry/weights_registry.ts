import { FASHION_MNIST_DEFAULT_TAGS, FASHION_MNIST_WEIGHTS } from './fashion_mnist_records.js';
import { IMAGENET_DEFAULT_TAGS, IMAGENET_WEIGHTS } from './imagenet_records.js';
import { NamedRegistry } from '@resnext/models';
import type { WeightsRecord } from './weights_record.js';

/** Thrown for an unknown or duplicate weights id. */
export class WeightsRegistryError extends Error {
  override name = 'WeightsRegistryError';
}

const deepFreeze = <T>(o: T): T => {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
};

/**
 * Weights records keyed `arch.tag`, with a default tag per architecture. Explicit: nothing
 * registers itself on import; the built-in records are passed in, users add their own.
 */
export class WeightsRegistry {
  readonly #records = new NamedRegistry<WeightsRecord>({
    kind: 'weights',
    kinds: 'weights',
    nameOf: (r) => r.id,
    store: (r) => deepFreeze(structuredClone(r)),
    error: (m) => new WeightsRegistryError(m),
  });
  readonly #defaults = new Map<string, string>();

  constructor(records: Iterable<WeightsRecord> = [], defaults: Readonly<Record<string, string>> = {}) {
    for (const r of records) this.register(r);
    for (const [arch, tag] of Object.entries(defaults)) this.setDefault(arch, tag);
  }

  /** Adds a record (deep-frozen); throws {@link WeightsRegistryError} if its id is taken. */
  register(record: WeightsRecord): void {
    if (record.id !== `${record.arch}.${record.tag}`) throw new WeightsRegistryError(`Weights id "${record.id}" must be "${record.arch}.${record.tag}".`);
    this.#records.register(record);
  }

  /** Makes `tag` the one `get(arch)` returns. */
  setDefault(arch: string, tag: string): void {
    this.get(`${arch}.${tag}`);
    this.#defaults.set(arch, tag);
  }

  /**
   * The record for `arch.tag`, or the default tag's record for a bare `arch`; throws
   * {@link WeightsRegistryError}, with the likeliest meant id, for an unknown one.
   */
  get(id: string): WeightsRecord {
    const tag = id.includes('.') ? undefined : this.#defaults.get(id);
    return this.#records.get(tag === undefined ? id : `${id}.${tag}`);
  }

  /** Ids in registration order, optionally only those of one architecture. */
  list(arch?: string): string[] {
    return this.#records.entries().filter((r) => arch === undefined || r.arch === arch).map((r) => r.id);
  }
}

/** The registry of built-in pretrained weights. */
export const weights = new WeightsRegistry([...IMAGENET_WEIGHTS, ...FASHION_MNIST_WEIGHTS], { ...IMAGENET_DEFAULT_TAGS, ...FASHION_MNIST_DEFAULT_TAGS });

/** The record of built-in weights `arch.tag` (or `arch` for its default tag). */
export function getWeights(id: string): WeightsRecord {
  return weights.get(id);
}

/** Ids of the built-in weights, optionally of one architecture. */
export function listWeights(arch?: string): string[] {
  return weights.list(arch);
}
