// The shared atomic writer: fsync of the file and its directory, the temporary file removed on
// failure, concurrent writes of one file, and the cleanup of a dead writer's temporary file.
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { removeOrphanedTempFiles, tempFileFor, writeFileAtomic } from './atomic_write.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resnext-atomic-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** The prototype of Node's FileHandle, whose `sync` is fsync. */
async function fileHandlePrototype(): Promise<{ sync: () => Promise<void> }> {
  const probe = await open(join(dir, '.probe'), 'w');
  const prototype = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  await rm(join(dir, '.probe'));
  return prototype;
}

describe('writeFileAtomic', () => {
  it('fsyncs the file before the rename, then its directory', async () => {
    const target = join(dir, 'synced.json');
    const FileHandle = await fileHandlePrototype();
    const seen: string[] = [];
    const sync = FileHandle.sync;
    vi.spyOn(FileHandle, 'sync').mockImplementation(async function (this: unknown) {
      // At the file's fsync the temporary file exists and the target does not yet.
      seen.push((await readdir(dir)).filter((f) => f.includes('synced')).sort().join(','));
      return sync.call(this);
    });
    await writeFileAtomic(target, '{"a":1}');
    expect(seen).toEqual([`.synced.json.${process.pid}.tmp`, 'synced.json']);
    expect(await readFile(target, 'utf8')).toBe('{"a":1}');
  });

  it('removes its temporary file when the write fails, and leaves the target alone', async () => {
    const target = join(dir, 'is-a-directory');
    await mkdir(target);
    await writeFile(join(target, 'inside'), 'kept');
    await expect(writeFileAtomic(target, new Uint8Array(1000))).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST|EPERM/);
    expect((await readdir(dir)).filter((f) => f.includes('is-a-directory'))).toEqual(['is-a-directory']);
    expect(await readFile(join(target, 'inside'), 'utf8')).toBe('kept');
  });

  it('removes its temporary file when the fsync fails', async () => {
    const target = join(dir, 'full-disk.bin');
    await writeFile(target, 'old');
    const FileHandle = await fileHandlePrototype();
    vi.spyOn(FileHandle, 'sync').mockRejectedValue(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow(/ENOSPC/);
    vi.restoreAllMocks();
    expect((await readdir(dir)).filter((f) => f.includes('full-disk'))).toEqual(['full-disk.bin']);
    expect(await readFile(target, 'utf8')).toBe('old');
  });

  it('runs concurrent writes of one file one after the other: the last call wins, nothing is mixed', async () => {
    const target = join(dir, 'raced.bin');
    const contents = Array.from({ length: 12 }, (_, i) => new Uint8Array(100_000 + 997 * i).fill(i + 1));
    await Promise.all(contents.map((c) => writeFileAtomic(target, c)));
    expect(new Uint8Array(await readFile(target))).toEqual(contents.at(-1));
    expect((await readdir(dir)).filter((f) => f.includes('raced'))).toEqual(['raced.bin']);
  });

  it('writes different files concurrently, each complete', async () => {
    const names = Array.from({ length: 8 }, (_, i) => join(dir, `part${i}.bin`));
    await Promise.all(names.map((file, i) => writeFileAtomic(file, new Uint8Array(50_000).fill(i))));
    for (const [i, file] of names.entries()) expect(new Uint8Array(await readFile(file))).toEqual(new Uint8Array(50_000).fill(i));
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('tempFileFor and removeOrphanedTempFiles', () => {
  it('names the temporary file after the writer, in the target folder', () => {
    expect(tempFileFor('/runs/a/last.safetensors', 42)).toBe('/runs/a/.last.safetensors.42.tmp');
    expect(tempFileFor('model.json', 7)).toBe('.model.json.7.tmp');
  });

  it("removes a dead writer's file, keeps a live process's and another worker thread's of this process", async () => {
    const folder = await mkdtemp(join(dir, 'orphans-'));
    const dead = 999_999_999; // above any pid_max
    const files = {
      dead: tempFileFor(join(folder, 'a.bin'), dead),
      deadThread: join(folder, `.b.bin.${dead}-3.tmp`),
      live: tempFileFor(join(folder, 'c.bin'), process.ppid),
      ownThread: join(folder, `.d.bin.${process.pid}-5.tmp`),
    };
    for (const file of Object.values(files)) await writeFile(file, 'xy');
    const removed = await removeOrphanedTempFiles(folder);
    expect(removed.map((r) => r.file).sort()).toEqual([files.dead, files.deadThread].sort());
    expect(removed.every((r) => r.bytes === 2)).toBe(true);
    expect((await readdir(folder)).sort()).toEqual([`.c.bin.${process.ppid}.tmp`, `.d.bin.${process.pid}-5.tmp`].sort());
  });
});
