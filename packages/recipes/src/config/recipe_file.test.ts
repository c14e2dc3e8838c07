import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { getRecipe } from '../catalog/registry.js';
import { RecipeConfigError } from './recipe_config_error.js';
import { jsonErrorOffset, lineColumn } from './json_error.js';
import { loadRecipeFile } from './recipe_file.js';
import { RecipeFileError } from './recipe_file_error.js';

let dir = '';
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recipes-file-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Writes `text` to a file and returns the error loading it raises. */
async function failure(name: string, text: string): Promise<RecipeFileError> {
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  const e = await loadRecipeFile(file).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RecipeFileError);
  expect(e).toBeInstanceOf(RecipeConfigError);
  expect((e as RecipeFileError).file).toBe(file);
  return e as RecipeFileError;
}

const good = () => getRecipe('fashion-mnist-resnext') as unknown as Record<string, unknown>;

describe('loadRecipeFile', () => {
  it('reads a shipped recipe written as JSON', async () => {
    const file = path.join(dir, 'good.json');
    await fs.writeFile(file, JSON.stringify(good()));
    expect(await loadRecipeFile(file)).toEqual(getRecipe('fashion-mnist-resnext'));
  });

  it('names the file and a missing field', async () => {
    const { epochs: _e, ...noEpochs } = good();
    const e = await failure('missing.json', JSON.stringify(noEpochs));
    expect(e.message).toBe(`${path.join(dir, 'missing.json')}: epochs is missing (a number).`);
    expect(e.field).toBe('epochs');
    const model = { ...(good()['model'] as object), numClasses: undefined };
    expect((await failure('nested.json', JSON.stringify({ ...good(), model }))).message).toContain('model.numClasses is missing (a number)');
  });

  it('names a field of the wrong type', async () => {
    const e = await failure('type.json', JSON.stringify({ ...good(), batchSize: '128' }));
    expect(e.message).toBe(`${path.join(dir, 'type.json')}: batchSize must be a number, got "128".`);
    const optimizer = { ...(good()['optimizer'] as object), nesterov: 'yes' };
    expect((await failure('nested-type.json', JSON.stringify({ ...good(), optimizer }))).field).toBe('optimizer.nesterov');
    const trainTransform = [{ kind: 'randomCrop', size: 28 }, { kind: 'flipp' }];
    const t = await failure('kind.json', JSON.stringify({ ...good(), trainTransform }));
    expect(t.message).toContain("trainTransform[1].kind must be one of 'randomCrop', 'flip'");
    expect((await failure('shape.json', JSON.stringify({ ...good(), model: { ...(good()['model'] as object), inputShape: [28, 28] } }))).message).toContain(
      'model.inputShape must be an array of 3 numbers, got an array ([28,28])',
    );
  });

  it('names an unknown field and the one meant', async () => {
    const e = await failure('typo.json', JSON.stringify({ ...good(), lrReferenceBtch: 256 }));
    expect(e.message).toContain('lrReferenceBtch is not a field here; did you mean lrReferenceBatch?');
    const q = await failure('quick.json', JSON.stringify({ ...good(), quick: { epoch: 1 } }));
    expect(q.message).toContain('quick.epoch is not a recipe field; did you mean quick.epochs?');
  });

  it('names a value out of range', async () => {
    const e = await failure('range.json', JSON.stringify({ ...good(), epochs: 0 }));
    expect(e.message).toContain('epochs must be a positive integer, got 0');
    expect(e.field).toBe('epochs');
  });

  it('gives the line and column of bad JSON', async () => {
    const text = '{\n  "name": "x",\n  "epochs": 3,\n}\n';
    const e = await failure('bad.json', text);
    expect([e.line, e.column]).toEqual([4, 1]);
    expect(e.message).toMatch(new RegExp(`^${path.join(dir, 'bad.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:1: not valid JSON: `));
    const cut = await failure('cut.json', '[\n  1,\n');
    expect(cut.message).toContain('cut.json:3:1: not valid JSON: unexpected end of the file.');
    // V8 gives no position for some errors: the offset is found all the same.
    const token = await failure('token.json', '{\n  "ema": tru}');
    expect(token.message).toContain("token.json:2:13: not valid JSON: Unexpected token '}'.");
  });

  it('says when the file is missing', async () => {
    const file = path.join(dir, 'nope.json');
    await expect(loadRecipeFile(file)).rejects.toThrow(`Cannot read recipe file ${file}: no such file.`);
  });

  it('takes a relative dataset.dir from the file’s folder', async () => {
    const file = path.join(dir, 'rel.json');
    await fs.writeFile(file, JSON.stringify({ ...good(), dataset: { kind: 'fashion-mnist', dir: 'data/fmnist' } }));
    expect((await loadRecipeFile(file)).dataset.dir).toBe(path.join(dir, 'data/fmnist'));
  });
});

describe('JSON error positions', () => {
  it('finds the offending character with or without a position in the message', () => {
    for (const [text, offset] of [['{"a": tru}', 9], ['[1, 2,, 3]', 6], ['{"a": 1 "b": 2}', 8], ['{"a": 01}', 7]] as const) {
      let message = '';
      try {
        JSON.parse(text);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(jsonErrorOffset(text, message), text).toBe(offset);
    }
  });

  it('counts lines and columns from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
