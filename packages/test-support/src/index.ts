export { relativeError } from './relative_error.js';
