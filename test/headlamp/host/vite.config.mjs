// Builds the test host with the same Vite plugins Headlamp's plugin build uses.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { nodePolyfills } from 'vite-plugin-node-polyfills';
import svgr from 'vite-plugin-svgr';

export default defineConfig({
  root: import.meta.dirname,
  logLevel: 'warn',
  plugins: [nodePolyfills({ include: ['process', 'buffer', 'stream'] }), svgr({ include: '**/*.svg' }), react()],
  define: { global: 'globalThis' },
  envPrefix: ['VITE_', 'REACT_APP_'],
  optimizeDeps: { exclude: ['monaco-editor'] },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 20_000 },
});
