// The one way the browser suites, P3 and the demo start Headlamp. By default
// that is our host (host.ts): Headlamp's own frontend as
// @kinvolk/headlamp-plugin ships it, behind a loopback backend of ours. With
// READINESS_HEADLAMP=<dir> it is the full Headlamp in <dir> (real.ts). Either
// way Headlamp signs in as a ServiceAccount of its own, so the apiserver's
// audit log tells its requests from the tests' own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../cluster/cluster.ts';
import { startHost } from './host.ts';
import { startFullHeadlamp } from './real.ts';

/** Headlamp names a kubeconfig cluster after its context; the host names its cluster the same. */
export const HEADLAMP_CLUSTER = 'localcluster';

export interface Headlamp {
  url: string;
  /** system:serviceaccount:default:<sa> as the audit log names it */
  username: string;
  kind: 'host' | 'full';
  stop(): Promise<void>;
}

export interface HeadlampIdentity {
  /** A ServiceAccount in `default`, created if missing. */
  serviceAccount: string;
  /** A ClusterRole to bind it to; none leaves its rights to the test. */
  clusterRole?: string;
}

const ADMIN: HeadlampIdentity = { serviceAccount: 'headlamp-admin', clusterRole: 'cluster-admin' };

const fullHeadlampDir = (): string | undefined => process.env['READINESS_HEADLAMP'] || undefined;

const libVersion = (): string =>
  (
    JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', '@kinvolk', 'headlamp-plugin', 'package.json'), 'utf8'),
    ) as { version: string }
  ).version;

/** One line saying which Headlamp ran, for suite and demo output. */
export function headlampLine(): string {
  const dir = fullHeadlampDir();
  return dir
    ? `Headlamp: the full Headlamp in ${dir} (headlamp-server and its frontend build)`
    : `Headlamp: its frontend from @kinvolk/headlamp-plugin ${libVersion()} (lib/), on our loopback host (test/headlamp/host)`;
}

/** The reason a check of a full Headlamp's own behaviour gives when it is skipped on the host; false when a full Headlamp runs. */
export function unlessFullHeadlamp(what: string): string | false {
  return fullHeadlampDir() ? false : `${what}: set READINESS_HEADLAMP to a directory holding headlamp-server and frontend/`;
}

/** The ServiceAccount, bound to its role if one is given, and a token for it. */
async function signIn(cluster: Cluster, { serviceAccount, clusterRole }: HeadlampIdentity): Promise<string> {
  if ((await cluster.kubectl(['-n', 'default', 'get', 'serviceaccount', serviceAccount])).code !== 0)
    await cluster.kubectlOk(['-n', 'default', 'create', 'serviceaccount', serviceAccount]);
  const binding = `${serviceAccount}-${clusterRole}`;
  if (clusterRole && (await cluster.kubectl(['get', 'clusterrolebinding', binding])).code !== 0)
    await cluster.kubectlOk([
      'create',
      'clusterrolebinding',
      binding,
      `--clusterrole=${clusterRole}`,
      `--serviceaccount=default:${serviceAccount}`,
    ]);
  return (await cluster.kubectlOk(['-n', 'default', 'create', 'token', serviceAccount, '--duration=2h'])).trim();
}

/** Headlamp with the plugins in `pluginsDir`, signed in as `identity`: our host by default, the full Headlamp with READINESS_HEADLAMP. */
export async function startHeadlamp(cluster: Cluster, pluginsDir: string, identity: HeadlampIdentity = ADMIN): Promise<Headlamp> {
  const token = await signIn(cluster, identity);
  const username = `system:serviceaccount:default:${identity.serviceAccount}`;
  const dir = fullHeadlampDir();
  if (dir) {
    const full = await startFullHeadlamp(cluster, {
      dir,
      clusterName: HEADLAMP_CLUSTER,
      pluginsDir,
      serviceAccount: identity.serviceAccount,
      token,
    });
    return { url: full.url, username, kind: 'full', stop: full.stop };
  }
  const host = await startHost(cluster, { clusterName: HEADLAMP_CLUSTER, pluginsDir, token });
  return { url: host.url, username, kind: 'host', stop: host.close };
}
