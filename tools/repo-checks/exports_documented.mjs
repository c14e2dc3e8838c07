// Every name a package exports — from its main entry and each subpath of package.json `exports` —
// must appear in its guide, docs/<package>.md, as a whole word: the public API is what the guide
// documents. Prints each undocumented name and exits 1.
//
//   node tools/repo-checks/exports_documented.mjs [--root <dir>] [package ...]
//
// Without packages it checks the published ones. The entry of an export is its `types` (or
// `default`) target in dist/, mapped back to the source under src/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const PACKAGES = ['layers', 'models', 'pretrained', 'backends', 'recipes', 'cli'];

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The source files of a package's `exports` (wildcard patterns and package.json left out). */
function entryFiles(packageDir) {
  const { exports } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const targets = typeof exports === 'string' ? { '.': exports } : exports;
  const files = [];
  for (const [subpath, target] of Object.entries(targets)) {
    if (subpath.includes('*') || subpath === './package.json') continue;
    const file = typeof target === 'string' ? target : (target.types ?? target.default);
    const match = /^\.\/dist\/(.+?)(\.d\.ts|\.js)$/.exec(file ?? '');
    if (!match) throw new Error(`${packageDir}: export "${subpath}" does not point into dist/`);
    const source = path.join(packageDir, 'src', `${match[1]}.ts`);
    if (!existsSync(source)) throw new Error(`${packageDir}: export "${subpath}" has no source ${source}`);
    files.push(source);
  }
  return files;
}

/** The names each module exports (values and types, through `export *`), by file. */
function exportedNames(files) {
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  return new Map(
    files.map((file) => {
      const source = program.getSourceFile(file);
      const symbol = source && checker.getSymbolAtLocation(source);
      // A file without imports or exports is a script: it exports nothing.
      const names = symbol ? checker.getExportsOfModule(symbol).map((s) => s.getName()) : [];
      return [file, names.sort()];
    }),
  );
}

const wordChar = '[A-Za-z0-9_$]';

/** Whether `name` appears in `text` as a whole identifier. */
function mentions(text, name) {
  const escaped = name.replace(/[$]/g, '\\$');
  return new RegExp(`(?<!${wordChar})${escaped}(?!${wordChar})`).test(text);
}

/** The exported names of each package that its guide does not mention: `{ pkg, name, entry, guide }`. */
export function undocumentedExports(root = ROOT, packages = PACKAGES) {
  const missing = [];
  for (const pkg of packages) {
    const packageDir = path.join(root, 'packages', pkg);
    const guide = path.join(root, 'docs', `${pkg}.md`);
    const text = existsSync(guide) ? readFileSync(guide, 'utf8') : '';
    for (const [file, names] of exportedNames(entryFiles(packageDir))) {
      const entry = path.relative(root, file);
      for (const name of names) {
        if (!mentions(text, name)) missing.push({ pkg, name, entry, guide: path.relative(root, guide) });
      }
    }
  }
  return missing;
}

function main(argv) {
  let root = ROOT;
  const packages = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root') root = path.resolve(argv[++i]);
    else packages.push(argv[i]);
  }
  const missing = undocumentedExports(root, packages.length ? packages : PACKAGES);
  for (const { pkg, name, entry, guide } of missing) {
    console.error(`@resnext/${pkg}: ${name} (exported by ${entry}) is not in ${guide}`);
  }
  if (missing.length) {
    console.error(`exports-documented: ${missing.length} exported names missing from their guides`);
    process.exitCode = 1;
  } else {
    console.log('exports-documented: every exported name is in its package guide');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
