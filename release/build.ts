// `npm run release:build`: every release asset into dist/release/. Each
// package builds its own artefacts (kubectl-plugin/release, headlamp-plugin/
// release); this composes them and owns what spans both: SHA256SUMS and the
// list of files a release publishes (dist/release/upload.txt).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { packageHeadlampPlugin } from '../headlamp-plugin/release/package.ts';
import { packageKubectlPlugin, version } from '../kubectl-plugin/release/package.ts';

const root = resolve(import.meta.dirname, '..');
export const RELEASE_DIR = join(root, 'dist', 'release');

async function main(): Promise<void> {
  const baseUrl = process.env['RELEASE_BASE_URL'] ?? `https://github.com/kubectl-readiness/kubectl-readiness/releases/download/${version}`;
  rmSync(RELEASE_DIR, { recursive: true, force: true });
  mkdirSync(RELEASE_DIR, { recursive: true });
  const archives = await packageKubectlPlugin(RELEASE_DIR, baseUrl, process.argv.slice(2));
  console.error('release: packaging the Headlamp plugin');
  const headlamp = packageHeadlampPlugin(join(RELEASE_DIR, 'headlamp'), baseUrl);
  const checked = [...archives, { path: headlamp.tarball, sha256: headlamp.sha256 }];
  const sums = join(RELEASE_DIR, 'SHA256SUMS');
  writeFileSync(sums, checked.map((asset) => `${asset.sha256}  ${relative(RELEASE_DIR, asset.path)}\n`).join(''));
  // Release assets are named by their basename: artifacthub-pkg.yml's archive-url points at the tarball's.
  const upload = [...checked.map((asset) => asset.path), join(RELEASE_DIR, 'readiness.yaml'), headlamp.metadata, sums];
  writeFileSync(join(RELEASE_DIR, 'upload.txt'), upload.map((path) => `${relative(root, path)}\n`).join(''));
}

if (import.meta.main) await main();
