// The Headlamp plugin's release artefacts: `headlamp-plugin package`'s tarball
// (folder and package both named headlamp-readiness) and Artifact Hub's
// artifacthub-pkg.yml carrying that tarball's checksum.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

const pluginDir = resolve(import.meta.dirname, '..');
const headlampPlugin = resolve(pluginDir, '..', 'node_modules', '.bin', 'headlamp-plugin');
const manifest = JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  description: string;
};

/** Headlamp releases this plugin's API use is known to work with: lib 0.14's frontend, tested in the browser suite. */
export const VERSION_COMPAT = '>=0.30';
export const DISTRO_COMPAT = 'in-cluster,web,docker-desktop,desktop';

export interface HeadlampRelease {
  tarball: string;
  sha256: string;
  metadata: string;
}

export function artifactHubMetadata(options: { sha256: string; archiveUrl: string; createdAt: string }): Record<string, unknown> {
  return {
    version: manifest.version,
    name: manifest.name,
    displayName: 'Node Readiness',
    createdAt: options.createdAt,
    description: manifest.description,
    license: 'Apache-2.0',
    logoURL: 'https://raw.githubusercontent.com/kubernetes-sigs/node-readiness-controller/main/docs/logo.svg',
    homeURL: 'https://github.com/kubectl-readiness/kubectl-readiness',
    keywords: ['headlamp', 'headlamp-plugin', 'kubernetes', 'node-readiness-controller', 'security'],
    links: [{ name: 'Node Readiness Controller', url: 'https://github.com/kubernetes-sigs/node-readiness-controller' }],
    annotations: {
      'headlamp/plugin/archive-url': options.archiveUrl,
      'headlamp/plugin/archive-checksum': `SHA256:${options.sha256}`,
      'headlamp/plugin/version-compat': VERSION_COMPAT,
      'headlamp/plugin/distro-compat': DISTRO_COMPAT,
    },
  };
}

/**
 * Runs `headlamp-plugin build` and copies dist/main.js into the directory
 * `into`, returning the copy's path. The release build and the browser tests
 * may build at the same time; they take turns on a lock directory so neither
 * copies a half-written bundle.
 */
export function buildPlugin(into: string): string {
  const lock = join(pluginDir, 'dist.lock');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 600) throw new Error(`${lock} held for 10 minutes: remove it if no build is running`);
      Atomics.wait(pause, 0, 0, 1000);
    }
  }
  try {
    execFileSync(process.execPath, [headlampPlugin, 'build'], { cwd: pluginDir, stdio: 'pipe' });
    mkdirSync(into, { recursive: true });
    const copy = join(into, 'main.js');
    cpSync(join(pluginDir, 'dist', 'main.js'), copy);
    return copy;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds the plugin, packs it and writes artifacthub-pkg.yml into `out`. */
export function packageHeadlampPlugin(out: string, baseUrl: string): HeadlampRelease {
  // `headlamp-plugin package` names the folder in the tarball after the directory it packs.
  const stage = join(mkdtempSync(join(tmpdir(), 'headlamp-release-')), manifest.name);
  buildPlugin(join(stage, 'dist'));
  cpSync(join(pluginDir, 'package.json'), join(stage, 'package.json'));
  mkdirSync(out, { recursive: true });
  execFileSync(process.execPath, [headlampPlugin, 'package', stage, out], { stdio: 'inherit' });
  rmSync(resolve(stage, '..'), { recursive: true, force: true });
  const file = `${manifest.name}-${manifest.version}.tar.gz`;
  const tarball = join(out, file);
  const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  const metadata = join(out, 'artifacthub-pkg.yml');
  writeFileSync(
    metadata,
    stringify(artifactHubMetadata({ sha256, archiveUrl: `${baseUrl}/${file}`, createdAt: new Date().toISOString() }), { lineWidth: 0 }),
  );
  return { tarball, sha256, metadata };
}
