/** What a file-system error code means, in a few words. */
const SYSTEM_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file (a parent is not a directory)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
};

/** A file-system error (`ENOENT`, …) in a few words, or undefined for any other error. */
export function systemProblem(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined;
  return SYSTEM_PROBLEMS[code] ?? `cannot read it (${code})`;
}
