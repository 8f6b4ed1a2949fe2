// `headlamp-plugin test`'s own Vite config, plus the two fixes lib 0.14 needs
// under test: its k8s modules live in lib/lib/k8s (headlamp-k8s/plugins#776),
// and jsdom lacks browser APIs Headlamp's views use (test/setup.ts).
import { fileURLToPath, URL } from 'node:url';
import { mergeConfig } from 'vite';
import base from '@kinvolk/headlamp-plugin/config/vite.config.mjs';

const lib = fileURLToPath(new URL('../node_modules/@kinvolk/headlamp-plugin/lib/lib/k8s', import.meta.url));

export default mergeConfig(base, {
  resolve: { alias: [{ find: /^@kinvolk\/headlamp-plugin\/lib\/[kK]8s(\/.*)?$/, replacement: `${lib}$1` }] },
  test: {
    include: ['test/**/*.test.tsx'],
    setupFiles: ['./test/setup.ts'],
    testTimeout: 30_000,
  },
});
