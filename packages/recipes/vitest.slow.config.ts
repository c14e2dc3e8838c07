import { nodeSlowConfig } from '../../tools/vitest/node.js';

export default nodeSlowConfig();
