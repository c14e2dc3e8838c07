import type { RecipeConfig } from '../config/recipe_config.js';
import { CIFAR10_RESNEXT29 } from './cifar10_resnext29.js';
import { FASHION_MNIST_RESNEXT } from './fashion_mnist_resnext.js';
import { FINETUNE_RESNEXT50 } from './finetune_resnext50.js';
import { IMAGENET_RESNEXT50 } from './imagenet_resnext50.js';

/** Thrown for an unknown or duplicate recipe name. */
export class RecipeRegistryError extends Error {
  override name = 'RecipeRegistryError';
}

/** Named recipes; nothing registers on import, the built-ins are passed to the constructor. */
export class RecipeRegistry {
  readonly #recipes = new Map<string, RecipeConfig>();

  constructor(recipes: Iterable<RecipeConfig> = []) {
    for (const r of recipes) this.register(r);
  }

  /** Adds a recipe; throws {@link RecipeRegistryError} if the name is taken. */
  register(recipe: RecipeConfig): void {
    if (this.#recipes.has(recipe.name)) throw new RecipeRegistryError(`Recipe "${recipe.name}" is already registered.`);
    this.#recipes.set(recipe.name, structuredClone(recipe));
  }

  /** A copy of the recipe `name` (callers may change it freely). */
  get(name: string): RecipeConfig {
    const r = this.#recipes.get(name);
    if (r === undefined) throw new RecipeRegistryError(`Unknown recipe "${name}". Known recipes: ${this.list().join(', ')}.`);
    return structuredClone(r);
  }

  /** Names in registration order. */
  list(): string[] {
    return [...this.#recipes.keys()];
  }
}

/** The shipped recipes. */
export const recipes = new RecipeRegistry([FASHION_MNIST_RESNEXT, CIFAR10_RESNEXT29, IMAGENET_RESNEXT50, FINETUNE_RESNEXT50]);

/** A copy of a shipped recipe; throws {@link RecipeRegistryError} for an unknown name. */
export function getRecipe(name: string): RecipeConfig {
  return recipes.get(name);
}

/** Names of the shipped recipes. */
export function listRecipes(): string[] {
  return recipes.list();
}
