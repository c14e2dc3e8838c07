import type { NodeBuiltins } from '@resnext/layers/node-io';

/** A held lock. */
export interface FileLock {
  /**
   * Whether the lock file is still this holder's. False once another process broke it, judging it
   * abandoned (this holder was paused — a suspended laptop, a stopped process — for longer than
   * `staleMs`): the holder must then not touch what the lock guards.
   */
  held(): Promise<boolean>;
  /** Stops the heartbeat and removes the lock file if it is still ours. */
  release(): Promise<void>;
}

/** How {@link acquireFileLock} waits. */
export interface FileLockOptions {
  /** A lock whose file was not touched for this long (ms) is abandoned and broken. */
  staleMs: number;
  /** Stops waiting; the call then rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** Mean delay between two looks at a held lock (ms). Default 100. */
  pollMs?: number;
}

interface Owner {
  pid: number;
  host: string;
  token: string;
}

const errorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether a process of this machine with this pid exists (it may be stopped). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // exists, owned by another user
  }
}

async function readOwner(node: NodeBuiltins, lockPath: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await node.fsp.readFile(lockPath, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.token === 'string' ? (owner as Owner) : undefined;
  } catch {
    return undefined; // gone, or being written right now
  }
}

/**
 * Whether the lock is abandoned: not touched for `staleMs` (the holder refreshes it while it works),
 * or held by a process of this machine that no longer exists (found at once, not after `staleMs`).
 */
async function isStale(node: NodeBuiltins, lockPath: string, staleMs: number): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = (await node.fsp.stat(lockPath)).mtimeMs;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false; // released meanwhile: just try again
    throw error;
  }
  if (Date.now() - mtimeMs > staleMs) return true;
  const owner = await readOwner(node, lockPath);
  return owner !== undefined && owner.host === node.os.hostname() && owner.pid !== process.pid && !processIsAlive(owner.pid);
}

/**
 * Takes `lockPath` by creating it with O_EXCL (`wx`), which only one process can do; waits while
 * another live process holds it. The holder touches the file every `staleMs / 3` so waiters can
 * tell a slow download from a dead process.
 *
 * Breaking an abandoned lock renames it away first, so of two waiters that both judged it stale
 * only one removes it. A live holder paused for longer than `staleMs` loses its lock this way; it
 * finds out with {@link FileLock.held}, and its heartbeat never refreshes a lock that is not its own.
 */
export async function acquireFileLock(node: NodeBuiltins, lockPath: string, options: FileLockOptions): Promise<FileLock> {
  const { staleMs, signal } = options;
  const pollMs = options.pollMs ?? 100;
  const owner: Owner = { pid: process.pid, host: node.os.hostname(), token: node.crypto.randomUUID() };
  await node.fsp.mkdir(node.path.dirname(lockPath), { recursive: true });
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    try {
      await node.fsp.writeFile(lockPath, JSON.stringify(owner), { flag: 'wx' });
      break;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    if (await isStale(node, lockPath, staleMs)) {
      const aside = `${lockPath}.stale-${owner.token}`;
      try {
        await node.fsp.rename(lockPath, aside);
        await node.fsp.rm(aside, { force: true });
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error; // another waiter broke it first
      }
      continue;
    }
    await sleep(pollMs * (0.5 + Math.random()), signal);
  }

  const held = async (): Promise<boolean> => (await readOwner(node, lockPath))?.token === owner.token;
  const heartbeat = setInterval(() => {
    const now = new Date();
    held()
      .then((mine) => (mine ? node.fsp.utimes(lockPath, now, now) : undefined))
      .catch(() => undefined);
  }, Math.max(10, staleMs / 3));
  (heartbeat as { unref?: () => void }).unref?.();
  return {
    held,
    async release() {
      clearInterval(heartbeat);
      const current = await readOwner(node, lockPath);
      if (current?.token === owner.token) await node.fsp.rm(lockPath, { force: true });
    },
  };
}
