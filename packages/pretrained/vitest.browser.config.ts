import { browserConfig } from '../../tools/vitest/browser.js';

export default browserConfig();
