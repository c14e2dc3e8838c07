/** Thrown for a recipe or override the trainer cannot honour; the message names the field. */
export class RecipeConfigError extends Error {
  override name = 'RecipeConfigError';
  /** The offending field as a dotted path (`optimizer.lr`), when one field is to blame. */
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}
