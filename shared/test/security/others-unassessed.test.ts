// The reverse question's third answer: a subject with no path to a readiness
// capability whose reach holds permissions no class walks is named as
// unassessed, never read as harmless; an inert grant keeps it unnamed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verification, whoElseCanLie } from '../../src/index.ts';
import { ofKind } from '../fixtures.ts';
import { bind, clusterRole, cniReporterSubject, rbacFrom, upstream } from '../rbac-fixtures.ts';

const workloads = ofKind(upstream.constrained(), 'DaemonSet').map((manifest) => manifest.object);
const reviewer = { kind: 'ServiceAccount', name: 'reviewer', namespace: 'default' };

/** One ClusterRole bound to `subject` in `namespace` (a RoleBinding) or cluster-wide. */
const grant = (name: string, rules: Record<string, unknown>[], subject: Record<string, unknown>, namespace?: string) => [
  clusterRole(name, rules),
  namespace
    ? bind('RoleBinding', name, { kind: 'ClusterRole', name }, [subject], namespace)
    : bind('ClusterRoleBinding', name, { kind: 'ClusterRole', name }, [subject]),
];
const create = (resource: string, group = '') => [{ apiGroups: [group], resources: [resource], verbs: ['create'] }];

const ask = (extra: Record<string, unknown>[]) =>
  whoElseCanLie({
    rbac: rbacFrom(upstream.constrained(), extra),
    gate: 'enabled',
    workloads,
    otherNode: 'node-b',
    reporters: [{ namespace: 'kube-system', name: 'cni-reporter' }],
  });

/** Each named subject: its capabilities, and its unassessed entries as "text: source[, held by identity]". */
const named = (extra: Record<string, unknown>[]) =>
  ask(extra).map(({ subject, reached, unassessed }) => [
    subject,
    reached.map((entry) => entry.capability),
    unassessed.flatMap((ledger) =>
      ledger.entries.map((entry) => `${entry.text}: ${entry.source}${ledger.via.length > 0 ? `, held by ${ledger.identity}` : ''}`),
    ),
  ]);

describe('whoElseCanLie: subjects the search cannot clear', () => {
  const cases: [string, Record<string, unknown>[], [string, string[], string[]][]][] = [
    ["NRC's hardened example: no one", [], []],
    [
      'a bystander that may create ConfigMaps, which no class walks, is named with the grant',
      grant('reviewer', create('configmaps'), reviewer, 'default'),
      [['ServiceAccount default/reviewer', [], ['create configmaps in default: RoleBinding default/reviewer → ClusterRole reviewer']]],
    ],
    [
      'its nearest twin, which may create Events (inert: nothing decides readiness from them), is not named',
      grant('reviewer', create('events'), reviewer, 'default'),
      [],
    ],
    [
      'a read that starts no path but is not inert (a shell through pods/exec) is named',
      grant('exec-reader', [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] }], reviewer, 'default'),
      [['ServiceAccount default/reviewer', [], ['get pods/exec in default: RoleBinding default/exec-reader → ClusterRole exec-reader']]],
    ],
    [
      "an unassessed grant held by an identity the subject impersonates counts as the subject's",
      [
        ...grant(
          'impersonate-helper',
          [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: ['helper'] }],
          reviewer,
          'default',
        ),
        ...grant('helper', create('configmaps'), { kind: 'ServiceAccount', name: 'helper', namespace: 'default' }, 'default'),
      ],
      [
        [
          'ServiceAccount default/reviewer',
          [],
          ['create configmaps in default: RoleBinding default/helper → ClusterRole helper, held by ServiceAccount default/helper'],
        ],
        ['ServiceAccount default/helper', [], ['create configmaps in default: RoleBinding default/helper → ClusterRole helper']],
      ],
    ],
    [
      'a subject with a path is named for the path alone',
      [
        ...grant('ops', [{ apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] }, ...create('configmaps')], {
          kind: 'User',
          name: 'alice',
          apiGroup: 'rbac.authorization.k8s.io',
        }),
      ],
      [['User alice', ['forge-other-node-conditions'], []]],
    ],
    [
      "the reporters' own unassessed grants are their findings, and the cluster's machinery is trusted",
      [
        ...grant('reporter-extra', create('configmaps'), cniReporterSubject, 'kube-system'),
        clusterRole('system:controller:configmap-maker', create('configmaps')),
        bind(
          'ClusterRoleBinding',
          'system:controller:configmap-maker',
          { kind: 'ClusterRole', name: 'system:controller:configmap-maker' },
          [{ kind: 'ServiceAccount', name: 'configmap-maker', namespace: 'kube-system' }],
        ),
      ],
      [],
    ],
  ];
  for (const [name, extra, expected] of cases) it(name, () => assert.deepEqual(named(extra), expected));
});

describe('verification: the others-unassessed finding', () => {
  const facts = { gitVersion: 'v1.36.3', featureMetric: 1 } as const;
  const findingsFor = (extra: Record<string, unknown>[]) =>
    verification({
      facts,
      assessments: [],
      rules: [],
      nodes: [],
      notes: [],
      paths: { rbac: rbacFrom(extra), workloads, gate: 'enabled', otherNode: 'node-b', namespaces: null },
    }).findings.filter((finding) => finding.id.startsWith('others-'));

  it('warns, names the subject, and lists each entry with its binding and role', () => {
    const [finding, ...rest] = findingsFor(grant('reviewer', create('configmaps'), reviewer, 'default'));
    assert.equal(rest.length, 0);
    assert.equal(finding?.id, 'others-unassessed');
    assert.equal(finding?.severity, 'warn');
    assert.equal(
      finding?.title,
      'ServiceAccount default/reviewer, not a reporter, holds 1 permission(s) no escalation class walks: whether it can lie about a node is not assessed',
    );
    assert.equal(finding?.evidence.length, 1);
    assert.match(finding!.evidence[0]!, /^create configmaps in default: RoleBinding default\/reviewer → ClusterRole reviewer: /);
    assert.deepEqual(
      finding?.objects?.map((ref) => `${ref.kind}/${ref.name}`),
      ['RoleBinding/reviewer', 'ClusterRole/reviewer'],
    );
  });

  it('shows ten entries of a large role and counts the rest', () => {
    const resources = Array.from({ length: 14 }, (_, index) => `widgets${index}`);
    const [finding] = findingsFor(
      grant('widget-maker', [{ apiGroups: ['example.com'], resources, verbs: ['create'] }], reviewer, 'default'),
    );
    assert.match(finding!.title, /holds 14 permission\(s\)/);
    assert.equal(finding?.evidence.length, 11);
    assert.equal(finding?.evidence.at(-1), 'and 4 more');
    assert.equal(finding?.objects?.length, 2);
  });

  it('a proven liar stays a fail under others-can-lie', () => {
    const findings = findingsFor(
      grant('ops', [{ apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] }], {
        kind: 'User',
        name: 'alice',
        apiGroup: 'rbac.authorization.k8s.io',
      }),
    );
    assert.deepEqual(
      findings.map((finding) => [finding.id, finding.severity]),
      [['others-can-lie', 'fail']],
    );
  });
});
