import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/web, which the service serves at /. Relative asset URLs keep it
// working behind a path prefix too.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: false, modulePreload: { polyfill: false } },
});
