/** What {@link onInterrupt} returns. */
export interface InterruptHandle {
  /** Aborted at the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** The first signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** Removes the handlers. */
  dispose(): void;
}

/** The shell's exit code for a process ended by `signal`: 128 + its number (130 SIGINT, 143 SIGTERM). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/**
 * Turns SIGINT and SIGTERM into an AbortSignal so the trainer can finish its step and write a
 * checkpoint. `onFirst` runs at the first signal (to say what happens next). A second SIGINT
 * at least a second after the first (a person pressing Ctrl-C again) exits at once with 130;
 * the last checkpoint on disk stays valid (checkpoints are written atomically). Repeated
 * SIGTERMs are ignored: process managers send one, then SIGKILL after their grace period.
 */
export function onInterrupt(onFirst: (signal: NodeJS.Signals) => void, exit: (code: number) => void = (code) => process.exit(code)): InterruptHandle {
  const controller = new AbortController();
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (first === undefined) {
      first = { signal, at: Date.now() };
      controller.abort(signal);
      onFirst(signal);
      return;
    }
    if (signal === 'SIGINT' && Date.now() - first.at >= 1000) exit(signalExitCode('SIGINT'));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => first?.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
