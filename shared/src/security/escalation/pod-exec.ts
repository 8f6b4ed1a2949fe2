// Exec and ephemeral containers: code in a pod that already runs in a
// namespace, with its ServiceAccount's token and whatever it mounts. Which
// pods run there is more than the workloads the search reads (bare pods,
// pods of a kind it does not list), so reaching into one is taken as being a
// pod there: any ServiceAccount of the namespace, its Secrets, and, where Pod
// Security admits privileged pods (one may be running, or an ephemeral
// container may be privileged), the node's own identity.
import { isExactly, type Claim } from '../ledger/entry.ts';
import { firstGrant, toNamespace, type EscalationClass, type Move, type MoveContext } from './model.ts';

const REACH_IN: [verbs: string[], subresource: string, how: string][] = [
  [['create'], 'exec', 'exec into a pod running in'],
  [['update', 'patch'], 'ephemeralcontainers', 'add an ephemeral container to a pod running in'],
];

export function* podExec({ rules, ask, namespaces }: MoveContext): Generator<Move> {
  // A grant limited to one pod's name still reaches into that pod.
  const names = [undefined, ...rules.flatMap((grant) => grant.rule.resourceNames)];
  for (const namespace of namespaces)
    for (const [verbs, subresource, how] of REACH_IN) {
      const grant = firstGrant(
        ask,
        verbs.flatMap((verb) =>
          names.map((name) => ({ verb, group: '', resource: 'pods', subresource, namespace, ...(name ? { name } : {}) })),
        ),
      );
      if (!grant) continue;
      yield toNamespace('pods', namespace, `${how} ${namespace}:`, grant);
      break;
    }
}

/**
 * create pods/exec, and update or patch pods/ephemeralcontainers, by any name:
 * every effect is what a pod of the namespace has, which the workloads class
 * walks. Not claimed: get pods/exec (a WebSocket exec is a GET, which
 * kube-apiserver from 1.35 authorizes as create unless its
 * AuthorizePodWebsocketUpgradeCreatePermission gate is off) and pods/attach
 * (a running process's own input, whatever it does with it).
 */
const podExecClaim: Claim = {
  by: 'pod-exec',
  covers: (entry) =>
    isExactly(entry, ['create'], '', 'pods', 'exec') || isExactly(entry, ['update', 'patch'], '', 'pods', 'ephemeralcontainers'),
};

export const podExecs: EscalationClass = {
  id: 'pod-exec',
  summary:
    "exec into a running pod, or add an ephemeral container to one, in a namespace: any ServiceAccount there, its Secrets and, where Pod Security admits privileged pods, the node's identity",
  resources: ['pods/exec', 'pods/ephemeralcontainers'],
  moves: [podExec],
  claims: [podExecClaim],
  proofs: [
    {
      attack: "exec into a status writer's running pod: its token writes node-b's status",
      twin: 'get, not create, on pods/exec',
    },
    {
      attack: "an ephemeral container in a status writer's running pod: its token writes node-b's status",
      twin: 'reading pods/ephemeralcontainers only',
    },
  ],
};
