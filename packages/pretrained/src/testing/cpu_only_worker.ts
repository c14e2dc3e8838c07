// A classifier worker of an app's own, bundling only the cpu backend (browser tests of loadInWorker's `worker` option).
import '@resnext/backends/cpu';
import { serveClassifier } from '../worker/serve.js';

serveClassifier();
