// Peak resident memory of this process during one stretch of work (Linux /proc; a coarser
// fallback elsewhere).
import * as fs from 'node:fs';

const MIB = 1024 * 1024;

/** A field of /proc/self/status in bytes (VmRSS, VmHWM), or undefined off Linux. */
function status(field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring: returns `stop()`, which gives the peak RSS since the start minus the RSS at the
 * start, in MiB. The baseline should be taken after imports and a garbage collection (the caller
 * does both), so that loading libraries and their garbage do not count as the work's memory.
 *
 * The peak is the kernel's own high-water mark (VmHWM), reset to the current RSS by writing 5 to
 * /proc/self/clear_refs: it sees a spike even while the event loop is blocked. Where that is not
 * available the RSS is sampled every 5 ms instead, which can miss a spike inside synchronous code.
 */
export function startMeasuring() {
  const baseline = process.memoryUsage.rss();
  let method = 'vmhwm';
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    if (status('VmHWM') === undefined) throw new Error('no VmHWM');
  } catch {
    method = 'sampled';
  }
  let sampled = baseline;
  const timer = method === 'sampled' ? setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 5) : undefined;
  return () => {
    if (timer) clearInterval(timer);
    const peak = method === 'vmhwm' ? status('VmHWM') : Math.max(sampled, process.memoryUsage.rss());
    return { mb: Math.max(0, peak - baseline) / MIB, baselineMb: baseline / MIB, method };
  };
}
