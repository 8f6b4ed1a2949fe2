// Runs the reporter (ours, or NRC's own readiness-condition-reporter with
// READINESS_NRC_REPORTER) for each reporter pod the scheduler bound, doing
// the kubelet's part for that one container: a mount
// namespace with the pod's projected ServiceAccount volume at the in-cluster
// path, the container's env, and token rotation before expiry. The health
// endpoint the reporter checks (CHECK_ENDPOINT) is served by the harness, so
// a test decides what each node's CNI says.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort, type Cluster } from './cluster.ts';
import { reporterPart } from './parts.ts';
import { REPORTER, podBoundToken, reporterPodOn, type LoadedScenario } from './scenario.ts';

const serviceAccountMount = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface Reporters {
  /** Sets what each node's health endpoint answers next: 200, or 503 with the message as its body. */
  report(node: string, healthy: boolean, message?: string): void;
  /** Requests a new pod-bound token for every reporter and swaps it in, as the kubelet does at 80% of a token's lifetime. */
  rotateTokens(): Promise<void>;
  /** Each node's reporter metrics address (its METRICS_BIND_ADDRESS). */
  metrics: Record<string, string>;
}

export interface ReporterOptions {
  /** The projected token's expirationSeconds; the kubelet's default is 3607, the apiserver's minimum 600. */
  tokenSeconds?: number;
}

interface Container {
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
}

interface Pod {
  metadata: { name: string; namespace: string; uid: string };
  spec: { nodeName: string; containers: Container[] };
}

/** The container's env as the kubelet resolves it, for the downward-API fields a reporter uses. */
function containerEnv(pod: Pod): Record<string, string> {
  const fields: Record<string, string> = {
    'spec.nodeName': pod.spec.nodeName,
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
  };
  const env: Record<string, string> = {};
  for (const entry of pod.spec.containers[0]?.env ?? []) {
    const field = entry.valueFrom?.fieldRef?.fieldPath;
    const value = entry.value ?? (field ? fields[field] : undefined);
    if (value === undefined)
      throw new Error(
        `${pod.metadata.name}: env ${entry.name} comes from ${JSON.stringify(entry.valueFrom)}, which this harness does not resolve`,
      );
    env[entry.name] = value;
  }
  return env;
}

/** Writes a file by rename, as the kubelet's atomic writer does, so a reader never sees half a token. */
function writeAtomically(path: string, content: string): void {
  writeFileSync(`${path}.new`, content, { mode: 0o644 });
  renameSync(`${path}.new`, path);
}

/**
 * Mounts the volume where client-go's in-cluster config reads it, in a mount
 * namespace of its own: a tmpfs over /run (/var/run's target) that only this
 * process sees, the volume bound inside it, then exec.
 */
function inOwnMountNamespace(volume: string, command: string): string[] {
  const script = [
    'set -e',
    'mount -t tmpfs -o mode=0755 tmpfs /run',
    `mkdir -p ${serviceAccountMount}`,
    `mount --bind -o ro "$1" ${serviceAccountMount}`,
    'exec "$2"',
  ].join('; ');
  const asRoot = process.getuid?.() === 0 ? [] : ['--map-root-user'];
  return [...asRoot, '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', volume, command];
}

/**
 * The health endpoint runs in a process of its own: a test that blocks its
 * event loop (spawnSync of the CLI, test after test) would otherwise leave
 * the reporters' checks unanswered until they time out and report False.
 * It reads the answers file on each request and exits when its parent does.
 */
const HEALTH_SERVER = `const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const server = createServer((request, response) => {
  let answers = {};
  try { answers = JSON.parse(readFileSync(process.argv[1], 'utf8')); } catch {}
  const answer = answers[(request.url || '').split('/')[1]];
  response.writeHead(answer && answer.healthy ? 200 : 503, { 'Content-Type': 'text/plain' });
  response.end(answer ? answer.message : 'no such node');
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0)).resume();`;

async function startHealthServer(cluster: Cluster, answersFile: string): Promise<number> {
  const server = spawn(process.execPath, ['--input-type=commonjs', '-e', HEALTH_SERVER, answersFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  cluster.adopt(server);
  const [line] = (await once(server.stdout.setEncoding('utf8'), 'data')) as [string];
  return Number(line.trim());
}

/** Starts one reporter per node of the scenario, each with its node's pod-bound token; `initial` says which nodes start healthy. */
export async function startReporters(
  cluster: Cluster,
  scenario: LoadedScenario,
  initial: Record<string, boolean>,
  options: ReporterOptions = {},
): Promise<Reporters> {
  const tokenSeconds = options.tokenSeconds ?? 3607;
  const answersFile = join(cluster.stateDir, 'health-answers.json');
  const answers: Record<string, { healthy: boolean; message: string }> = {};
  const report = (node: string, healthy: boolean, message?: string) => {
    answers[node] = { healthy, message: message ?? (healthy ? 'ok' : 'calico-node is not ready') };
    writeAtomically(answersFile, JSON.stringify(answers));
  };
  const healthPort = await startHealthServer(cluster, answersFile);
  const apiserver = new URL(cluster.server);
  const ca = readFileSync(cluster.caFile, 'utf8');

  const volumes = new Map<string, string>();
  const rotateTokens = async () => {
    await Promise.all(
      [...volumes].map(async ([node, volume]) => writeAtomically(join(volume, 'token'), await podBoundToken(cluster, node, tokenSeconds))),
    );
  };
  const metrics: Record<string, string> = {};

  for (const node of scenario.nodes) {
    report(node, initial[node] ?? false);
    const bound = await reporterPodOn(cluster, node);
    const pod = JSON.parse(await cluster.kubectlOk(['-n', REPORTER.namespace, 'get', 'pod', bound.name, '-o', 'json'])) as Pod;
    const volume = join(cluster.stateDir, 'pods', pod.metadata.name, 'serviceaccount');
    mkdirSync(volume, { recursive: true });
    writeAtomically(join(volume, 'ca.crt'), ca);
    writeAtomically(join(volume, 'namespace'), pod.metadata.namespace);
    writeAtomically(join(volume, 'token'), await podBoundToken(cluster, node, tokenSeconds));
    volumes.set(node, volume);
    metrics[node] = `127.0.0.1:${await freePort()}`;
    const env = {
      ...containerEnv(pod),
      // The pod's CHECK_ENDPOINT is localhost on its own node; every node is this host here, so each gets its own path.
      CHECK_ENDPOINT: `http://127.0.0.1:${healthPort}/${node}/readiness`,
      // Time runs faster here, as in kwok's fast stages: a check every half second instead of the DaemonSet's 5 s.
      CHECK_INTERVAL: '500ms',
      METRICS_BIND_ADDRESS: metrics[node],
      KUBERNETES_SERVICE_HOST: apiserver.hostname,
      KUBERNETES_SERVICE_PORT: apiserver.port,
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    };
    const child = spawn('unshare', inOwnMountNamespace(volume, reporterPart.binary), { stdio: ['ignore', 'ignore', 'pipe'], env });
    child.stderr.on('data', (chunk: Buffer) =>
      writeFileSync(join(cluster.stateDir, 'pods', `${pod.metadata.name}.log`), chunk, { flag: 'a' }),
    );
    cluster.adopt(child);
  }

  const rotationLog = join(cluster.stateDir, 'pods', 'token-rotation.log');
  const rotation = setInterval(
    () => void rotateTokens().catch((error: Error) => writeFileSync(rotationLog, `${error.message}\n`, { flag: 'a' })),
    tokenSeconds * 800,
  );
  rotation.unref();
  cluster.adopt({ close: () => clearInterval(rotation) });
  return { report, rotateTokens, metrics };
}
