// Pods and workloads: creating a pod, or writing any workload whose template
// makes one, in a namespace runs code as any ServiceAccount there, on any node
// (spec.nodeName), with that node's pod-bound token. Where Pod Security
// admission lets a pod be privileged or mount the host, that pod reads the
// kubelet's credentials of the node it is put on: any node's identity.
import { metadataOf } from '../../base/read.ts';
import { isExactly, type Claim } from '../ledger/entry.ts';
import {
  firstGrant,
  toAccount,
  toNamespace,
  toSpecial,
  touches,
  type EscalationClass,
  type Move,
  type MoveContext,
  type Principal,
} from './model.ts';

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
const WRITE_VERBS = ['create', 'update', 'patch'];

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/**
 * Whether Pod Security admission admits a privileged or hostPath pod in the
 * namespace: unless its enforce label says baseline or restricted (both forbid
 * privileged, hostPath, hostPID and hostNetwork). An absent label is the
 * apiserver's default, privileged; so is a namespace not in the list (or no
 * list at all), and a value the admission cannot parse is read the same way.
 * Assumed: the admission's configuration file (invisible to the API) neither
 * lowers the default nor exempts the attacker, and the node's cloud metadata
 * endpoint hands a pod no node credential.
 */
export function admitsHostAccess(namespaces: unknown[] | null | undefined): (namespace: string) => boolean {
  if (!namespaces) return () => true;
  const levels = new Map(namespaces.map((object) => [metadataOf(object).name, metadataOf(object).labels[ENFORCE_LABEL]]));
  return (namespace) => {
    const level = levels.get(namespace);
    return level !== 'baseline' && level !== 'restricted';
  };
}

export function* workloadWrites({ rules, ask, namespaces, admitsHostAccess: admits }: MoveContext): Generator<Move> {
  if (!touches(rules, WORKLOAD_RESOURCES)) return;
  // update and patch may be limited to names: rewriting a named workload's template runs pods just as well.
  const names = [undefined, ...rules.flatMap((grant) => grant.rule.resourceNames)];
  for (const namespace of namespaces)
    for (const [group, resource] of WORKLOAD_KINDS) {
      const creates = firstGrant(
        ask,
        WRITE_VERBS.flatMap((verb) =>
          (verb === 'create' ? [undefined] : names).map((name) => ({ verb, group, resource, namespace, ...(name ? { name } : {}) })),
        ),
      );
      if (!creates) continue;
      yield toNamespace('pods', namespace, `create ${resource} in ${namespace}, on any node (spec.nodeName):`, creates);
      // Pod Security reads the namespace's labels at each pod's admission: whoever may relabel it lifts the level for its own pods.
      const relabels = admits(namespace)
        ? null
        : firstGrant(
            ask,
            ['update', 'patch'].map((verb) => ({ verb, group: '', resource: 'namespaces', name: namespace })),
          );
      if (relabels)
        yield toSpecial('any-node', {
          how: `relabel ${namespace} to ${ENFORCE_LABEL}: privileged, then create a privileged pod with a hostPath of the kubelet's credentials there, on any node:`,
          grant: `${relabels}; then ${creates}`,
        });
      break;
    }
}

/**
 * From a pod in a namespace to each ServiceAccount it may run as, its token
 * bound to the node it is put on; and, where Pod Security admits it, to the
 * node's own identity, read from the host.
 */
export function* podIdentities(
  from: Principal,
  { accountsIn, hostAccess }: Pick<MoveContext, 'accountsIn'> & { hostAccess: (namespace: string) => boolean },
): Generator<Move> {
  const namespace = from.user.username;
  for (const target of accountsIn.get(namespace) ?? [])
    yield toAccount(
      target.namespace,
      target.name,
      { how: 'running as', grant: 'spec.serviceAccountName' },
      { anyNodeToken: true, credential: true },
    );
  // A pod mounts any Secret of its namespace: bootstrap tokens too, in kube-system.
  yield toNamespace('tokens', namespace, 'mount its Secrets as a volume:', 'spec.volumes[].secret');
  if (hostAccess(namespace))
    yield toSpecial('any-node', {
      how: "a privileged pod with a hostPath of the kubelet's credentials, on any node:",
      grant: `Pod Security admits it in ${namespace} (${ENFORCE_LABEL}: privileged, or no label)`,
    });
}

/**
 * Writes of any workload kind, in a namespace or cluster-wide, by any name:
 * every effect is walked (any ServiceAccount of the namespace on any node, the
 * node's identity where Pod Security allows, NRC's controller Deployment as
 * change-rules). Stopping or breaking a reporter's workload is no more than
 * running as its ServiceAccount there, which the walk follows. Assumed: a
 * pod's requests (resource exhaustion, host ports) are not a readiness effect.
 */
const workloadsClaim: Claim = {
  by: 'workloads',
  covers: (entry) => WORKLOAD_KINDS.some(([group, resource]) => isExactly(entry, WRITE_VERBS, group, resource)),
};

export const workloads: EscalationClass = {
  id: 'workloads',
  summary:
    "create pods, or write any workload whose template makes them, in a namespace: any ServiceAccount there, on any node; where Pod Security admits privileged pods, or the writer may relabel the namespace to admit them, any node's identity",
  resources: [...WORKLOAD_KINDS.map(([, resource]) => resource), 'namespaces'],
  moves: [workloadWrites],
  claims: [workloadsClaim],
  proofs: [
    { attack: 'creating a pod on node-b as the reporter ServiceAccount', twin: 'creating pods only in a baseline namespace' },
    {
      attack: "patching an existing Deployment's template: its pods run as a status writer on node-b",
      twin: 'update and patch only on deployments/scale',
    },
    {
      attack: "a privileged pod with a hostPath on node-b, in a namespace without a Pod Security label: node-b's identity",
      twin: 'the same pod in a namespace that enforces baseline',
    },
    {
      attack: "relabelling a baseline namespace to privileged, then the hostPath pod there: node-b's identity",
      twin: 'the same, with only get on that namespace',
    },
  ],
};
