// Browser tests served by Vite import backends as a bundled app does: through the
// @resnext/backends/browser entry (literal imports of the tfjs backends and of tfjs-backend-wasm's
// glue modules, which our browser loader needs to run exactly the requested threads).
import '../entries/browser.js';
import { defaultImporter } from '../importer.js';

export const browserImporter = defaultImporter;
