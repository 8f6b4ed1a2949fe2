// The role-binding class: what RBAC's bind and escalate checks let the
// reporter grant itself, on NRC's hardened example plus one grant. Each case
// says which capabilities the search finds (and the hops of each path), and
// whether the ledger leaves anything unassessed on the way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reachedLedgers, searchEscalationPaths, unassessedOf, type ReadinessCapability } from '../../src/index.ts';
import { bind, clusterRole, cniReporterSubject, hardenedWorkloads, rbacFrom, upstream } from '../rbac-fixtures.ts';

const workloads = hardenedWorkloads();

const RBAC = 'rbac.authorization.k8s.io';
const grant = (name: string, rules: Record<string, unknown>[], namespace?: string) => [
  clusterRole(name, rules),
  namespace
    ? bind('RoleBinding', name, { kind: 'ClusterRole', name }, [cniReporterSubject], namespace)
    : bind('ClusterRoleBinding', name, { kind: 'ClusterRole', name }, [cniReporterSubject]),
];
const statusWriterRole = clusterRole('status-writer', [{ apiGroups: [''], resources: ['nodes/status'], verbs: ['get', 'update'] }]);
const nodeReaderRole = clusterRole('node-reader', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }]);
const scalerRole = clusterRole('controller-scaler', [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] }]);
const createBindings = { apiGroups: [RBAC], resources: ['clusterrolebindings'], verbs: ['create'] };
const bindOn = (...names: string[]) => ({ apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['bind'], resourceNames: names });
const someoneElse = { kind: 'ServiceAccount', name: 'ops', namespace: 'kube-system' };

const ALL: ReadinessCapability[] = ['forge-other-node-conditions', 'lift-readiness-taints', 'disrupt-other-nodes', 'change-rules'];
const anyPermission = (how: string): [ReadinessCapability, string[]][] => ALL.map((capability) => [capability, [how]]);

interface Case {
  name: string;
  extra: Record<string, unknown>[];
  expected: [ReadinessCapability, string[]][];
  /** Whether an unassessed permission remains on the way (the verdict is then Unassessed, not Constrained). */
  unassessed: boolean;
}

const cases: Case[] = [
  {
    name: 'bind on a named ClusterRole that writes node status, and create ClusterRoleBindings: that role',
    extra: [statusWriterRole, ...grant('binder', [createBindings, bindOn('status-writer')])],
    expected: [['forge-other-node-conditions', ['bind itself ClusterRole status-writer']]],
    unassessed: false,
  },
  {
    name: 'bind on a named ClusterRole that only reads nodes: nothing, and nothing unassessed',
    extra: [nodeReaderRole, ...grant('binder', [createBindings, bindOn('node-reader')])],
    expected: [],
    unassessed: false,
  },
  {
    name: 'bind on the status writer without create on ClusterRoleBindings: nothing',
    extra: [statusWriterRole, ...grant('binder', [bindOn('status-writer')])],
    expected: [],
    unassessed: false,
  },
  {
    name: 'create ClusterRoleBindings without bind: only roles it holds, nothing',
    extra: [statusWriterRole, ...grant('binder', [createBindings])],
    expected: [],
    unassessed: false,
  },
  {
    name: "a RoleBinding in nrc-system binding a ClusterRole that scales NRC's controller: change-rules",
    extra: [
      scalerRole,
      ...grant(
        'ns-binder',
        [
          { apiGroups: [RBAC], resources: ['rolebindings'], verbs: ['create'] },
          { apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['controller-scaler'] },
        ],
        'nrc-system',
      ),
    ],
    expected: [['change-rules', ['bind itself ClusterRole controller-scaler in nrc-system']]],
    // Patching a Deployment's scale is walked for NRC's controller only: the bound role's grant stays unassessed.
    unassessed: true,
  },
  {
    name: 'a RoleBinding binding the status writer: a RoleBinding grants nothing on nodes',
    extra: [
      statusWriterRole,
      ...grant(
        'ns-binder',
        [
          { apiGroups: [RBAC], resources: ['rolebindings'], verbs: ['create'] },
          { apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['status-writer'] },
        ],
        'kube-system',
      ),
    ],
    expected: [],
    unassessed: false,
  },
  {
    name: "adding itself to someone else's binding of the status writer, with bind on it",
    extra: [
      statusWriterRole,
      bind('ClusterRoleBinding', 'ops-status', { kind: 'ClusterRole', name: 'status-writer' }, [someoneElse]),
      ...grant('binding-editor', [
        { apiGroups: [RBAC], resources: ['clusterrolebindings'], verbs: ['patch'], resourceNames: ['ops-status'] },
        bindOn('status-writer'),
      ]),
    ],
    expected: [['forge-other-node-conditions', ['bind itself ClusterRole status-writer']]],
    // patch on a binding can also take a controller's permissions away: unclaimed.
    unassessed: true,
  },
  {
    name: 'patching that binding without bind: nothing found, but the patch stays unassessed',
    extra: [
      statusWriterRole,
      bind('ClusterRoleBinding', 'ops-status', { kind: 'ClusterRole', name: 'status-writer' }, [someoneElse]),
      ...grant('binding-editor', [
        { apiGroups: [RBAC], resources: ['clusterrolebindings'], verbs: ['patch'], resourceNames: ['ops-status'] },
      ]),
    ],
    expected: [],
    unassessed: true,
  },
  {
    name: 'escalate and update on a ClusterRole bound to it cluster-wide: any permission',
    extra: grant('self-editor', [
      { apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['update', 'escalate'], resourceNames: ['self-editor'] },
    ]),
    expected: anyPermission('bind itself a role with any permission'),
    unassessed: true,
  },
  {
    name: 'create and escalate ClusterRoles, bound to an aggregating ClusterRole: any permission',
    extra: [
      clusterRole('aggregator', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate': 'true' } }] } }),
      bind('ClusterRoleBinding', 'aggregator', { kind: 'ClusterRole', name: 'aggregator' }, [cniReporterSubject]),
      ...grant('role-maker', [{ apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['create', 'escalate'] }]),
    ],
    expected: anyPermission('bind itself a role with any permission'),
    unassessed: true,
  },
  {
    name: 'create and escalate ClusterRoles and create ClusterRoleBindings, without bind: a new role cannot be bound',
    extra: grant('role-maker', [{ apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['create', 'escalate'] }, createBindings]),
    expected: [],
    // A new escalated ClusterRole can still aggregate into a role bound to someone the search does not reach.
    unassessed: true,
  },
  {
    name: 'create and escalate Roles in nrc-system, bind on them and create RoleBindings there: any permission there',
    extra: grant(
      'ns-role-maker',
      [
        { apiGroups: [RBAC], resources: ['roles'], verbs: ['create', 'escalate', 'bind'] },
        { apiGroups: [RBAC], resources: ['rolebindings'], verbs: ['create'] },
      ],
      'nrc-system',
    ),
    // Any permission there includes pods, and nrc-system enforces no Pod Security level: a privileged pod reaches its node's identity.
    expected: [
      [
        'forge-other-node-conditions',
        [
          'bind itself any permission in nrc-system (rewriting a-role-the-attacker-creates)',
          'create pods in nrc-system, on any node (spec.nodeName):',
          "a privileged pod with a hostPath of the kubelet's credentials, on any node:",
        ],
      ],
      ['change-rules', ['bind itself any permission in nrc-system (rewriting a-role-the-attacker-creates)']],
    ],
    // Any permission in nrc-system includes writes no class claims (its Roles, Leases other than NRC's, pods' subresources).
    unassessed: true,
  },
  {
    name: 'create Roles in nrc-system without escalate: only what it holds, nothing',
    extra: grant(
      'ns-role-maker',
      [
        { apiGroups: [RBAC], resources: ['roles'], verbs: ['create', 'bind'] },
        { apiGroups: [RBAC], resources: ['rolebindings'], verbs: ['create'] },
      ],
      'nrc-system',
    ),
    expected: [],
    unassessed: false,
  },
  {
    name: 'binding a role that grants bind on another: two bindings, that role',
    extra: [
      statusWriterRole,
      clusterRole('second-binder', [bindOn('status-writer')]),
      ...grant('binder', [createBindings, bindOn('second-binder')]),
    ],
    expected: [['forge-other-node-conditions', ['bind itself ClusterRole second-binder', 'bind itself ClusterRole status-writer']]],
    unassessed: false,
  },
  {
    name: 'an impersonated ServiceAccount that may create ClusterRoleBindings hands its roles to the attacker: then impersonates',
    extra: [
      clusterRole('ops-power', [
        createBindings,
        { apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['root'] },
      ]),
      bind('ClusterRoleBinding', 'ops-power', { kind: 'ClusterRole', name: 'ops-power' }, [someoneElse]),
      statusWriterRole,
      bind('ClusterRoleBinding', 'root-status', { kind: 'ClusterRole', name: 'status-writer' }, [
        { kind: 'User', name: 'root', apiGroup: RBAC },
      ]),
      ...grant(
        'impersonate-ops',
        [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: ['ops'] }],
        'kube-system',
      ),
    ],
    expected: [
      ['forge-other-node-conditions', ['impersonate (legacy)', "bind its own roles to the attacker's token", 'impersonate (legacy)']],
    ],
    unassessed: false,
  },
];

describe('role-binding: binding and escalating roles', () => {
  for (const testCase of cases)
    it(testCase.name, () => {
      const input = {
        rbac: rbacFrom(upstream.constrained(), testCase.extra),
        serviceAccount: { namespace: 'kube-system', name: 'cni-reporter' },
        gate: 'enabled' as const,
        workloads,
        otherNode: 'node-b',
      };
      const reached = searchEscalationPaths(input);
      assert.deepEqual(
        reached.map((entry) => [entry.capability, entry.path.map((hop) => hop.how)]),
        testCase.expected,
      );
      const open = unassessedOf(reachedLedgers(input));
      assert.equal(open.length > 0, testCase.unassessed, JSON.stringify(open.map((ledger) => ledger.entries.map((entry) => entry.text))));
    });

  it("a bound role's unassessed rules count in the ledger of the identity that binds it", () => {
    const input = {
      rbac: rbacFrom(upstream.constrained(), [
        clusterRole('log-reader', [{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }]),
        ...grant('binder', [createBindings, bindOn('log-reader')]),
      ]),
      serviceAccount: { namespace: 'kube-system', name: 'cni-reporter' },
      gate: 'enabled' as const,
      workloads,
      otherNode: 'node-b',
    };
    const open = unassessedOf(reachedLedgers(input));
    assert.deepEqual(
      open.map((ledger) => [ledger.identity, ledger.entries.map((entry) => `${entry.text} (${entry.source})`)]),
      [
        [
          "ServiceAccount kube-system/cni-reporter (the reporter's token) (bound ClusterRole log-reader)",
          ['get pods/log cluster-wide (ClusterRoleBinding (one the attacker creates) → ClusterRole log-reader)'],
        ],
      ],
    );
  });
});
