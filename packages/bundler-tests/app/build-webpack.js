// Runs webpack through its Node API and prints its errors and warnings as JSON on stdout.
/* global console -- runs in Node; the repository's ESLint config declares no environment */
import webpack from 'webpack';
import config from './webpack.config.js';

webpack(config, (error, stats) => {
  if (error) throw error;
  const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
  console.log(JSON.stringify({ errors: errors.map((e) => e.message), warnings: warnings.map((w) => w.message) }));
});
