// The CLI as one CommonJS file: what the single executables embed and what
// the npm package ships as its bin (Node does not strip types under node_modules).
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const pluginDir = resolve(import.meta.dirname, '..');

export async function bundleCli(outfile: string): Promise<string> {
  await build({
    entryPoints: [join(pluginDir, 'src', 'cli.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outfile,
    // Optional native speed-ups of the ws package; it works without them.
    external: ['bufferutil', 'utf-8-validate'],
    logLevel: 'warning',
  });
  return outfile;
}

if (import.meta.main) {
  // npm pack: the package ships the bundle and the project's license.
  await bundleCli(join(pluginDir, 'dist', 'kubectl-readiness.cjs'));
  copyFileSync(join(pluginDir, '..', 'LICENSE'), join(pluginDir, 'LICENSE'));
}
