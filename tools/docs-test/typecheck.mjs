// Type-checks the snippet files in strict mode with the TypeScript compiler API, against the
// packages' built declarations (dist/*.d.ts through their package.json "exports"), as a user's
// project would see them. Two programs, because Node and browser code are compiled differently.
import path from 'node:path';
import ts from 'typescript';
import { ROOT, TOOL_DIR } from './snippet_files.mjs';

const COMMON = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  noEmit: true,
  // The packages' own builds check their declarations; a user's project skips them too.
  skipLibCheck: true,
};

/**
 * `ts run`: a Node ES module project (`"type": "module"`, NodeNext), no DOM types, so a Node
 * example that touches `document` fails here rather than at run time only.
 */
const NODE_OPTIONS = {
  ...COMMON,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
};

/**
 * `ts`, `ts browser` and `file=` blocks: a bundled app (Vite's client types for `?url` imports),
 * with DOM and Node types both, since a type-check-only block may be either kind of code.
 */
const BUNDLER_OPTIONS = {
  ...COMMON,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: ['node', 'vite/client'],
};

/** Declarations an esbuild user writes for its file loader (`--loader:.safetensors=file`). */
const AMBIENT = path.join(TOOL_DIR, 'ambient.d.ts');

/** Diagnostics of one program, each placed at its markdown line. */
function check(files, options, extraRoots = []) {
  if (files.size === 0) return [];
  const host = ts.createCompilerHost(options);
  // `types` (node, vite/client) are looked up from here, whatever the caller's working directory.
  host.getCurrentDirectory = () => ROOT;
  const program = ts.createProgram([...files.keys(), ...extraRoots], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const block = d.file === undefined ? undefined : files.get(path.resolve(d.file.fileName));
    if (d.file === undefined || block === undefined) {
      const at = d.file === undefined ? '' : `${path.relative(ROOT, d.file.fileName)}: `;
      return { block: undefined, text: `${at}error TS${d.code}: ${message}` };
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    // The block's code starts on the line after its opening fence.
    return { block, text: `${block.file}:${block.line + 1 + line}:${character + 1} error TS${d.code}: ${message}` };
  });
}

/**
 * Type-checks every written snippet. Returns the failures: `{ block, text }`, `block` undefined
 * for an error outside any snippet (a broken declaration file, say).
 */
export function typecheck(written) {
  const node = new Map();
  const bundled = new Map();
  for (const [file, block] of written) (block.mode === 'node' ? node : bundled).set(file, block);
  return [...check(node, NODE_OPTIONS), ...check(bundled, BUNDLER_OPTIONS, [AMBIENT])];
}
