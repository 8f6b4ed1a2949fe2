// Why an unassessed permission could matter to readiness: one line per kind
// of grant, the first that fits, so a reviewer knows what to look at.
import type { LedgerEntry } from './entry.ts';

const WORKLOADS = new Set([
  'pods',
  'deployments',
  'daemonsets',
  'statefulsets',
  'replicasets',
  'jobs',
  'cronjobs',
  'replicationcontrollers',
]);

const REASONS: [matches: (entry: LedgerEntry) => boolean, why: string][] = [
  [
    (entry) => entry.verb === '*' || entry.resource === '*' || entry.apiGroup === '*',
    'a wildcard grants verbs or resources no class has assessed',
  ],
  [
    (entry) => entry.nonResourceURL !== undefined,
    'a non-resource URL beyond discovery, health and version (debug, logs, metrics) may reveal or change the apiserver',
  ],
  [
    (entry) => entry.resource === 'secrets',
    'writing a Secret makes a credential (a bootstrap token in kube-system, a legacy token for any ServiceAccount); Secrets may hold kubeconfigs the search does not follow',
  ],
  [
    (entry) => entry.subresource === 'proxy',
    "a proxy reaches a kubelet's or a pod's API: exec into a privileged pod takes the node's own credentials",
  ],
  [
    (entry) => entry.resource === 'pods' && entry.subresource !== '',
    "a pod's subresources (exec, attach, ephemeralcontainers, eviction, log) reach into or disrupt running pods",
  ],
  [
    (entry) => WORKLOADS.has(entry.resource) && entry.subresource === 'scale',
    "scaling a reporter's Deployment or StatefulSet to zero stales its conditions (NRC's controller's is change-rules)",
  ],
  [
    (entry) => WORKLOADS.has(entry.resource),
    "a pod's spec (privileged, hostPath, hostPID, spec.nodeName) can take a node's own credentials; removing a reporter's pod stales its conditions",
  ],
  [(entry) => entry.apiGroup === 'rbac.authorization.k8s.io', 'RBAC writes, bind and escalate can grant any other permission'],
  [
    (entry) => entry.apiGroup === 'admissionregistration.k8s.io',
    'admission policies and webhooks can rewrite or deny any write, node status included',
  ],
  [
    (entry) => entry.resource === 'signers' && (entry.resourceNames ?? []).includes('kubernetes.io/kubelet-serving'),
    'a kubelet serving certificate lets its holder stand between the apiserver and a kubelet (exec, logs, port-forward): not walked',
  ],
  [
    (entry) => entry.subresource === 'selfnodeclient',
    "kube-controller-manager approves a renewal of the requester's own node certificate: a node identity's, not walked",
  ],
  [
    (entry) => entry.apiGroup === 'certificates.k8s.io',
    'a signed client certificate is an identity: for another signer, any user or group',
  ],
  [(entry) => entry.apiGroup === 'apiextensions.k8s.io', 'CRDs define NodeReadinessRule itself: changing it changes what NRC reads'],
  [
    (entry) => entry.apiGroup === 'coordination.k8s.io',
    "leases hold controllers' leadership and nodes' heartbeats: taking one stops a controller or marks a node lost",
  ],
  [
    (entry) => entry.apiGroup === 'readiness.node.x-k8s.io',
    "NodeReadinessRules decide which nodes are tainted: a new or removed rule changes every node's gating",
  ],
  [(entry) => entry.resource === 'nodes', "a node's object holds its taints, labels and conditions: what readiness is decided from"],
  [(entry) => entry.verb.startsWith('impersonate'), 'impersonation is another identity, whose power this variant does not walk'],
  [(entry) => entry.resource === 'serviceaccounts', 'a ServiceAccount is an identity; writing one (or its tokens) may hand it over'],
  [
    (entry) => ['namespaces', 'resourcequotas', 'limitranges'].includes(entry.resource),
    "a namespace's labels set its Pod Security level and its quotas can block a reporter's pods",
  ],
];

export function unassessedWhy(entry: LedgerEntry): string {
  return REASONS.find(([matches]) => matches(entry))?.[1] ?? 'not on the allow-list and walked by no escalation class';
}
