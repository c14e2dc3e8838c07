import { nodeConfig } from '../../tools/vitest/node.js';

export default nodeConfig();
