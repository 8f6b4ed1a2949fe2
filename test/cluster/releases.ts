// The Kubernetes releases the harness runs. The newest is the one go.mod
// pins (every default suite runs it, from bin/); each older one is pinned by
// its own module file releases/k8s-<minor>.mod and built by build-release.sh
// into bin/k8s-<minor>/. Adding a release is one module pin: nothing here
// lists them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const clusterDir = import.meta.dirname;

/** "1.37.2": the k8s.io/kubernetes version a module file requires. */
function pinnedVersion(modfile: string): string {
  const match = /^\s*k8s\.io\/kubernetes v(1\.\d+\.\d+)\s*$/m.exec(readFileSync(modfile, 'utf8'));
  if (!match) throw new Error(`${modfile} requires no k8s.io/kubernetes`);
  return match[1]!;
}

const minorOf = (version: string) => version.split('.').slice(0, 2).join('.');

/** The default suites' release: go.mod's. */
export const NEWEST_VERSION = pinnedVersion(join(clusterDir, 'go.mod'));
export const NEWEST = minorOf(NEWEST_VERSION);

/** Every release the harness can start, oldest first, with its full version. */
export const RELEASES: { release: string; version: string }[] = [
  ...readdirSync(join(clusterDir, 'releases'))
    .filter((file) => /^k8s-1\.\d+\.mod$/.test(file))
    .map((file) => ({ release: file.slice('k8s-'.length, -'.mod'.length), version: pinnedVersion(join(clusterDir, 'releases', file)) }))
    .filter(({ release }) => release !== NEWEST),
  { release: NEWEST, version: NEWEST_VERSION },
].sort((a, b) => Number(a.release.split('.')[1]) - Number(b.release.split('.')[1]));

/** Where a release's localcluster and kubectl are. */
export function binDirOf(release: string): string {
  if (!RELEASES.some((known) => known.release === release))
    throw new Error(`Kubernetes ${release} is not pinned here; known: ${RELEASES.map((known) => known.release).join(', ')}`);
  return release === NEWEST ? join(clusterDir, 'bin') : join(clusterDir, 'bin', `k8s-${release}`);
}

/** The command that builds it. */
export const buildCommandOf = (release: string) =>
  release === NEWEST ? 'bash test/cluster/build.sh' : `bash test/cluster/build-release.sh ${release}`;
