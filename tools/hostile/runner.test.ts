// The runner itself, on a fake corpus it must fail: a case that returns instead of throwing, wrong
// error names and messages, a hang, a crash, too slow, too much memory, malformed or clashing cases.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCorpus } from './lib/corpus.mjs';

const RUN = fileURLToPath(new URL('run.mjs', import.meta.url));
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hostile-runner-'));
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const FAKE_CASES = `
export const cases = [
  { id: 'throws-as-promised', about: 'the typed error it names', async run() { throw new RangeError('bad size 5 in ' + process.cwd()); }, expect: { name: 'RangeError', message: /bad size 5/ } },
  { id: 'returns', about: 'returns instead of throwing', async run() { return 42; }, expect: { name: 'RangeError', message: /x/ } },
  { id: 'wrong-name', about: 'another error class', async run() { throw new TypeError('bad size'); }, expect: { name: 'RangeError', message: /bad size/ } },
  { id: 'wrong-message', about: 'another message', async run() { throw new RangeError('something else'); }, expect: { name: 'RangeError', message: 'bad size' } },
  { id: 'hangs', about: 'never settles', run: () => new Promise(() => setInterval(() => {}, 1000)), expect: { name: 'Error', message: /x/ } },
  { id: 'slow', about: 'throws, after 2.2 s of work', async run() { const end = Date.now() + 2200; while (Date.now() < end); throw new RangeError('late'); }, expect: { name: 'RangeError', message: /late/ } },
  { id: 'memory-hog', about: 'throws, after touching 260 MB', async run() { globalThis.keep = Buffer.alloc(260 * 2 ** 20).fill(1); throw new RangeError('fat'); }, expect: { name: 'RangeError', message: /fat/ } },
  { id: 'brief-spike', about: 'touches 260 MB synchronously, frees it, throws', async run() { let b = Buffer.allocUnsafeSlow(260 * 2 ** 20).fill(1); b = undefined; globalThis.gc(); throw new RangeError('spike' + String(b)); }, expect: { name: 'RangeError', message: /spike/ } },
  { id: 'crashes', about: 'its process dies', async run() { process.kill(process.pid, 'SIGKILL'); await new Promise(() => {}); }, expect: { name: 'Error', message: /x/ } },
  { id: 'leaves-a-file', about: 'writes into its temp dir, which must be a fresh one', async run({ dir }) { const fs = await import('node:fs'); if (fs.readdirSync(dir).length > 0) throw new Error('dir not empty'); fs.writeFileSync(dir + '/junk', 'x'); throw new RangeError('done'); }, expect: { name: 'RangeError', message: /done/ } },
  { id: 'twice', about: 'an id used again in b.mjs', async run() { throw new RangeError('x'); }, expect: { name: 'RangeError', message: /x/ } },
  { id: 'Not Kebab', about: 'malformed id', async run() { throw new RangeError('x'); }, expect: { name: 'RangeError', message: /x/ } },
  { id: 'no-expect', about: 'no expectation', async run() { throw new RangeError('x'); } },
  { id: 'prepared-slowly', about: 'prepare() works 2.2 s and returns its input; run() only throws with it', async prepare() { const end = Date.now() + 2200; while (Date.now() < end); return 'made'; }, async run({ input }) { throw new RangeError('got ' + input); }, expect: { name: 'RangeError', message: /^got made$/ } },
  { id: 'bad-prepare', about: 'prepare is not a function', prepare: 42, async run() { throw new RangeError('x'); }, expect: { name: 'RangeError', message: /x/ } },
];
`;

let results: Awaited<ReturnType<typeof runCorpus>>;
const byId = (id: string) => results.results.find((r) => r.id === id);

beforeAll(async () => {
  const dir = path.join(root, 'fake');
  await fs.mkdir(dir);
  await fs.writeFile(path.join(dir, 'a.mjs'), FAKE_CASES);
  await fs.writeFile(path.join(dir, 'b.mjs'), `export const cases = [{ id: 'twice', about: 'same id again', async run() { throw new RangeError('x'); }, expect: { name: 'RangeError', message: /x/ } }];`);
  await fs.writeFile(path.join(dir, 'c.mjs'), `import 'no-such-package-anywhere';\nexport const cases = [];`);
  await fs.writeFile(path.join(dir, 'notes.txt'), 'not a case file');
  await fs.writeFile(path.join(dir, 'helper.mjs'), `export function server() {}`);
  await fs.writeFile(path.join(dir, 'empty.mjs'), `// forgot the export\n`);
  await fs.writeFile(path.join(dir, 'not-array.mjs'), `export const cases = { id: 'x' };`);
  results = await runCorpus(dir, { jobs: 2, runTimeoutMs: 8000 });
});

describe('the runner fails what is wrong', () => {
  it('passes a case that throws the error it names, in a fresh directory removed afterwards', async () => {
    expect(byId('throws-as-promised')).toMatchObject({ ok: true, reason: expect.stringMatching(/^RangeError: bad size 5 in /) as unknown });
    expect(byId('leaves-a-file')).toMatchObject({ ok: true });
    // prepare()'s 2.2 s of work is not part of the measured run() time.
    expect(byId('prepared-slowly')).toMatchObject({ ok: true, reason: 'RangeError: got made' });
    expect(byId('prepared-slowly')!.ms).toBeLessThan(2000);
    const cwd = /bad size 5 in (\S+)/.exec(byId('throws-as-promised')!.reason)![1]!;
    expect(path.basename(cwd)).toMatch(/^hostile-throws-as-promised-/);
    await expect(fs.access(cwd)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    ['returns', /^returned instead of throwing$/],
    ['wrong-name', /^threw TypeError: bad size \(expected RangeError\)$/],
    ['wrong-message', /^message "something else" does not match bad size$/],
    ['hangs', /^hang: run\(\) unsettled after 8000 ms, killed$/],
    ['slow', /^took [2-9]\d{3} ms \(limit 2000\)$/],
    ['memory-hog', /(^|; )used 2[5-9]\d\.\d MB above baseline \(limit 200\)$/],
    ['brief-spike', /(^|; )used 2[5-9]\d\.\d MB above baseline \(limit 200\)$/],
    ['crashes', /^crashed \(SIGKILL\) without a report$/],
    ['Not Kebab', /is not kebab-case/],
    ['no-expect', /expect.name must name the error class/],
    ['bad-prepare', /^prepare, when given, must be a function$/],
    ['c.mjs', /^cannot be imported: .*no-such-package-anywhere/],
    ['empty.mjs', /^exports no `cases` array$/],
    ['not-array.mjs', /^exports no `cases` array$/],
  ])('%s fails: %s', (id, reason) => {
    const r = byId(id);
    expect(r?.ok).toBe(false);
    expect(r?.reason).toMatch(reason);
  });

  it('an id used twice fails the second', () => {
    const twice = results.results.filter((r) => r.id === 'twice');
    expect(twice.map((r) => [path.basename(r.file), r.ok, r.reason])).toEqual([
      ['b.mjs', false, 'id also used in a.mjs'],
      ['a.mjs', true, 'RangeError: x'],
    ]);
  });

  it('counts: 12 runnable cases, 19 results, 15 failures; a helper module is listed, notes.txt ignored', () => {
    expect(results.cases).toBe(12);
    expect(results.results).toHaveLength(19);
    expect(results.failed).toBe(15);
    expect(results.helpers.map((h) => path.basename(h))).toEqual(['helper.mjs']);
  });

  it('the command exits 1 on a failing corpus and 0 on a passing one, one line per case and totals', async () => {
    const failing = path.join(root, 'failing');
    const passing = path.join(root, 'passing');
    await fs.mkdir(failing);
    await fs.mkdir(passing);
    await fs.writeFile(path.join(failing, 'x.mjs'), `export const cases = [{ id: 'returns', about: 'returns', async run() {}, expect: { name: 'Error', message: /x/ } }];`);
    await fs.writeFile(path.join(passing, 'x.mjs'), `export const cases = [{ id: 'throws', about: 'throws', async run() { throw new Error('x'); }, expect: { name: 'Error', message: /x/ } }];`);
    const run = (dir: string) => spawnSync(process.execPath, [RUN, '--cases', dir], { encoding: 'utf8' });
    const bad = run(failing);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL returns\s+\d+ ms\s+\d+\.\d MB {2}returned instead of throwing$/m);
    expect(bad.stdout).toMatch(/^1 cases: 0 ok, 1 failed; /m);
    const good = run(passing);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^ok {3}throws\s+\d+ ms\s+\d+\.\d MB {2}Error: x$/m);
    expect(good.stdout).toMatch(/^1 cases: 1 ok, 0 failed; /m);
  });
});
