// Starts and stops the real local cluster (kube-apiserver + embedded etcd,
// built by build.sh) and runs the real kubectl against it.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

import { NEWEST, binDirOf, buildCommandOf } from './releases.ts';

export const clusterDir = import.meta.dirname;
/** The newest release's, which every default suite runs. */
export const localclusterBin = join(binDirOf(NEWEST), 'localcluster');
export const kubectlBin = join(binDirOf(NEWEST), 'kubectl');
const kwokBin = join(clusterDir, 'bin', 'kwok');

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What stops with the cluster: a process, or anything with a close (a server, a timer). */
export type Adoptable = ChildProcess | { close(): void | Promise<void> };

export interface Cluster {
  server: string;
  kubeconfig: string;
  caFile: string;
  /** The admin client certificate and key (O=system:masters), for harness-only writes such as the scale fixture. */
  adminCertFile: string;
  adminKeyFile: string;
  auditLog: string;
  featureGates: string;
  stateDir: string;
  /** "1.37": the Kubernetes release it runs. */
  release: string;
  /** Runs the real kubectl of that release with the admin kubeconfig. */
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  /** Like kubectl, but throws with kubectl's stderr on a non-zero exit. */
  kubectlOk(args: string[], input?: string): Promise<string>;
  /** Processes and servers started next to the cluster (reporters, NRC's controller) stop with it. */
  adopt(child: Adoptable): void;
  stop(): Promise<void>;
}

export function run(command: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    // A child that exits before reading its input (kubectl refusing a call) closes the pipe: EPIPE here is not the
    // failure, its exit code and stderr are, and unhandled it would crash whichever test happened to be running.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** A loopback port nothing listens on now, for a server the harness starts by name (a reporter's metrics, Headlamp). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function requireBinaries(release: string): void {
  for (const [binary, build] of [
    [join(binDirOf(release), 'localcluster'), buildCommandOf(release)],
    [join(binDirOf(release), 'kubectl'), buildCommandOf(release)],
    [kwokBin, buildCommandOf(NEWEST)],
  ]) {
    if (!existsSync(binary!)) throw new Error(`${binary} is missing: run "${build}" (needs Go >= 1.26)`);
  }
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

class PortTakenError extends Error {}

/**
 * localcluster picks its free ports by binding to port 0 and letting go, so
 * another process (a parallel test file's cluster, or any outgoing
 * connection) can take one before etcd or kube-apiserver binds it.
 * kube-apiserver binds its port itself and takes no listener from us, so a
 * fresh start with new ports is the fix that covers both.
 */
const startAttempts = 3;

export interface ClusterOptions {
  /** The Kubernetes release: "1.35", "1.36", "1.37" (default: the newest, go.mod's). */
  kubernetes?: string;
  /** kube-apiserver's --feature-gates; ConstrainedImpersonation=true unless set ("" for the release's defaults). */
  featureGates?: string;
  /** kube-controller-manager's --controllers; every controller a default cluster runs unless set. */
  controllers?: string[];
  /** kwok's node lease duration: the heartbeat load of a large fixture, as a kubelet's nodeLeaseDurationSeconds. */
  nodeLeaseSeconds?: number;
  timeoutMs?: number;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  requireBinaries(options.kubernetes ?? NEWEST);
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === startAttempts) throw error;
    }
  }
}

async function launch(options: ClusterOptions): Promise<Cluster> {
  const stateDir = mkdtempSync(join(tmpdir(), 'readiness-cluster-'));
  const log = openSync(join(stateDir, 'localcluster.log'), 'a');
  // A cluster as a real one runs: kube-controller-manager, kube-scheduler, and
  // kwok as the kubelet of every node annotated kwok.x-k8s.io/node=fake.
  const args = [
    '--state-dir',
    stateDir,
    '--keep-state',
    '--controllers',
    (options.controllers ?? ['*']).join(','),
    '--scheduler',
    '--kwok',
    kwokBin,
    '--kwok-config',
    join(clusterDir, 'bin', 'kwok-stages.yaml'),
    // As kubeadm runs the apiserver: bootstrap token Secrets in kube-system authenticate, as system:bootstrappers.
    '--extra-args',
    '--enable-bootstrap-token-auth=true',
  ];
  if (options.featureGates !== undefined) args.push('--feature-gates', options.featureGates);
  if (options.nodeLeaseSeconds) args.push('--node-lease-seconds', String(options.nodeLeaseSeconds));
  const release = options.kubernetes ?? NEWEST;
  const server = spawn(join(binDirOf(release), 'localcluster'), args, { stdio: ['ignore', 'pipe', log] });
  const children: Adoptable[] = [];

  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => {
      server.kill('SIGKILL');
      reject(
        new Error(`kube-apiserver was not ready within ${options.timeoutMs ?? 120_000} ms; see ${join(stateDir, 'localcluster.log')}`),
      );
    }, options.timeoutMs ?? 120_000);
    server.once('exit', (code) => {
      clearTimeout(timer);
      const tail = readFileSync(join(stateDir, 'localcluster.log'), 'utf8').trim().split('\n').slice(-3).join('\n');
      const message = `localcluster exited with ${code} before it was ready:\n${tail}`;
      if (/address already in use/.test(tail)) {
        rmSync(stateDir, { recursive: true, force: true });
        reject(new PortTakenError(message));
      } else {
        reject(new Error(message));
      }
    });
    createInterface({ input: server.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as Record<string, string>);
    });
  });
  server.removeAllListeners('exit');

  const kubectl = (kubectlArgs: string[], input?: string) =>
    run(join(binDirOf(release), 'kubectl'), ['--kubeconfig', info['kubeconfig']!, ...kubectlArgs], input);
  return {
    server: info['server']!,
    kubeconfig: info['kubeconfig']!,
    caFile: info['caFile']!,
    adminCertFile: join(stateDir, 'pki', 'admin.crt'),
    adminKeyFile: join(stateDir, 'pki', 'admin.key'),
    auditLog: info['auditLog']!,
    featureGates: info['featureGates']!,
    stateDir,
    release,
    kubectl,
    async kubectlOk(kubectlArgs, input) {
      const result = await kubectl(kubectlArgs, input);
      if (result.code !== 0) throw new Error(`kubectl ${kubectlArgs.join(' ')}: ${result.stderr.trim()}`);
      return result.stdout;
    },
    adopt(child) {
      children.push(child);
    },
    async stop() {
      await Promise.all(children.map((child) => (child instanceof ChildProcess ? stopChild(child, 5_000) : child.close())));
      await stopChild(server, 30_000);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
