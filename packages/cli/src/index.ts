export { UsageError, run } from './main.js';
export { formatTable, modelRows, type ModelRow } from './commands/models.js';
