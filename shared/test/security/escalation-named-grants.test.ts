// resourceNames, judged for every name: the reporter's DaemonSet runs on every
// node, so a grant naming any node (its own included, or one not joined yet)
// lets the reporter on each other node write that one. The same for rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reachedLedgers, searchEscalationPaths, unassessedOf, type ReadinessCapability } from '../../src/index.ts';
import { ofKind } from '../fixtures.ts';
import { bind, clusterRole, cniReporterSubject, rbacFrom, upstream } from '../rbac-fixtures.ts';

const grant = (rules: Record<string, unknown>[], namespace?: string) => [
  clusterRole('named', rules),
  namespace
    ? bind('RoleBinding', 'named', { kind: 'ClusterRole', name: 'named' }, [cniReporterSubject], namespace)
    : bind('ClusterRoleBinding', 'named', { kind: 'ClusterRole', name: 'named' }, [cniReporterSubject]),
];
const workloads = ofKind(upstream.constrained(), 'DaemonSet').map((manifest) => manifest.object);

const cases: [name: string, extra: Record<string, unknown>[], expected: ReadinessCapability[], unassessed: boolean][] = [
  [
    'update nodes/status named for node-c, not the sampled node-b',
    grant([{ apiGroups: [''], resources: ['nodes/status'], verbs: ['update'], resourceNames: ['node-c'] }]),
    ['forge-other-node-conditions'],
    false,
  ],
  [
    "named for node-a, the reporter's own: the reporter on node-b writes it",
    grant([{ apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'], resourceNames: ['node-a'] }]),
    ['forge-other-node-conditions'],
    false,
  ],
  [
    'patch nodes named for a node not joined yet',
    grant([{ apiGroups: [''], resources: ['nodes'], verbs: ['patch'], resourceNames: ['node-later'] }]),
    ['lift-readiness-taints', 'disrupt-other-nodes'],
    false,
  ],
  [
    'delete nodes named for one node',
    grant([{ apiGroups: [''], resources: ['nodes'], verbs: ['delete'], resourceNames: ['node-c'] }]),
    ['disrupt-other-nodes'],
    false,
  ],
  [
    'patch one named rule',
    grant([
      {
        apiGroups: ['readiness.node.x-k8s.io'],
        resources: ['nodereadinessrules'],
        verbs: ['patch'],
        resourceNames: ['network-readiness-rule'],
      },
    ]),
    ['lift-readiness-taints', 'change-rules'],
    false,
  ],
  [
    'reading named nodes only: nothing',
    grant([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'], resourceNames: ['node-c'] }]),
    [],
    false,
  ],
  [
    'a named status grant through a RoleBinding: nodes are cluster-scoped, nothing',
    grant([{ apiGroups: [''], resources: ['nodes/status'], verbs: ['update'], resourceNames: ['node-c'] }], 'kube-system'),
    [],
    false,
  ],
];

describe('named grants: every name judged', () => {
  for (const [name, extra, expected, unassessed] of cases)
    it(name, () => {
      const input = {
        rbac: rbacFrom(upstream.constrained(), extra),
        serviceAccount: { namespace: 'kube-system', name: 'cni-reporter' },
        gate: 'enabled' as const,
        workloads,
        otherNode: 'node-b',
      };
      assert.deepEqual(
        searchEscalationPaths(input).map((entry) => entry.capability),
        expected,
      );
      assert.equal(unassessedOf(reachedLedgers(input)).length > 0, unassessed);
    });
});
