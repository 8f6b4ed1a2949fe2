// A full Headlamp a user brings, for READINESS_HEADLAMP=<dir>: the
// headlamp-server binary in <dir> serving the frontend build in
// <dir>/frontend, our plugin in its plugins directory, and the local cluster
// through a kubeconfig holding the ServiceAccount's token (Headlamp names the
// cluster after the kubeconfig context).
import { spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type Cluster } from '../cluster/cluster.ts';
import { scratchDir } from '../scratch.ts';

export interface FullHeadlampOptions {
  /** The directory holding headlamp-server and frontend/. */
  dir: string;
  clusterName: string;
  pluginsDir: string;
  serviceAccount: string;
  token: string;
}

function writeKubeconfig(cluster: Cluster, options: FullHeadlampOptions): string {
  const { clusterName, serviceAccount, token } = options;
  const path = join(cluster.stateDir, `headlamp-${serviceAccount}.kubeconfig`);
  const ca = readFileSync(cluster.caFile).toString('base64');
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: clusterName, cluster: { server: cluster.server, 'certificate-authority-data': ca } }],
      users: [{ name: serviceAccount, user: { token } }],
      contexts: [{ name: clusterName, context: { cluster: clusterName, user: serviceAccount } }],
      'current-context': clusterName,
    }),
    { mode: 0o600 },
  );
  return path;
}

async function answering(url: string, exited: () => number | null): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (exited() !== null) throw new Error(`headlamp-server exited with ${exited()}`);
    const ready = await fetch(`${url}/config`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    if (attempt === 120) throw new Error('headlamp-server did not answer within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function startFullHeadlamp(cluster: Cluster, options: FullHeadlampOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const logFile = join(cluster.stateDir, `headlamp-${options.serviceAccount}.log`);
  const log = openSync(logFile, 'a');
  const args = ['-kubeconfig', writeKubeconfig(cluster, options), '-html-static-dir', join(options.dir, 'frontend')];
  args.push('-plugins-dir', options.pluginsDir, '-listen-addr', '127.0.0.1', '-port', String(port));
  // headlamp-server copies its frontend into a new temp dir at each start and leaves it there.
  const server = spawn(join(options.dir, 'headlamp-server'), args, {
    stdio: ['ignore', log, log],
    env: { ...process.env, TMPDIR: scratchDir('headlamp-server-') },
  });
  const url = `http://127.0.0.1:${port}`;
  await answering(url, () => server.exitCode).catch((error: unknown) => {
    server.kill('SIGTERM');
    throw new Error(`${error instanceof Error ? error.message : String(error)}; see ${logFile}`);
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}
