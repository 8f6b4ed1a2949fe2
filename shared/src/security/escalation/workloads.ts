// Pods and workloads: creating a pod, or writing any workload whose template
// makes one, in a namespace runs code as any ServiceAccount there, on any node
// (spec.nodeName), with that node's pod-bound token.
import { firstGrant, toAccount, toNamespace, touches, type EscalationClass, type Move, type MoveContext, type Principal } from './model.ts';

export const WORKLOAD_KINDS: [group: string, resource: string][] = [
  ['', 'pods'],
  ['apps', 'deployments'],
  ['apps', 'daemonsets'],
  ['apps', 'statefulsets'],
  ['apps', 'replicasets'],
  ['batch', 'jobs'],
  ['batch', 'cronjobs'],
  ['', 'replicationcontrollers'],
];
const WORKLOAD_RESOURCES = new Set(WORKLOAD_KINDS.map(([, resource]) => resource));

export function* workloadWrites({ rules, ask, namespaces }: MoveContext): Generator<Move> {
  if (!touches(rules, WORKLOAD_RESOURCES)) return;
  for (const namespace of namespaces)
    for (const [group, resource] of WORKLOAD_KINDS) {
      // Rewriting an existing workload's pod template runs pods just as well as creating one.
      const creates = firstGrant(
        ask,
        ['create', 'update', 'patch'].map((verb) => ({ verb, group, resource, namespace })),
      );
      if (!creates) continue;
      yield toNamespace('pods', namespace, `create ${resource} in ${namespace}, on any node (spec.nodeName):`, creates);
      break;
    }
}

/** From a pod in a namespace to each ServiceAccount it may run as; its token is bound to the node it is put on. */
export function* podIdentities(from: Principal, { accountsIn }: Pick<MoveContext, 'accountsIn'>): Generator<Move> {
  for (const target of accountsIn.get(from.user.username) ?? [])
    yield toAccount(
      target.namespace,
      target.name,
      { how: 'running as', grant: 'spec.serviceAccountName' },
      { anyNodeToken: true, credential: true },
    );
}

/** Walked as a hop but claims nothing: a pod's spec (privileged, hostPath, hostPID) reaches its node's own credentials, which no class walks yet. */
export const workloads: EscalationClass = {
  id: 'workloads',
  summary: 'create pods, or write any workload whose template makes them, in a namespace: any ServiceAccount there, on any node',
  resources: WORKLOAD_KINDS.map(([, resource]) => resource),
  moves: [workloadWrites],
  claims: [],
  proofs: [{ attack: 'creating a pod on node-b as the reporter ServiceAccount', twin: 'creating pods only in another namespace' }],
};
