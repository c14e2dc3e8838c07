// What an esbuild user declares for its file loader (`--loader:.safetensors=file`): importing a
// weights file gives its URL. Vite users get `?url` from `vite/client` instead.
declare module '*.safetensors' {
  const url: string;
  export default url;
}
