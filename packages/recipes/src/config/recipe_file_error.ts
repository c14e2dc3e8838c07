import { RecipeConfigError } from './recipe_config_error.js';

/** Where in a recipe file the problem is. */
export interface RecipeFileLocation {
  file: string;
  /** The offending field (`optimizer.lr`), for a well-formed file with a bad recipe. */
  field?: string;
  /** 1-based line and column, for a file that is not valid JSON. */
  line?: number;
  column?: number;
}

/**
 * A recipe file that cannot be used: unreadable, not JSON, or not a valid recipe. The message
 * starts with the file (and `:line:column` for bad JSON) and names the field.
 */
export class RecipeFileError extends RecipeConfigError {
  override name = 'RecipeFileError';
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(message: string, location: RecipeFileLocation) {
    super(message, location.field);
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
  }
}
