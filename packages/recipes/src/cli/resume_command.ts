import * as path from 'node:path';
import type { BaseDir } from './base_dir.js';
import { shellQuote } from './shell_quote.js';

/** How the trainer was started, as far as the commands it suggests need it. */
export interface Invocation {
  base: BaseDir;
  env: NodeJS.ProcessEnv;
  /** The script Node runs (process.argv[1]). */
  script: string;
}

/**
 * `file` as the user should type it: relative to the directory they ran the command in when it
 * lies inside it, absolute otherwise (or when `--cwd` moved the base away from that directory).
 */
export function displayPath(file: string, base: BaseDir): string {
  if (base.source === 'cwd' || base.source === 'nx-init-cwd') {
    const rel = path.relative(base.dir, file);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel;
  }
  return file;
}

/**
 * The trainer's command line with `args`, in the form the trainer was started with:
 * `npx nx run <project>:train …` as an Nx task, `npm run train -- …` from the package's npm
 * script, `node <script> …` or `resnext-train …` otherwise.
 */
function trainCommandLine(args: readonly string[], { base, env, script }: Invocation): string {
  const tail = args.join(' ');
  const project = env['NX_TASK_TARGET_PROJECT'];
  if (project !== undefined) return `npx nx run ${project}:train ${tail}`;
  if (env['npm_lifecycle_event']?.startsWith('train') === true && env['npm_package_name'] === '@resnext/recipes') return `npm run train -- ${tail}`;
  if (path.basename(script) === 'train.js') return `node ${shellQuote(displayPath(script, base))} ${tail}`;
  return `resnext-train ${tail}`;
}

/** The exact command that resumes the run in `out`. */
export function resumeCommand(out: string, invocation: Invocation): string {
  return trainCommandLine(['--resume', `--out=${shellQuote(displayPath(out, invocation.base))}`], invocation);
}

/** The command that starts recipe `recipe` (`<name>` when unknown) in `out`. */
export function startCommand(recipe: string | undefined, out: string, invocation: Invocation): string {
  return trainCommandLine([`--recipe=${recipe === undefined ? '<name>' : shellQuote(recipe)}`, `--out=${shellQuote(displayPath(out, invocation.base))}`], invocation);
}
