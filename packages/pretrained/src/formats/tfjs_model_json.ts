import type * as tf from '@tensorflow/tfjs-core';
import { WeightsFormatError } from '../errors.js';
import { shapeProblem } from './limits.js';

/**
 * Why a weights-manifest path would leave the folder of its model.json, or undefined when it stays
 * inside: absolute paths, drive letters, URLs (`scheme:`), and `..` segments (also percent-encoded,
 * which URL resolution treats as `..`) are refused. tf.io joins each path to the folder of
 * model.json, so only plain relative paths keep a hostile manifest from reading other files.
 */
export function manifestPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return 'is not a non-empty string';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return 'has malformed percent-encoding';
  }
  for (const p of [path, decoded]) {
    if (/^[/\\]/.test(p)) return 'is absolute';
    if (/^[a-z][a-z0-9+.-]*:/i.test(p)) return 'is a URL or a drive path';
    if (p.split(/[/\\]/).some((segment) => segment === '..')) return 'climbs out with ".."';
    if (p.includes('\0')) return 'contains a NUL character';
  }
  return undefined;
}

/**
 * Parses and checks the text of a tfjs `model.json` before tf.io acts on it: a JSON object with a
 * `modelTopology` object and a `weightsManifest` list of groups, each with `paths` inside the
 * model's folder and `weights` whose shapes are within the readers' limits. Anything else throws
 * {@link WeightsFormatError} naming `source` (and the path or weight).
 */
export function checkTfjsModelJson(text: string, source: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WeightsFormatError(source, `model.json is not JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new WeightsFormatError(source, 'model.json is not a JSON object');
  const { modelTopology, weightsManifest } = json as Record<string, unknown>;
  if (typeof modelTopology !== 'object' || modelTopology === null || Array.isArray(modelTopology)) {
    throw new WeightsFormatError(source, 'model.json has no modelTopology object: not a tfjs layers model');
  }
  if (!Array.isArray(weightsManifest)) throw new WeightsFormatError(source, 'model.json has no weightsManifest list');
  for (const group of weightsManifest as unknown[]) {
    const { paths, weights } = (typeof group === 'object' && group !== null ? group : {}) as Record<string, unknown>;
    if (!Array.isArray(paths) || !Array.isArray(weights)) throw new WeightsFormatError(source, 'a weightsManifest group lacks its paths or weights list');
    for (const path of paths as unknown[]) {
      const problem = manifestPathProblem(path);
      if (problem !== undefined) throw new WeightsFormatError(source, `weights path ${JSON.stringify(path)} ${problem}: manifest paths must stay inside the model's folder`);
    }
    for (const weight of weights as unknown[]) {
      const { name, shape } = (typeof weight === 'object' && weight !== null ? weight : {}) as Record<string, unknown>;
      if (typeof name !== 'string') throw new WeightsFormatError(source, 'a weightsManifest entry has no name');
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        throw new WeightsFormatError(source, `weight "${name}": shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
      }
      const tooLarge = shapeProblem(shape as number[]);
      if (tooLarge !== undefined) throw new WeightsFormatError(source, `weight "${name}": ${tooLarge}`);
    }
  }
  return json as tf.io.ModelJSON;
}
