// Builds the test host with the Vite plugins Headlamp's own plugin build uses
// (all brought by @kinvolk/headlamp-plugin). build-host.sh picks the output
// directory, a cache outside the clone.
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
  build: {
    chunkSizeWarningLimit: 20_000,
    // Headlamp's i18n loads its locale files with import(`./locales/${lang}/${ns}.json`). Built in
    // Headlamp's own tree, Vite bundles them; under node_modules it skips such imports unless asked.
    dynamicImportVarsOptions: { include: [/@kinvolk\/headlamp-plugin\/lib\/i18n\//], exclude: [] },
  },
});
