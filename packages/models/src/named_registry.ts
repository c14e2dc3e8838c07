/**
 * The shape every registry of this project shares (architectures here, weights records in
 * @resnext/pretrained, recipes in @resnext/recipes): named entries in registration order, explicit
 * (nothing registers itself on import), a duplicate name refused, an unknown one answered with the
 * likeliest meant name and the known ones.
 */
import { closestName } from './closest_name.js';

/** How a {@link NamedRegistry} names, stores and hands out its entries, and what it throws. */
export interface NamedRegistryOptions<T> {
  /** What an entry is, in messages: `model`, `recipe`, `weights`. */
  kind: string;
  /** The plural for the list of known names: `models`, `recipes`, `weights`. */
  kinds: string;
  /** The entry's name. */
  nameOf(entry: T): string;
  /** What is stored when an entry is registered (a frozen or cloned copy). Default: the entry. */
  store?(entry: T): T;
  /** What `get` hands out (a copy callers may change). Default: what was stored. */
  handOut?(entry: T): T;
  /** The typed error to throw with `message`. */
  error(message: string): Error;
}

/** Named entries in registration order; see {@link NamedRegistryOptions}. */
export class NamedRegistry<T> {
  readonly #entries = new Map<string, T>();

  constructor(
    private readonly options: NamedRegistryOptions<T>,
    entries: Iterable<T> = [],
  ) {
    for (const entry of entries) this.register(entry);
  }

  /** Adds an entry; throws the registry's error if its name is taken. */
  register(entry: T): void {
    const name = this.options.nameOf(entry);
    if (this.#entries.has(name)) throw this.options.error(`${capitalized(this.options.kind)} "${name}" is already registered.`);
    this.#entries.set(name, this.options.store?.(entry) ?? entry);
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /**
   * The entry `name`; for an unknown name throws the registry's error:
   * `Unknown model "resnext50_32x4". Did you mean "resnext50_32x4d"? Known models: …`.
   */
  get(name: string): T {
    const entry = this.#entries.get(name);
    if (entry === undefined) {
      const names = this.names();
      const guess = closestName(name, names);
      const { kind, kinds } = this.options;
      throw this.options.error(`Unknown ${kind} "${name}".${guess === undefined ? '' : ` Did you mean "${guess}"?`} Known ${kinds}: ${names.join(', ')}.`);
    }
    return this.options.handOut?.(entry) ?? entry;
  }

  /** Names in registration order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Stored entries in registration order (as stored, not handed-out copies). */
  entries(): T[] {
    return [...this.#entries.values()];
  }
}

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
