// Persistent volumes: a hostPath PersistentVolume, claimed in a namespace,
// mounts the host into a pod there whatever that namespace's Pod Security
// level (it checks the pod's own volumes, and a claim is allowed at every
// level): the node's own credentials, on any node the pod is put on.
import { firstGrant, toSpecial, type EscalationClass, type Move, type MoveContext } from './model.ts';
import { WORKLOAD_KINDS } from './workloads.ts';

export function* hostPathVolume({ ask, namespaces, admitsHostAccess }: MoveContext): Generator<Move> {
  const volume = ask({ verb: 'create', group: '', resource: 'persistentvolumes' });
  if (!volume) return;
  for (const namespace of namespaces) {
    // Where Pod Security admits hostPath already, a pod there is the node's identity without a volume.
    if (admitsHostAccess(namespace)) continue;
    const claim = ask({ verb: 'create', group: '', resource: 'persistentvolumeclaims', namespace });
    const pod = claim
      ? firstGrant(
          ask,
          WORKLOAD_KINDS.map(([group, resource]) => ({ verb: 'create', group, resource, namespace })),
        )
      : null;
    if (claim && pod)
      yield toSpecial('any-node', {
        how: `create a hostPath PersistentVolume and claim it in ${namespace}, then a pod there mounting the kubelet's credentials, on any node:`,
        grant: `${volume}; then ${claim}; then ${pod}`,
      });
  }
}

export const persistentVolumes: EscalationClass = {
  id: 'persistent-volumes',
  summary:
    "create a hostPath PersistentVolume, a claim for it and a pod in a namespace: the host mounted whatever the namespace's Pod Security level, so the node's identity",
  resources: ['persistentvolumes', 'persistentvolumeclaims', ...WORKLOAD_KINDS.map(([, resource]) => resource)],
  moves: [hostPathVolume],
  // A PersistentVolume can also bind another's claim (a reporter's, with data it chose): not walked, so nothing is claimed.
  claims: [],
  proofs: [
    {
      attack: "a hostPath PersistentVolume claimed in a baseline namespace, mounted by a pod on node-b: node-b's identity",
      twin: 'the same claim and pod, without create on persistentvolumes',
    },
  ],
};
