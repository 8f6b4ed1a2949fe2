// The Headlamp plugin bundles this core into a browser page, so it must not
// import any Node built-in, and must run where no Node globals exist.
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { build, type Plugin } from 'esbuild';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'index.ts');
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function rejectBuiltins(found: string[]): Plugin {
  return {
    name: 'reject-node-builtins',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        if (builtins.has(args.path) || args.path.startsWith('node:')) {
          found.push(`${args.path} (imported by ${args.importer})`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
}

describe('shared core in the browser', () => {
  it('bundles for platform=browser with no Node built-in anywhere in its graph', async () => {
    const found: string[] = [];
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      plugins: [rejectBuiltins(found)],
    });
    assert.deepEqual(found, []);
    assert.equal(result.errors.length, 0);
  });

  it('runs in a bare JavaScript context without process, Buffer or require', async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'core',
      write: false,
      logLevel: 'silent',
    });
    const context: Record<string, unknown> = {};
    const verdict = runInNewContext(
      `${result.outputFiles[0]!.text};
       core.evaluateRule(
         { metadata: { name: 'r' }, spec: { conditions: [{ type: 'A', requiredStatus: 'True' }], enforcementMode: 'continuous', taint: { key: 'readiness.k8s.io/A', effect: 'NoSchedule' }, nodeSelector: {} } },
         { metadata: { name: 'n' }, spec: { taints: [{ key: 'readiness.k8s.io/A', effect: 'NoSchedule' }] }, status: { conditions: [] } },
       ).state`,
      context,
    ) as unknown;
    assert.equal(verdict, 'held');
    assert.equal('process' in context, false);
  });
});
