import { geometryNumbers, type GroupConvGeometry } from '../../ops/conv_geometry.js';

/**
 * A pipeline-cache key naming every geometry value our shaders compile in as a constant. The
 * backend caches pipelines by `shaderKey` plus input ranks and dtypes only, so two
 * convolutions that differ in any of these must not share a key.
 */
export function geometryShaderKey(kernel: string, geo: GroupConvGeometry, ...flags: boolean[]): string {
  return [kernel, ...geometryNumbers(geo), ...flags].join('_');
}
