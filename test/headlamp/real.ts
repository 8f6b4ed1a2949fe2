// The real Headlamp app, v0.45.0, as users run it: headlamp-server from its
// Go backend serving the frontend it was built with, our plugin in its
// plugins directory, and the local cluster through a kubeconfig (Headlamp
// names the cluster after the kubeconfig context, "localcluster").
import { spawn, spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Cluster } from '../cluster/cluster.ts';

export const REAL_CLUSTER_NAME = 'localcluster';

export interface RealHeadlamp {
  url: string;
  stop(): Promise<void>;
}

/** The cache directory holding headlamp-server and the built frontend, built on first use. */
export function realHeadlampDir(): string {
  const result = spawnSync('bash', [join(import.meta.dirname, 'build-real.sh')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building Headlamp failed:\n${result.stderr}`);
  return result.stdout.trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startRealHeadlamp(cluster: Cluster, pluginsDir: string): Promise<RealHeadlamp> {
  const dir = realHeadlampDir();
  const port = await freePort();
  const log = openSync(join(cluster.stateDir, 'headlamp.log'), 'a');
  const server = spawn(
    join(dir, 'headlamp-server'),
    [
      '-kubeconfig',
      cluster.kubeconfig,
      '-html-static-dir',
      join(dir, 'frontend'),
      '-plugins-dir',
      pluginsDir,
      '-listen-addr',
      '127.0.0.1',
      '-port',
      String(port),
    ],
    { stdio: ['ignore', log, log] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (server.exitCode !== null)
      throw new Error(`headlamp-server exited with ${server.exitCode}; see ${join(cluster.stateDir, 'headlamp.log')}`);
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
    stop: () =>
      new Promise((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}
