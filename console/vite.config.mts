/**
 * The staff console's build (docs/console.md): a single page under /console, bundled into
 * dist/console, which the API serves (api/console-files.ts). esbuild compiles the JSX; nothing here
 * needs Babel or a React plugin (no hot reload in this project's workflow).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
    rollupOptions: {
      // Ant Design marks its modules "use client" for React server components; a browser bundle has no use for it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
