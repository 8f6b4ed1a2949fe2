// The persistent-volumes class: a hostPath PersistentVolume, its claim and a
// pod in a namespace Pod Security holds to baseline, on NRC's hardened
// example. Which first hop reaches another node's conditions, if any.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchEscalationPaths } from '../../src/index.ts';
import { bind, clusterRole, cniReporterSubject, hardenedWorkloads, rbacFrom, upstream } from '../rbac-fixtures.ts';

const create = (resource: string) => ({ apiGroups: [''], resources: [resource], verbs: ['create'] });
/** The namespaced rules in web only, a PersistentVolume rule cluster-wide (volumes are cluster-scoped). */
const grants = (inWeb: string[], clusterWide: string[]) => [
  clusterRole('in-web', inWeb.map(create)),
  bind('RoleBinding', 'in-web', { kind: 'ClusterRole', name: 'in-web' }, [cniReporterSubject], 'web'),
  clusterRole('cluster-wide', clusterWide.map(create)),
  bind('ClusterRoleBinding', 'cluster-wide', { kind: 'ClusterRole', name: 'cluster-wide' }, [cniReporterSubject]),
];
const namespace = (name: string, level: string) => ({
  kind: 'Namespace',
  metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': level } },
});
const VOLUME_HOP =
  "create a hostPath PersistentVolume and claim it in web, then a pod there mounting the kubelet's credentials, on any node:";

const cases: [name: string, inWeb: string[], clusterWide: string[], webLevel: string, firstHop: string | null][] = [
  [
    'a volume, a claim and a pod in a baseline namespace: the node',
    ['persistentvolumeclaims', 'pods'],
    ['persistentvolumes'],
    'baseline',
    VOLUME_HOP,
  ],
  ['no volume of its own: nothing', ['persistentvolumeclaims', 'pods'], [], 'baseline', null],
  ['no claim: nothing', ['pods'], ['persistentvolumes'], 'baseline', null],
  ['no pod: nothing', ['persistentvolumeclaims'], ['persistentvolumes'], 'baseline', null],
  [
    'where Pod Security admits hostPath anyway, the pod alone is the shorter path',
    ['persistentvolumeclaims', 'pods'],
    ['persistentvolumes'],
    'privileged',
    'create pods in web, on any node (spec.nodeName):',
  ],
];

describe('persistent-volumes: a hostPath volume through a claim', () => {
  for (const [name, inWeb, clusterWide, webLevel, firstHop] of cases)
    it(name, () => {
      const found = searchEscalationPaths({
        rbac: rbacFrom(upstream.constrained(), grants(inWeb, clusterWide)),
        serviceAccount: { namespace: 'kube-system', name: 'cni-reporter' },
        gate: 'enabled',
        workloads: hardenedWorkloads(),
        otherNode: 'node-b',
        namespaces: [namespace('web', webLevel), namespace('kube-system', 'baseline'), namespace('nrc-system', 'baseline')],
      }).filter((entry) => entry.capability !== 'rewrite-own-conditions');
      assert.deepEqual(
        found.map((entry) => [entry.capability, entry.path[0]?.how]),
        firstHop ? [['forge-other-node-conditions', firstHop]] : [],
      );
    });
});
