// Reaching into a running pod, walked for real with node-a's reporter token:
// exec into a status writer's pod on node-b, or add an ephemeral container to
// it. No container runs here (kwok is every node's kubelet), so the walk goes
// up to the apiserver's answer: the exec forwarded to node-b's kubelet port
// (served by the harness on a real interface), the ephemeral container
// admitted into the pod's spec. The pod's token is then minted as its kubelet
// would project it, and writes node-b's status.
import assert from 'node:assert/strict';
import type { Cluster } from '../cluster/cluster.ts';
import { hostAddress, startEndpoint, type Endpoint } from '../cluster/endpoints.ts';
import { apiRequest, type ApiResponse } from '../cluster/requests.ts';
import { tokenBoundTo } from '../cluster/scenario.ts';
import { TARGET, baselineStatusWriter, forgeStatus, poll, role, twins, uidOf, walkAttacks, type Attack } from './escalation-kit.ts';

/** Baseline, so neither a privileged pod nor the node's identity is in reach: only the status writer's token. */
const TEAM = 'exec-team';
const POD = 'agent';
const TEAM_OBJECTS = `${baselineStatusWriter(TEAM)}---
apiVersion: v1
kind: Pod
metadata: {name: ${POD}, namespace: ${TEAM}}
spec: {serviceAccountName: status-writer, nodeName: ${TARGET}, tolerations: [{operator: Exists}], containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
`;

let kubelet: Endpoint;

/** The token node-b's kubelet projects into the pod: what a shell in it, or a container added to it, reads. */
async function podToken(cluster: Cluster): Promise<string> {
  const uid = await uidOf(cluster, ['-n', TEAM, 'get', 'pod', POD]);
  return tokenBoundTo(cluster, { namespace: TEAM, serviceAccount: 'status-writer', name: POD, uid });
}

/** An exec as kubectl opens it: the apiserver authorizes create pods/exec, then dials node-b's kubelet for the stream. */
async function execAndForge(cluster: Cluster, token: string): Promise<ApiResponse> {
  await apiRequest(cluster, {
    method: 'PATCH',
    path: `/api/v1/nodes/${TARGET}/status`,
    body: {
      status: { addresses: [{ type: 'InternalIP', address: hostAddress() }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } },
    },
    contentType: 'application/merge-patch+json',
  });
  const before = kubelet.received.length;
  const command = 'command=cat&command=/var/run/secrets/kubernetes.io/serviceaccount/token';
  const exec = await apiRequest(cluster, {
    method: 'POST',
    path: `/api/v1/namespaces/${TEAM}/pods/${POD}/exec?container=c&stdout=true&${command}`,
    token,
    upgrade: 'SPDY/3.1',
  });
  if (exec.status === 401 || exec.status === 403) return exec;
  const reached = await poll(10, async () => kubelet.received.slice(before).find((entry) => entry.path.startsWith('/exec/')) ?? null);
  assert.ok(reached, `the apiserver answered ${exec.status} ${exec.message} and never dialled node-b's kubelet`);
  assert.ok(reached.path.startsWith(`/exec/${TEAM}/${POD}/c?`), reached.path);
  return forgeStatus(cluster, await podToken(cluster));
}

/** kubectl debug's request: an ephemeral container in the running pod, which runs with the pod's ServiceAccount token. */
async function ephemeralContainerAndForge(cluster: Cluster, token: string): Promise<ApiResponse> {
  const name = `debugger-${Date.now()}`;
  const added = await apiRequest(cluster, {
    method: 'PATCH',
    path: `/api/v1/namespaces/${TEAM}/pods/${POD}/ephemeralcontainers`,
    token,
    body: { spec: { ephemeralContainers: [{ name, image: 'registry.k8s.io/pause:3.10', targetContainerName: 'c' }] } },
    contentType: 'application/strategic-merge-patch+json',
  });
  if (added.status !== 200) return added;
  const names = (added.body as { spec?: { ephemeralContainers?: { name: string }[] } }).spec?.ephemeralContainers?.map((c) => c.name);
  assert.ok(names?.includes(name), `the pod's spec holds no ${name}: ${JSON.stringify(names)}`);
  return forgeStatus(cluster, await podToken(cluster));
}

const reachIn = (name: string, subresource: string, verbs: string) =>
  role(name, `[{apiGroups: [""], resources: [pods/${subresource}], verbs: [${verbs}]}]`, undefined, TEAM);

const UNASSESSED_POD_SUBRESOURCES =
  "a pod's subresources (exec, attach, ephemeralcontainers, eviction, log) reach into or disrupt running pods";

const attacks: [Attack, Attack][] = [
  twins(
    'forge-other-node-conditions',
    execAndForge,
    ["exec into a status writer's running pod: its token writes node-b's status", reachIn('pod-exec', 'exec', 'create')],
    // The verb a WebSocket exec is sent with: kube-apiserver still asks for create.
    ['get, not create, on pods/exec', reachIn('pod-exec-get', 'exec', 'get'), UNASSESSED_POD_SUBRESOURCES],
  ),
  twins(
    'forge-other-node-conditions',
    ephemeralContainerAndForge,
    [
      "an ephemeral container in a status writer's running pod: its token writes node-b's status",
      reachIn('pod-debug', 'ephemeralcontainers', 'patch'),
    ],
    ['reading pods/ephemeralcontainers only', reachIn('pod-debug-read', 'ephemeralcontainers', 'get'), UNASSESSED_POD_SUBRESOURCES],
  ),
];

walkAttacks("reaching into running pods, walked for real with node-a's reporter token", attacks, async (cluster) => {
  await cluster.kubectlOk(['apply', '-f', '-'], TEAM_OBJECTS);
  const running = await poll(60, async () => {
    const pod = (await apiRequest(cluster, { method: 'GET', path: `/api/v1/namespaces/${TEAM}/pods/${POD}` })).body as {
      status?: { phase?: string };
    };
    return pod.status?.phase === 'Running' ? true : null;
  });
  assert.ok(running, `kwok never ran ${TEAM}/${POD} on ${TARGET}`);
  kubelet = await startEndpoint(cluster, hostAddress(), () => ({ status: 404, body: {} }));
  return () => kubelet.close();
});
