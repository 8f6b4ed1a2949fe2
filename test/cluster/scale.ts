// The scale fixture: thousands of Nodes shaped like real ones (labels, taints,
// kubelet conditions, a reporter condition, 10-30 KB of status.images),
// created quickly over a keep-alive connection pool and deleted again.
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { TAINT, CONDITION, workerLabels } from './scenario.ts';
import type { Cluster, ClusterOptions } from './cluster.ts';

export const SCALE_LABEL = 'readiness.test/scale';

/**
 * The fixture's nodes are snapshots with a deliberate mix of fresh and stale
 * heartbeats and no kubelet. kube-controller-manager's node lifecycle
 * controller would turn every one Unknown and taint it unreachable within a
 * minute, so a scale cluster runs every other controller.
 */
export const SCALE_CLUSTER: ClusterOptions = { controllers: ['*', '-nodelifecycle'] };

/** A deterministic mix of states, so benchmarks see held, ready, stale and missing conditions. */
export function scaleNode(index: number, now = Date.now()): Record<string, unknown> {
  const name = `scale-${String(index).padStart(5, '0')}`;
  const zone = `zone-${index % 3}`;
  const held = index % 5 === 0;
  const missing = index % 17 === 0;
  const stale = index % 23 === 0;
  const heartbeat = new Date(now - (stale ? 3_600_000 : 30_000)).toISOString();
  const transition = new Date(now - 86_400_000).toISOString();
  const kubelet = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: transition,
  });
  const conditions = [
    kubelet('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    kubelet('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    kubelet('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    kubelet('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
  if (!missing)
    conditions.push(
      kubelet(
        CONDITION,
        held ? 'False' : 'True',
        held ? 'EndpointNotReady' : 'EndpointOK',
        held ? 'calico-node is not ready' : 'Endpoint reports ready',
      ),
    );
  const images = Array.from({ length: 44 + (index % 40) }, (_, image) => ({
    names: [
      `registry.example.com/team-${image % 7}/service-${image}@sha256:${(index * 7919 + image).toString(16).padStart(64, '0')}`,
      `registry.example.com/team-${image % 7}/service-${image}:v1.${image}.${index % 10}`,
    ],
    sizeBytes: 10_000_000 + image * 1_234_567,
  }));
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        ...workerLabels(name),
        [SCALE_LABEL]: 'true',
        'kubernetes.io/arch': index % 4 === 0 ? 'arm64' : 'amd64',
        'topology.kubernetes.io/zone': zone,
        'node.kubernetes.io/instance-type': index % 2 === 0 ? 'm6i.2xlarge' : 'c6i.4xlarge',
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {
      podCIDR: `10.${index >> 8}.${index & 255}.0/24`,
      taints: held || missing ? [TAINT] : [],
    },
    status: {
      capacity: { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      allocatable: { cpu: '7900m', memory: '31Gi', pods: '110', 'ephemeral-storage': '95Gi' },
      conditions,
      addresses: [
        { type: 'InternalIP', address: `10.0.${index >> 8}.${index & 255}` },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        architecture: 'amd64',
        bootID: `boot-${index}`,
        containerRuntimeVersion: 'containerd://2.1.0',
        kernelVersion: '6.8.0-1021-aws',
        kubeProxyVersion: 'v1.36.3',
        kubeletVersion: 'v1.36.3',
        machineID: `machine-${index}`,
        operatingSystem: 'linux',
        osImage: 'Ubuntu 24.04.2 LTS',
        systemUUID: `uuid-${index}`,
      },
      images,
    },
  };
}

function send(cluster: Cluster, agent: Agent, method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = request(
      new URL(path, cluster.server),
      { method, agent, headers: payload ? { 'Content-Type': 'application/json' } : {} },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

function adminAgent(cluster: Cluster, connections: number): Agent {
  return new Agent({
    keepAlive: true,
    maxSockets: connections,
    ca: readFileSync(cluster.caFile),
    cert: readFileSync(cluster.adminCertFile),
    key: readFileSync(cluster.adminKeyFile),
  });
}

/** POSTs every object to its collection path through a pool of connections; returns the milliseconds it took. */
export async function createObjects(
  cluster: Cluster,
  count: number,
  objectAt: (index: number) => { path: string; body: unknown },
  connections = 16,
): Promise<number> {
  const agent = adminAgent(cluster, connections);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < count) {
        const index = next++;
        const { path, body } = objectAt(index);
        const status = await send(cluster, agent, 'POST', path, body);
        if (status !== 201 && status !== 409) throw new Error(`POST ${path} (object ${index}): HTTP ${status}`);
      }
    }),
  );
  agent.destroy();
  return performance.now() - started;
}

/** Creates `count` scale nodes; returns the milliseconds it took. */
export function createScaleNodes(cluster: Cluster, count: number, connections = 16): Promise<number> {
  const now = Date.now();
  return createObjects(cluster, count, (index) => ({ path: '/api/v1/nodes', body: scaleNode(index, now) }), connections);
}

export async function deleteScaleNodes(cluster: Cluster): Promise<void> {
  const agent = adminAgent(cluster, 1);
  const status = await send(cluster, agent, 'DELETE', `/api/v1/nodes?labelSelector=${encodeURIComponent(SCALE_LABEL)}`);
  agent.destroy();
  if (status !== 200) throw new Error(`deleting scale nodes: HTTP ${status}`);
}
