// Vite's production build with no plugins: the app's index.html is the input.
export default { logLevel: 'warn', build: { outDir: 'dist-vite', emptyOutDir: true } };
