// The importer of browser tests served by Vite: the default one, with every entry's loaders
// registered (tfjs-backend-wasm's Emscripten glue included), as an app that imports
// '@resnext/backends/browser' has them.
import '../entries/browser.js';
import { defaultImporter, type ModuleImporter } from '../importer.js';

export const browserImporter: ModuleImporter = defaultImporter;
