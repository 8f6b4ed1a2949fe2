// Builds the test host with the Vite plugins Headlamp's own plugin build uses
// (all brought by @kinvolk/headlamp-plugin). build-host.sh picks the output
// directory, a cache outside the clone. SVGs become components only when
// imported with ?react, as in Headlamp's app (its map icons); a plain import
// is a URL (its error pages' images).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { nodePolyfills } from 'vite-plugin-node-polyfills';
import svgr from 'vite-plugin-svgr';

const require = createRequire(import.meta.url);
const libDir = join(dirname(require.resolve('@kinvolk/headlamp-plugin/package.json')), 'lib');
const mdiDir = dirname(require.resolve('@iconify/icons-mdi/check-network.js'));
const ICONS = 'virtual:headlamp-icons';

/** Every "mdi:<name>" Headlamp's frontend names as a literal. */
function iconsNamedByHeadlamp() {
  const names = new Set();
  for (const file of readdirSync(libDir, { recursive: true }).filter((path) => path.endsWith('.js')))
    for (const [, name] of readFileSync(join(libDir, file), 'utf8').matchAll(/['"`]mdi:([a-z0-9-]+)['"`]/g)) names.add(name);
  return [...names].filter((name) => existsSync(join(mdiDir, `${name}.js`))).sort();
}

/**
 * Headlamp's app bundles the icons its views name, so it asks Iconify's API
 * for none of them; lib does not ship that bundle, so the host registers the
 * same from @iconify/icons-mdi. A plugin's icon still has to come with the plugin.
 */
function headlampIcons() {
  return {
    name: 'headlamp-icons',
    resolveId: (source) => (source === ICONS ? `\0${ICONS}` : undefined),
    load(id) {
      if (id !== `\0${ICONS}`) return undefined;
      const names = iconsNamedByHeadlamp();
      return [
        "import { addCollection } from '@iconify/react';",
        ...names.map((name, index) => `import icon${index} from '@iconify/icons-mdi/${name}.js';`),
        `addCollection({ prefix: 'mdi', width: 24, height: 24, icons: { ${names.map((name, index) => `'${name}': icon${index}`).join(', ')} } });`,
      ].join('\n');
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  logLevel: 'warn',
  plugins: [headlampIcons(), nodePolyfills({ include: ['process', 'buffer', 'stream'] }), svgr({ include: '**/*.svg?react' }), react()],
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
