import { getWeights, listWeights, type WeightsRecord } from '@resnext/pretrained';
import { closestName } from '@resnext/models';
import { UsageError } from '../errors/usage_error.js';

/**
 * The weights record `--model` names (`arch.tag`, or `arch` for its default tag).
 *
 * @throws UsageError naming the closest known id for an unknown one.
 */
export function resolveModel(command: string, model: string): WeightsRecord {
  try {
    return getWeights(model);
  } catch {
    // An unknown id, or an architecture without a default tag: suggest the closest.
  }
  const ids = listWeights();
  const archs = [...new Set(ids.map((id) => id.slice(0, id.indexOf('.'))))];
  const suggestion = closestName(model, [...ids, ...archs]);
  throw new UsageError(
    `unknown --model '${model}'${suggestion === undefined ? '' : `; did you mean ${suggestion}?`} ('resnext weights' lists the weights)`,
    command,
  );
}

/** The backends `--backend` accepts in Node. */
const NODE_BACKENDS = ['auto', 'wasm', 'cpu', 'node', 'node-gpu'] as const;

/** A Node backend name. */
export type NodeBackend = (typeof NODE_BACKENDS)[number];

/** Checks `--backend`. @throws UsageError naming the closest valid backend. */
export function resolveBackend(command: string, backend: string): NodeBackend {
  if ((NODE_BACKENDS as readonly string[]).includes(backend)) return backend as NodeBackend;
  const suggestion = closestName(backend, NODE_BACKENDS);
  throw new UsageError(
    `unknown --backend '${backend}'; ${suggestion === undefined ? '' : `did you mean ${suggestion}? `}choose one of ${NODE_BACKENDS.join(', ')}`,
    command,
  );
}
