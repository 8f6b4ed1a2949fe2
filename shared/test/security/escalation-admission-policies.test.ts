// Admission policies: a policy and a binding for it, of either kind, on NRC's
// hardened example. Which capabilities the search finds, and whether the
// ledger leaves the grants unassessed (it does: no policy grant is claimed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reachedLedgers, searchEscalationPaths, unassessedOf, type ReadinessCapability } from '../../src/index.ts';
import { ofKind } from '../fixtures.ts';
import { bind, clusterRole, cniReporterSubject, rbacFrom, upstream } from '../rbac-fixtures.ts';

const ADMISSION = 'admissionregistration.k8s.io';
const grant = (resources: string[], verbs = ['create']) => [
  clusterRole('extra', [{ apiGroups: [ADMISSION], resources, verbs }]),
  bind('ClusterRoleBinding', 'extra', { kind: 'ClusterRole', name: 'extra' }, [cniReporterSubject]),
];
const workloads = ofKind(upstream.constrained(), 'DaemonSet').map((manifest) => manifest.object);
const MUTATING_HOP = 'register a mutating admission policy, and bind it, that rewrites any write';

const cases: [name: string, extra: Record<string, unknown>[], expected: [ReadinessCapability, string[]][]][] = [
  [
    "a validating policy and its binding: deny node-b's writes",
    grant(['validatingadmissionpolicies', 'validatingadmissionpolicybindings']),
    [['disrupt-other-nodes', []]],
  ],
  [
    'rewriting both instead of creating them',
    grant(['validatingadmissionpolicies', 'validatingadmissionpolicybindings'], ['patch']),
    [['disrupt-other-nodes', []]],
  ],
  ['a validating policy alone: nothing found', grant(['validatingadmissionpolicies']), []],
  ['a validating binding alone: nothing found', grant(['validatingadmissionpolicybindings']), []],
  [
    'a mutating policy and its binding: anyone',
    grant(['mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']),
    (['forge-other-node-conditions', 'lift-readiness-taints', 'disrupt-other-nodes', 'change-rules'] as const).map((capability) => [
      capability,
      [MUTATING_HOP],
    ]),
  ],
  ['a mutating policy alone: nothing found', grant(['mutatingadmissionpolicies']), []],
];

describe('admission-policies', () => {
  for (const [name, extra, expected] of cases)
    it(name, () => {
      const input = {
        rbac: rbacFrom(upstream.constrained(), extra),
        serviceAccount: { namespace: 'kube-system', name: 'cni-reporter' },
        gate: 'enabled' as const,
        workloads,
        otherNode: 'node-b',
      };
      assert.deepEqual(
        searchEscalationPaths(input).map((entry) => [entry.capability, entry.path.map((hop) => hop.how)]),
        expected,
      );
      // No policy grant is claimed: where nothing is found, the verdict is Unassessed, never Constrained.
      assert.ok(unassessedOf(reachedLedgers(input)).length > 0);
    });
});
