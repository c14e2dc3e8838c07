#!/usr/bin/env node
/**
 * `resnext-train`: runs a shipped recipe (`npx nx run recipes:train --recipe=<name>`).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { RecipeConfig } from '../config/recipe_config.js';
import { resolveRecipe } from '../config/resolve.js';
import { getRecipe, listRecipes } from '../recipes/registry.js';
import { train } from '../train/trainer.js';
import { USAGE, parseTrainArgs } from './parse_args.js';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseTrainArgs(argv);
  if (command.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command.list) {
    for (const name of listRecipes()) process.stdout.write(`${name}\t${getRecipe(name).description}\n`);
    return 0;
  }
  const readJson = async (file: string) => JSON.parse(await fs.readFile(file, 'utf8')) as RecipeConfig;
  const base =
    command.recipeFile !== undefined
      ? await readJson(command.recipeFile)
      : command.recipe !== undefined
        ? getRecipe(command.recipe)
        : command.resume && command.out !== undefined
          ? await readJson(path.join(command.out, 'config.json'))
          : undefined;
  if (base === undefined) {
    process.stderr.write(`--recipe or --recipe-file is required (or --resume with --out).\n${USAGE}`);
    return 2;
  }
  const out = path.resolve(command.out ?? path.join('runs', base.name));
  // On resume the checkpoint's own (resolved) recipe is used and overrides are ignored.
  const recipe = resolveRecipe(base, command.overrides);
  const result = await train(recipe, { out, resume: command.resume });
  const last = result.history.at(-1);
  if (last !== undefined) process.stdout.write(`final test accuracy ${(100 * last.testAccuracy).toFixed(2)}%\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const e = error as Error;
    process.stderr.write(`${e.name}: ${e.message}\n`);
    process.exitCode = 1;
  },
);
