// The real Headlamp app, v0.45.0, as users run it: headlamp-server from its
// Go backend serving the frontend it was built with, our plugin in its
// plugins directory, and the local cluster through a kubeconfig (Headlamp
// names the cluster after the kubeconfig context, "localcluster"). Each
// Headlamp acts as a ServiceAccount of its own, so the apiserver's audit log
// tells its requests from the tests' own.
import { spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type Cluster } from '../cluster/cluster.ts';
import { scratchDir } from '../scratch.ts';

export const REAL_CLUSTER_NAME = 'localcluster';

export interface RealHeadlamp {
  url: string;
  /** Who Headlamp acts as, as the audit log names it: system:serviceaccount:<namespace>:<name>. */
  username: string;
  stop(): Promise<void>;
}

export interface HeadlampIdentity {
  /** A ServiceAccount in `default`, created if missing. */
  serviceAccount: string;
  /** A ClusterRole to bind it to; none leaves its rights to the test. */
  clusterRole?: string;
}

/** The cache directory holding headlamp-server and the built frontend, built on first use. */
export function realHeadlampDir(): string {
  const result = spawnSync('bash', [join(import.meta.dirname, 'build-real.sh')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building Headlamp failed:\n${result.stderr}`);
  return result.stdout.trim();
}

/** A kubeconfig for the ServiceAccount's token, its context named as Headlamp will name the cluster. */
async function kubeconfigFor(cluster: Cluster, identity: HeadlampIdentity): Promise<string> {
  const { serviceAccount, clusterRole } = identity;
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
  const token = (await cluster.kubectlOk(['-n', 'default', 'create', 'token', serviceAccount, '--duration=2h'])).trim();
  const path = join(cluster.stateDir, `headlamp-${serviceAccount}.kubeconfig`);
  const ca = readFileSync(cluster.caFile).toString('base64');
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: REAL_CLUSTER_NAME, cluster: { server: cluster.server, 'certificate-authority-data': ca } }],
      users: [{ name: serviceAccount, user: { token } }],
      contexts: [{ name: REAL_CLUSTER_NAME, context: { cluster: REAL_CLUSTER_NAME, user: serviceAccount } }],
      'current-context': REAL_CLUSTER_NAME,
    }),
    { mode: 0o600 },
  );
  return path;
}

export async function startRealHeadlamp(
  cluster: Cluster,
  pluginsDir: string,
  identity: HeadlampIdentity = { serviceAccount: 'headlamp-admin', clusterRole: 'cluster-admin' },
): Promise<RealHeadlamp> {
  const dir = realHeadlampDir();
  const kubeconfig = await kubeconfigFor(cluster, identity);
  const port = await freePort();
  const log = openSync(join(cluster.stateDir, `headlamp-${identity.serviceAccount}.log`), 'a');
  const server = spawn(
    join(dir, 'headlamp-server'),
    [
      '-kubeconfig',
      kubeconfig,
      '-html-static-dir',
      join(dir, 'frontend'),
      '-plugins-dir',
      pluginsDir,
      '-listen-addr',
      '127.0.0.1',
      '-port',
      String(port),
    ],
    // headlamp-server copies its frontend (27 MB) into a new temp dir at each start and leaves it there.
    { stdio: ['ignore', log, log], env: { ...process.env, TMPDIR: scratchDir('headlamp-server-') } },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (server.exitCode !== null) throw new Error(`headlamp-server exited with ${server.exitCode}; see its log in ${cluster.stateDir}`);
    const ready = await fetch(`${url}/config`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (attempt === 120) throw new Error('headlamp-server did not answer within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    url,
    username: `system:serviceaccount:default:${identity.serviceAccount}`,
    stop: () =>
      new Promise((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}
