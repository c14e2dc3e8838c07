/**
 * A small structural checker for JSON values: enough to tell a user which field of a recipe is
 * missing or has the wrong type, before anything reads it.
 */

/** The expected shape of a JSON value. */
export type Shape =
  | { t: 'string' }
  | { t: 'number' }
  | { t: 'boolean' }
  /** Any JSON object (checked elsewhere, e.g. an inline architecture). */
  | { t: 'any-object' }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'array'; of: Shape; length?: number }
  | { t: 'nullable'; of: Shape }
  | { t: 'object'; fields: Fields }
  /** An object whose `kind` selects its fields; `common` fields apply to every kind. */
  | { t: 'kinds'; kinds: Record<string, Fields>; common?: Fields };

/** Field name → shape; a `?` after the name marks an optional field. */
export type Fields = Record<string, Shape>;

/** A value that does not fit its shape; `field` is the dotted path (`optimizer.lr`, `trainTransform[1].kind`). */
export class ShapeError extends Error {
  override name = 'ShapeError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Options of {@link checkShape}. */
export interface CheckOptions {
  /** Reject fields the shape does not name (a typo in a file); `suggest` proposes the nearest name. */
  unknownKeys?: { suggest: (word: string, candidates: string[]) => string | undefined };
}

/** How the shape reads in a message: "a number", "an array of 3 numbers", "one of 'sgd', 'adamw'". */
function describe(shape: Shape): string {
  switch (shape.t) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'any-object':
    case 'object':
      return 'an object';
    case 'kinds':
      return `an object with kind ${Object.keys(shape.kinds).map((k) => `'${k}'`).join(' | ')}`;
    case 'enum':
      return `one of ${shape.values.map((v) => `'${v}'`).join(', ')}`;
    case 'nullable':
      return `null or ${describe(shape.of)}`;
    case 'array': {
      const item = describe(shape.of).replace(/^an? /, '');
      const plural = item.startsWith('object') ? item.replace(/^object/, 'objects') : `${item}${item.endsWith('s') ? '' : 's'}`;
      return shape.length === undefined ? `an array of ${plural}` : `an array of ${shape.length} ${plural}`;
    }
  }
}

function got(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (${JSON.stringify(value).slice(0, 40)})`;
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkFields(value: Record<string, unknown>, fields: Fields, where: string, options: CheckOptions, extra: string[] = []): void {
  const join = (key: string) => (where === '' ? key : `${where}.${key}`);
  for (const [spec, shape] of Object.entries(fields)) {
    const optional = spec.endsWith('?');
    const key = optional ? spec.slice(0, -1) : spec;
    if (value[key] === undefined) {
      if (!optional) throw new ShapeError(`${join(key)} is missing (${describe(shape)}).`, join(key));
      continue;
    }
    checkShape(value[key], shape, join(key), options);
  }
  if (options.unknownKeys !== undefined) {
    const known = [...Object.keys(fields).map((k) => k.replace(/\?$/, '')), ...extra];
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const guess = options.unknownKeys.suggest(key, known);
      throw new ShapeError(`${join(key)} is not a field here${guess === undefined ? '' : `; did you mean ${join(guess)}?`}`, join(key));
    }
  }
}

/** Throws {@link ShapeError} naming the first field of `value` that does not fit `shape`. */
export function checkShape(value: unknown, shape: Shape, where: string, options: CheckOptions = {}): void {
  const fail = (): never => {
    throw new ShapeError(`${where} must be ${describe(shape)}, got ${got(value)}.`, where);
  };
  switch (shape.t) {
    case 'string':
    case 'number':
    case 'boolean':
      if (typeof value !== shape.t || (shape.t === 'number' && !Number.isFinite(value))) fail();
      return;
    case 'any-object':
      if (!isObject(value)) fail();
      return;
    case 'enum':
      if (typeof value !== 'string' || !shape.values.includes(value)) fail();
      return;
    case 'nullable':
      if (value !== null) checkShape(value, shape.of, where, options);
      return;
    case 'array':
      if (!Array.isArray(value) || (shape.length !== undefined && value.length !== shape.length)) fail();
      (value as unknown[]).forEach((item, i) => checkShape(item, shape.of, `${where}[${i}]`, options));
      return;
    case 'object':
      if (!isObject(value)) fail();
      checkFields(value as Record<string, unknown>, shape.fields, where, options);
      return;
    case 'kinds': {
      if (!isObject(value)) fail();
      const v = value as Record<string, unknown>;
      const kinds = Object.keys(shape.kinds);
      const kindShape: Shape = { t: 'enum', values: kinds };
      if (v['kind'] === undefined) throw new ShapeError(`${where}.kind is missing (${describe(kindShape)}).`, `${where}.kind`);
      checkShape(v['kind'], kindShape, `${where}.kind`);
      checkFields(v, { ...shape.common, ...shape.kinds[v['kind'] as string] }, where, options, ['kind']);
      return;
    }
  }
}
