// webpack 5 in production mode, ES module output for browsers, no plugins and no polyfills.
import path from 'node:path';

export default {
  mode: 'production',
  target: 'web',
  entry: './src/main.js',
  output: { path: path.resolve('dist-webpack'), filename: 'main.js', module: true, chunkFormat: 'module', clean: true },
  experiments: { outputModule: true },
  performance: { hints: false },
};
