// A Web Worker for the kernel-pool browser test: runs the probe (kernel_pool_probe.ts) there. The
// probe is imported dynamically, after a first report, so a worker that never answers tells
// whether its own script ran and whether the probe's modules (tfjs, @resnext/layers, whose wasm
// kernels compile at import) finished loading.
self.postMessage({ phase: 'worker script running; importing the probe' });

self.onmessage = async () => {
  try {
    const { probeKernelPool } = await import('./kernel_pool_probe.js');
    self.postMessage({ phase: 'probe imported' });
    self.postMessage(await probeKernelPool((phase) => self.postMessage({ phase })));
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
