import { NamedRegistry } from '@resnext/models';
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
class RecipeRegistry {
  readonly #recipes: NamedRegistry<RecipeConfig>;

  constructor(recipes: Iterable<RecipeConfig> = []) {
    this.#recipes = new NamedRegistry<RecipeConfig>(
      { kind: 'recipe', kinds: 'recipes', nameOf: (r) => r.name, store: structuredClone, handOut: structuredClone, error: (m) => new RecipeRegistryError(m) },
      recipes,
    );
  }

  /** Adds a recipe; throws {@link RecipeRegistryError} if the name is taken. */
  register(recipe: RecipeConfig): void {
    this.#recipes.register(recipe);
  }

  /** A copy of the recipe `name` (callers may change it freely); throws {@link RecipeRegistryError}, with the likeliest meant name, for an unknown one. */
  get(name: string): RecipeConfig {
    return this.#recipes.get(name);
  }

  /** Names in registration order. */
  list(): string[] {
    return this.#recipes.names();
  }
}

/** The shipped recipes. */
const recipes = new RecipeRegistry([FASHION_MNIST_RESNEXT, CIFAR10_RESNEXT29, IMAGENET_RESNEXT50, FINETUNE_RESNEXT50]);

/** A copy of a shipped recipe; throws {@link RecipeRegistryError} for an unknown name. */
export function getRecipe(name: string): RecipeConfig {
  return recipes.get(name);
}

/** Names of the shipped recipes. */
export function listRecipes(): string[] {
  return recipes.list();
}
