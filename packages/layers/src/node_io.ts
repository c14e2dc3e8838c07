/**
 * `@resnext/layers/node-io`: the Node file helpers the ResNeXt.js packages share — the lazy
 * importer of Node built-ins and the atomic file writer. Node only; importing this entry has no
 * side effects and no static `node:` import, so it is safe in code that also runs in browsers.
 * Its types use `@types/node`.
 */
export { nodeBuiltins, type NodeBuiltins } from './io/node_builtins.js';
export { removeOrphanedTempFiles, tempFileFor, writeFileAtomic, type RemovedTempFile } from './io/atomic_write.js';
