// The recipes' modules and public API take the shared atomic writer from here; it lives in
// @resnext/layers/node-io, the one writer of every package.
export { writeFileAtomic } from '@resnext/layers/node-io';
