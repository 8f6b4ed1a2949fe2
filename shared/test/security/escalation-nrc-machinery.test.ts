// NRC's own machinery as capabilities: on NRC's hardened example plus one
// grant, which capabilities the search finds at the reporter itself, and
// whether the ledger leaves anything unassessed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reachedLedgers, searchEscalationPaths, unassessedOf, type ReadinessCapability } from '../../src/index.ts';
import { bind, clusterRole, cniReporterSubject, hardenedWorkloads, rbacFrom, upstream } from '../rbac-fixtures.ts';

const workloads = hardenedWorkloads();

const RULES = 'readiness.node.x-k8s.io';
const LEASE = 'ba65f13e.readiness.node.x-k8s.io';
const grant = (rules: Record<string, unknown>[], namespace?: string) => [
  clusterRole('extra', rules),
  namespace
    ? bind('RoleBinding', 'extra', { kind: 'ClusterRole', name: 'extra' }, [cniReporterSubject], namespace)
    : bind('ClusterRoleBinding', 'extra', { kind: 'ClusterRole', name: 'extra' }, [cniReporterSubject]),
];

const cases: [name: string, extra: Record<string, unknown>[], expected: ReadinessCapability[], unassessed: boolean][] = [
  [
    'create rules: a new rule taints any node, or lifts a taint whose key it shares',
    grant([{ apiGroups: [RULES], resources: ['nodereadinessrules'], verbs: ['create'] }]),
    ['lift-readiness-taints', 'disrupt-other-nodes', 'change-rules'],
    false,
  ],
  [
    'create rules through a RoleBinding: rules are cluster-scoped, nothing',
    grant([{ apiGroups: [RULES], resources: ['nodereadinessrules'], verbs: ['create'] }], 'kube-system'),
    [],
    false,
  ],
  [
    "deletecollection on rules: NRC's finalizer lifts every rule's taints",
    grant([{ apiGroups: [RULES], resources: ['nodereadinessrules'], verbs: ['deletecollection'] }]),
    ['lift-readiness-taints', 'change-rules'],
    false,
  ],
  [
    'delete one rule: its taints are lifted too',
    grant([{ apiGroups: [RULES], resources: ['nodereadinessrules'], verbs: ['delete'] }]),
    ['lift-readiness-taints', 'change-rules'],
    false,
  ],
  [
    "patching NodeReadinessRule's CRD by name",
    grant([
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        verbs: ['patch'],
        resourceNames: ['nodereadinessrules.readiness.node.x-k8s.io'],
      },
    ]),
    ['lift-readiness-taints', 'change-rules'],
    false,
  ],
  [
    'patching every CRD: found, and other CRDs stay unassessed',
    grant([{ apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['patch'] }]),
    ['lift-readiness-taints', 'change-rules'],
    true,
  ],
  [
    'patching another CRD by name: nothing found, still unassessed',
    grant([
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        verbs: ['patch'],
        resourceNames: ['ippools.crd.projectcalico.org'],
      },
    ]),
    [],
    true,
  ],
  [
    "updating NRC's leader-election Lease where its controller runs",
    grant([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['update'], resourceNames: [LEASE] }], 'nrc-system'),
    ['change-rules'],
    false,
  ],
  [
    'the same Lease name where no controller runs steers nothing',
    grant([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['update'], resourceNames: [LEASE] }], 'default'),
    [],
    false,
  ],
  [
    "updating any Lease in kube-node-lease: nodes' heartbeats, unassessed",
    grant([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['update'] }], 'kube-node-lease'),
    [],
    true,
  ],
  [
    "writing rules' status: read for diagnosis only, not a readiness capability, unassessed",
    grant([{ apiGroups: [RULES], resources: ['nodereadinessrules/status'], verbs: ['update', 'patch'] }]),
    [],
    true,
  ],
];

describe("nrc-machinery: NRC's rules, CRD and Lease", () => {
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
      const open = unassessedOf(reachedLedgers(input));
      assert.equal(open.length > 0, unassessed, JSON.stringify(open.map((ledger) => ledger.entries.map((entry) => entry.text))));
    });
});
