export { backendInfo, type BackendInfo } from './info.js';
