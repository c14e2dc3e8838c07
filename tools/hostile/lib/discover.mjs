// Finds the cases of a corpus directory (every *.mjs file's `cases` export) and checks their shape.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Why a case as written cannot be run, or undefined when it can. */
function shapeProblem(c) {
  if (typeof c !== 'object' || c === null) return 'a case must be an object';
  if (typeof c.id !== 'string' || !KEBAB.test(c.id)) return `id ${JSON.stringify(c.id)} is not kebab-case`;
  if (typeof c.about !== 'string' || c.about.trim() === '' || c.about.includes('\n')) return 'about must be one non-empty line';
  if (typeof c.run !== 'function') return 'run must be a function';
  if (c.prepare !== undefined && typeof c.prepare !== 'function') return 'prepare, when given, must be a function';
  const e = c.expect;
  if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || e.name === '') return 'expect.name must name the error class';
  if (!(e.message instanceof RegExp) && typeof e.message !== 'string') return 'expect.message must be a RegExp or a string';
  return undefined;
}

/**
 * Every case of every `*.mjs` file directly in `dir`, in file then declaration order, the helper
 * modules (files that export other things but no `cases`), and the
 * problems that keep some from running (a file that fails to import, a malformed case, an id used
 * twice): each problem is a failure of the corpus, never skipped silently. `only` limits the
 * files read to those names.
 * @param {string} dir
 * @param {{ only?: string[] }} [options]
 * @returns {Promise<{ files: string[], cases: { file: string, id: string, about: string, expect: { name: string, message: RegExp | string } }[], problems: { file: string, id: string, problem: string }[], helpers: string[] }>}
 */
export async function discoverCases(dir, { only } = {}) {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.mjs') && (only === undefined || only.includes(f))).sort();
  const cases = [];
  const problems = [];
  const helpers = [];
  const seen = new Map();
  for (const name of files) {
    const file = path.join(dir, name);
    let module;
    try {
      module = await import(pathToFileURL(file).href);
    } catch (error) {
      problems.push({ file, id: name, problem: `cannot be imported: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    // A module with other exports and no `cases` is a helper of the case files (servers, file
    // builders), listed as such; one with no exports at all, or a `cases` that is no array, is a mistake.
    if (!('cases' in module) && Object.keys(module).length > 0) {
      helpers.push(file);
      continue;
    }
    if (!Array.isArray(module.cases)) {
      problems.push({ file, id: name, problem: 'exports no `cases` array' });
      continue;
    }
    module.cases.forEach((c, i) => {
      const problem = shapeProblem(c);
      const id = typeof c?.id === 'string' ? c.id : `${name}#${i}`;
      if (problem) return problems.push({ file, id, problem });
      if (seen.has(id)) return problems.push({ file, id, problem: `id also used in ${path.basename(seen.get(id))}` });
      seen.set(id, file);
      cases.push({ file, id: c.id, about: c.about, expect: c.expect });
    });
  }
  return { files, cases, problems, helpers };
}
