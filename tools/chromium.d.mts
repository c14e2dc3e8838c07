/** Where Debian's `chromium` package installs the browser (`CHROMIUM_PATH` overrides it). */
export declare const CHROMIUM: string;
/** Launch flags: SwiftShader for WebGL 2 and WebGPU, no network. */
export declare const CHROMIUM_ARGS: string[];
/** tfjs packages and tfjs-backend-wasm's glue modules for Vite to pre-bundle up front. */
export declare const TFJS_BROWSER_DEPS: string[];
