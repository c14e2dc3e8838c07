/**
 * `import '@resnext/backends/browser'`: the four browser backends' entries at once (cpu, wasm,
 * webgl, webgpu), so `useBackend('auto')` can pick any of them. Needs all four tfjs backend
 * packages installed; import the single entries to bundle fewer.
 */
import './cpu.js';
import './wasm.js';
import './webgl.js';
import './webgpu.js';
