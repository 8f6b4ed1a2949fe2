// resourceNames, judged for every name: node-a's reporter token holds a
// nodes/status grant named for node-c (not the node verify samples), or for
// a node that has not joined yet; the reporter DaemonSet runs everywhere, so
// the grant is another node's conditions. The nearest twin is the same named
// grant through a RoleBinding, which grants nothing on cluster-scoped nodes.
import type { Cluster } from '../cluster/cluster.ts';
import { putNodeStatus } from '../cluster/requests.ts';
import { workerNode } from '../cluster/scenario.ts';
import { NAMESPACE, role, walkAttacks, type Attack } from './escalation-kit.ts';

const NAMED = 'node-c';
const LATER = 'node-d';
const namedStatus = (name: string, node: string, namespace?: string) =>
  role(name, `[{apiGroups: [""], resources: [nodes/status], verbs: [get, update], resourceNames: [${node}]}]`, undefined, namespace);
const writeStatusOf = (node: string) => (cluster: Cluster, token: string) =>
  putNodeStatus(cluster, { node, message: 'written from node-a', token });

/** The node joins only after verify has judged the grant: a name no node had yet. */
async function joinThenWrite(cluster: Cluster, token: string) {
  await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(workerNode(LATER, 3)));
  try {
    // A new node is busy (kwok and the node controller write it at once): retry conflicts, as a reporter does.
    for (let attempt = 1; ; attempt++) {
      const written = await putNodeStatus(cluster, { node: LATER, message: 'written from node-a', token });
      if (written.status !== 409 || attempt === 5) return written;
    }
  } finally {
    await cluster.kubectlOk(['delete', 'node', LATER]);
  }
}

const attacks: [Attack, Attack][] = [
  [
    {
      name: "update nodes/status named for node-c: node-a's token writes node-c",
      grants: namedStatus('status-node-c', NAMED),
      run: writeStatusOf(NAMED),
      capability: 'forge-other-node-conditions',
      target: NAMED,
    },
    {
      name: 'the same named grant through a RoleBinding',
      grants: namedStatus('status-node-c-ns', NAMED, NAMESPACE),
      run: writeStatusOf(NAMED),
      capability: 'forge-other-node-conditions',
      target: NAMED,
    },
  ],
  [
    {
      name: 'update nodes/status named for a node that joins later',
      grants: namedStatus('status-node-d', LATER),
      run: joinThenWrite,
      capability: 'forge-other-node-conditions',
      target: LATER,
    },
    {
      name: 'the same grant for the later node through a RoleBinding',
      grants: namedStatus('status-node-d-ns', LATER, NAMESPACE),
      run: joinThenWrite,
      capability: 'forge-other-node-conditions',
      target: LATER,
    },
  ],
];

walkAttacks("resourceNames judged for every name, walked for real with node-a's reporter token", attacks);
