import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { closestName } from '@resnext/models';
import type { RecipeConfig } from './recipe_config.js';
import { RecipeConfigError } from './recipe_config_error.js';
import { jsonErrorOffset, jsonErrorReason, lineColumn } from './json_error.js';
import { RecipeFileError } from './recipe_file_error.js';
import { checkRecipeShape } from './recipe_shape.js';
import { validateRecipe } from './resolve.js';

/** Parses JSON; a syntax error becomes a {@link RecipeFileError} at `file:line:column`. */
function parseRecipeJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = (e as Error).message;
    const { line, column } = lineColumn(text, jsonErrorOffset(text, message));
    throw new RecipeFileError(`${file}:${line}:${column}: not valid JSON: ${jsonErrorReason(message)}.`, { file, line, column });
  }
}

/**
 * Reads a recipe file (a {@link RecipeConfig} as JSON) and checks it: every required field
 * present with its JSON type, no unknown fields (the nearest known name is suggested), values in
 * range. A relative `dataset.dir` is taken from the file's folder. Throws {@link RecipeFileError}.
 */
export async function loadRecipeFile(file: string): Promise<RecipeConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new RecipeFileError(`Cannot read recipe file ${file}: ${why}.`, { file });
  }
  const value = parseRecipeJson(text, file);
  try {
    checkRecipeShape(value, { unknownKeys: { suggest: closestName } });
    validateRecipe(value as RecipeConfig);
  } catch (e) {
    if (e instanceof RecipeConfigError) {
      throw new RecipeFileError(`${file}: ${e.message}`, e.field === undefined ? { file } : { file, field: e.field });
    }
    throw e;
  }
  const recipe = value as RecipeConfig;
  const dir = recipe.dataset.dir;
  if (dir !== undefined && !path.isAbsolute(dir)) recipe.dataset.dir = path.resolve(path.dirname(path.resolve(file)), dir);
  return recipe;
}
