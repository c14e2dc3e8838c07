export { UsageError, run, type ProgressStream } from './main.js';
export { classifyCommand, formatPredictions, parseClassifyArgs, type ClassifyArgs } from './commands/classify.js';
export { progressBar, type ProgressEvent } from './commands/progress_bar.js';
export { formatTable, modelRows, type ModelRow } from './commands/models.js';
