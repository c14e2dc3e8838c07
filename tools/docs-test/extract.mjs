// Finds the TypeScript code blocks of the documentation and reads what their fence asks for.
// Fence convention (see README.md here): ```ts / ```typescript type-checked only, ```ts run also run
// in Node, ```ts browser also run in headless Chromium, ```ts no-check <reason> excluded.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Languages whose blocks are TypeScript. Other fences (sh, js, text, …) are counted, not checked. */
const TS_LANGS = new Set(['ts', 'typescript']);

/** The documentation: the root README, every guide in docs/, every package's README. */
export function docFiles(root) {
  const md = (dir) =>
    readdirSync(path.join(root, dir), { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.md'))
      .map((e) => path.join(dir, e.name));
  const packages = readdirSync(path.join(root, 'packages'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join('packages', e.name, 'README.md'))
    .filter((file) => existsSync(path.join(root, file)));
  return ['README.md', ...md('docs'), ...packages.sort()];
}

/**
 * What a fence's info string (after the language) asks for. Unknown words are errors, not
 * ignored: a misspelt `runn` must not quietly turn a runnable example into a checked-only one.
 */
export function parseFenceOptions(rest) {
  const words = rest.trim() === '' ? [] : rest.trim().split(/\s+/);
  const options = { mode: 'check', reason: undefined, fileName: undefined, timeoutSeconds: undefined, errors: [] };
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === 'run' || word === 'browser') {
      if (options.mode !== 'check') options.errors.push(`"${word}" after "${options.mode}"`);
      options.mode = word === 'run' ? 'node' : 'browser';
    } else if (word === 'no-check') {
      options.mode = 'excluded';
      // The rest of the line is the reason, so it shows in the source next to the block.
      options.reason = words.slice(i + 1).join(' ').replace(/^[-—:–]\s*/, '');
      if (options.reason === '') options.errors.push('"no-check" needs a reason after it');
      break;
    } else if (word.startsWith('file=')) {
      options.fileName = word.slice('file='.length);
      if (!/^[\w.-]+\.ts$/.test(options.fileName)) options.errors.push(`file name "${options.fileName}" must be a plain name ending in .ts`);
    } else if (word.startsWith('timeout=')) {
      options.timeoutSeconds = Number(word.slice('timeout='.length));
      if (!(options.timeoutSeconds > 0)) options.errors.push(`bad timeout "${word}" (seconds)`);
    } else {
      options.errors.push(`unknown fence word "${word}" (known: run, browser, no-check <reason>, file=<name>.ts, timeout=<seconds>)`);
    }
  }
  if (options.fileName !== undefined && options.mode === 'node') options.errors.push('file= blocks are modules for browser pages; they are not run in Node');
  return options;
}

/**
 * The fenced blocks of one markdown text. Blocks indented inside list items lose that indentation.
 * `line` is the 1-based line of the opening fence; `code` starts on the line after it.
 */
export function extractBlocks(markdown, file) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/.exec(lines[i]);
    if (open === null) continue;
    const [, indent, fence, lang, rest] = open;
    const body = [];
    let j = i + 1;
    const close = new RegExp(`^ *${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j])) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
      j++;
    }
    const language = lang.toLowerCase();
    const block = { file, line: i + 1, lang: language, code: body.join('\n') + '\n', typescript: TS_LANGS.has(language) };
    if (block.typescript) Object.assign(block, parseFenceOptions(rest));
    blocks.push(block);
    i = j;
  }
  return blocks;
}

/** Every block of the documentation, TypeScript or not. */
export function extractAll(root, files = docFiles(root)) {
  return files.flatMap((file) => extractBlocks(readFileSync(path.join(root, file), 'utf8'), file));
}
