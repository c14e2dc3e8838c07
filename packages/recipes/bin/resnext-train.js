#!/usr/bin/env node
// The `resnext-train` command: the built trainer. A file of its own, committed rather than built,
// so that npm links the command even where the package is installed before it is built (an npm
// workspace), and Nx's `nx run recipes:train --help` can run `resnext-train --help`.
import '../dist/cli/train.js';
