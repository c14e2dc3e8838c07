/** Where Debian's `chromium` package installs the browser (`CHROMIUM_PATH` overrides it). */
export declare const CHROMIUM: string;
/** Launch flags: SwiftShader for WebGL 2 and WebGPU, no network. */
export declare const CHROMIUM_ARGS: string[];
