// A Web Worker for the kernel-pool browser test: runs the probe (kernel_pool_probe.ts) there.
import { probeKernelPool } from './kernel_pool_probe.js';

self.onmessage = async () => {
  try {
    self.postMessage(await probeKernelPool((phase) => self.postMessage({ phase })));
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
