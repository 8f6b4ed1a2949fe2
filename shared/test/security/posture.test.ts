import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import {
  answerPostureQuestions,
  assessReporter,
  discoverReporters,
  postureQuestions,
  rbacAnswerer,
  remediationFor,
  type Posture,
  type RbacObjects,
  type Reporter,
} from '../../src/index.ts';
import { ofKind } from '../fixtures.ts';
import { arbitraryNode, bind, clusterRole, cniReporterSubject, legacyImpersonator, rbacFrom, upstream } from '../rbac-fixtures.ts';
import { FUZZ_RUNS } from '../fuzz-runs.ts';

const nodes = { ownNode: 'node-a', otherNode: 'node-b' };

function reporterFrom(manifests: ReturnType<typeof upstream.constrained>): Reporter {
  const workloads = ofKind(manifests, 'DaemonSet').map((manifest) => manifest.object);
  return discoverReporters(workloads, []).reporters[0]!;
}

const hardenedReporter = reporterFrom(upstream.constrained());
const broadReporter = reporterFrom(upstream.broad());
const npdReporter = reporterFrom(upstream.npd());
const falcoReporter: Reporter = {
  ...broadReporter,
  workload: { kind: 'DaemonSet', namespace: 'falco', name: 'falco' },
  container: 'falco',
  serviceAccount: { namespace: 'falco', name: 'falco' },
};
const withoutEnv: Reporter = { ...hardenedReporter, impersonatesNode: false };

function assess(reporter: Reporter, rbac: RbacObjects) {
  const answers = answerPostureQuestions(postureQuestions(reporter.serviceAccount, nodes), rbacAnswerer(rbac));
  return assessReporter(reporter, { answers, rbac, nodes });
}

const extraVerbs = [
  clusterRole('extra-verbs', [
    { apiGroups: [''], resources: ['nodes'], verbs: ['impersonate-on:associated-node:patch', 'impersonate-on:associated-node:delete'] },
  ]),
  bind('ClusterRoleBinding', 'extra-verbs', { kind: 'ClusterRole', name: 'extra-verbs' }, [cniReporterSubject]),
];
/** The hardened roles with patch where NRC's reporter needs update. */
const patchInsteadOfUpdate = [
  clusterRole('node-impersonator', [
    { apiGroups: ['authentication.k8s.io'], resources: ['nodes'], verbs: ['impersonate:associated-node'] },
  ]),
  clusterRole('status-patcher', [
    { apiGroups: [''], resources: ['nodes'], verbs: ['impersonate-on:associated-node:get'] },
    { apiGroups: [''], resources: ['nodes/status'], verbs: ['impersonate-on:associated-node:patch'] },
  ]),
  bind('ClusterRoleBinding', 'node-impersonator', { kind: 'ClusterRole', name: 'node-impersonator' }, [cniReporterSubject]),
  bind('ClusterRoleBinding', 'status-patcher', { kind: 'ClusterRole', name: 'status-patcher' }, [cniReporterSubject]),
];
const patchOnTop = [
  clusterRole('status-patch-too', [{ apiGroups: [''], resources: ['nodes/status'], verbs: ['impersonate-on:associated-node:patch'] }]),
  bind('ClusterRoleBinding', 'status-patch-too', { kind: 'ClusterRole', name: 'status-patch-too' }, [cniReporterSubject]),
];
const aggregatedStar = [
  clusterRole('reporter-aggregate', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], {
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-reporter': 'true' } }] },
  }),
  bind('ClusterRoleBinding', 'reporter-aggregate', { kind: 'ClusterRole', name: 'reporter-aggregate' }, [cniReporterSubject]),
];
const brokenNames = rbacFrom(
  upstream
    .constrained()
    .filter((manifest) => manifest.object['metadata'] && (manifest.object['metadata'] as { name: string }).name.includes('constrained')),
  [
    clusterRole('named-impersonator', [
      { apiGroups: ['authentication.k8s.io'], resources: ['nodes'], resourceNames: ['node-a'], verbs: ['impersonate:associated-node'] },
    ]),
    bind('ClusterRoleBinding', 'named-impersonator', { kind: 'ClusterRole', name: 'named-impersonator' }, [cniReporterSubject]),
  ],
);
const groupBroad = rbacFrom(
  upstream.broad().filter((manifest) => manifest.object['kind'] === 'ClusterRole'),
  [
    bind('ClusterRoleBinding', 'kube-system-sas', { kind: 'ClusterRole', name: 'node-status-patch-role' }, [
      { kind: 'Group', name: 'system:serviceaccounts:kube-system' },
    ]),
  ],
);
const roleBindingOnly = rbacFrom(
  upstream.constrained(),
  upstream.broad().filter((manifest) => manifest.object['kind'] === 'ClusterRole'),
  [bind('RoleBinding', 'ns-node-writer', { kind: 'ClusterRole', name: 'node-status-patch-role' }, [cniReporterSubject], 'kube-system')],
);
const podCreator = rbacFrom(upstream.constrained(), [
  clusterRole('deployer', [
    { apiGroups: [''], resources: ['pods'], verbs: ['create'] },
    { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
  ]),
  bind('RoleBinding', 'ci-deployer', { kind: 'ClusterRole', name: 'deployer' }, [{ kind: 'User', name: 'ci-bot' }], 'kube-system'),
  bind('ClusterRoleBinding', 'admins', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'Group', name: 'platform-admins' }]),
  clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
  clusterRole('system:controller:daemon-set-controller', [{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete'] }]),
  bind(
    'ClusterRoleBinding',
    'system:controller:daemon-set-controller',
    { kind: 'ClusterRole', name: 'system:controller:daemon-set-controller' },
    [{ kind: 'ServiceAccount', name: 'daemon-set-controller', namespace: 'kube-system' }],
  ),
]);

const scenarios: { name: string; reporter: Reporter; rbac: RbacObjects; posture: Posture; findings: string[] }[] = [
  {
    name: 'upstream constrained-impersonation',
    reporter: hardenedReporter,
    rbac: rbacFrom(upstream.constrained()),
    posture: 'constrained',
    findings: ['direct-node-write:pass', 'constrained-grants:pass', 'impersonate-node-env:pass'],
  },
  {
    name: 'upstream cni-readiness (broad ClusterRole)',
    reporter: broadReporter,
    rbac: rbacFrom(upstream.broad()),
    posture: 'broad',
    findings: ['direct-node-write:fail', 'direct-node-read:info'],
  },
  {
    name: 'upstream npd variant',
    reporter: npdReporter,
    rbac: rbacFrom(upstream.npd()),
    posture: 'broad',
    findings: ['direct-node-write:fail'],
  },
  {
    name: 'upstream falco variant',
    reporter: falcoReporter,
    rbac: rbacFrom(upstream.falco()),
    posture: 'broad',
    findings: ['direct-node-write:fail'],
  },
  {
    name: 'legacy impersonate on users and groups',
    reporter: hardenedReporter,
    rbac: rbacFrom(upstream.constrained(), legacyImpersonator),
    posture: 'legacy-impersonation',
    findings: ['legacy-impersonation:fail', 'impersonation-verbs:warn'],
  },
  {
    name: 'impersonate:arbitrary-node',
    reporter: hardenedReporter,
    rbac: rbacFrom(upstream.constrained(), arbitraryNode),
    posture: 'arbitrary-node',
    findings: ['arbitrary-node-impersonation:fail', 'impersonation-verbs:warn'],
  },
  {
    name: 'a * verb via an aggregated role',
    reporter: hardenedReporter,
    rbac: rbacFrom(upstream.constrained(), aggregatedStar),
    posture: 'broad',
    findings: ['direct-node-write:fail', 'legacy-impersonation:fail', 'arbitrary-node-impersonation:fail', 'wildcard-grant:fail'],
  },
  {
    name: 'a broad grant through the system:serviceaccounts:kube-system group',
    reporter: broadReporter,
    rbac: groupBroad,
    posture: 'broad',
    findings: ['direct-node-write:fail'],
  },
  {
    name: 'a RoleBinding to a node-writing ClusterRole is not node rights',
    reporter: hardenedReporter,
    rbac: roleBindingOnly,
    posture: 'constrained',
    findings: ['direct-node-write:pass'],
  },
  {
    name: 'resourceNames on associated-node',
    reporter: hardenedReporter,
    rbac: brokenNames,
    posture: 'misconfigured',
    findings: ['constrained-grants:fail', 'impersonate-node-env:fail', 'ineffective-resource-names:warn'],
  },
  {
    name: 'IMPERSONATE_NODE missing',
    reporter: withoutEnv,
    rbac: rbacFrom(upstream.constrained()),
    posture: 'misconfigured',
    findings: ['impersonate-node-env:fail'],
  },
  {
    name: 'extra impersonate-on verbs',
    reporter: hardenedReporter,
    rbac: rbacFrom(upstream.constrained(), extraVerbs),
    posture: 'over-privileged',
    findings: ['extra-impersonate-on-verbs:warn'],
  },
  {
    name: 'patch of its own status besides update is the same power',
    reporter: hardenedReporter,
    rbac: rbacFrom(upstream.constrained(), patchOnTop),
    posture: 'constrained',
    findings: ['constrained-grants:pass'],
  },
  {
    name: "patch of its own status instead of update: NRC's reporter (a PUT) cannot report",
    reporter: hardenedReporter,
    rbac: rbacFrom(patchInsteadOfUpdate),
    posture: 'misconfigured',
    findings: ['constrained-grants:fail', 'impersonate-node-env:fail'],
  },
  {
    name: 'others can create pods and mint tokens in the reporter namespace',
    reporter: hardenedReporter,
    rbac: podCreator,
    posture: 'constrained',
    findings: ['token-minting:warn', 'pod-creation:warn'],
  },
];

describe('reporter posture and findings', () => {
  for (const scenario of scenarios) {
    it(`${scenario.name} → ${scenario.posture}`, () => {
      const { posture, reasons, findings } = assess(scenario.reporter, scenario.rbac);
      assert.equal(posture, scenario.posture, reasons.join('; '));
      const got = findings.map((finding) => `${finding.id}:${finding.severity}`);
      for (const expected of scenario.findings) assert.ok(got.includes(expected), `missing ${expected} in ${got.join(', ')}`);
    });
  }

  it('every finding carries an id, a title and evidence or a remediation where it is not a pass', () => {
    for (const scenario of scenarios) {
      for (const finding of assess(scenario.reporter, scenario.rbac).findings) {
        assert.match(finding.id, /^[a-z][a-z-]+$/);
        assert.ok(finding.title.length > 0);
        if (finding.severity === 'fail' || finding.severity === 'warn') assert.ok(finding.remediation.length > 0, finding.id);
      }
    }
  });

  it('cites the binding and role behind a broad grant', () => {
    const finding = assess(broadReporter, rbacFrom(upstream.broad())).findings.find((entry) => entry.id === 'direct-node-write')!;
    assert.ok(
      finding.evidence.includes(
        'ClusterRoleBinding calico-node-status-patch-binding → ClusterRole node-status-patch-role: verbs=[patch,update] resources=[nodes/status]',
      ),
    );
  });

  it('names the escalation subjects, but not cluster-admin or the bootstrap controller bindings', () => {
    const finding = assess(hardenedReporter, podCreator).findings.find((entry) => entry.id === 'pod-creation')!;
    assert.equal(finding.evidence.length, 1);
    assert.match(finding.evidence[0]!, /^User ci-bot: RoleBinding ci-deployer in kube-system/);
  });

  it('is unverified, naming what is missing, without answers', () => {
    const { posture, reasons } = assessReporter(hardenedReporter, { answers: new Map(), nodes });
    assert.equal(posture, 'unverified');
    assert.match(reasons.join(), /associated-identity/);
  });

  it('says when results come from RBAC objects only', () => {
    assert.ok(assess(hardenedReporter, rbacFrom(upstream.constrained())).findings.some((finding) => finding.id === 'answers-from-rbac'));
  });
});

describe('posture properties', () => {
  const privilege: Record<Posture, number> = {
    misconfigured: 0,
    unverified: 0,
    constrained: 1,
    unassessed: 1.5,
    'over-privileged': 2,
    'arbitrary-node': 3,
    escalation: 3,
    'legacy-impersonation': 3,
    broad: 3,
  };
  const roles = [
    ...upstream
      .constrained()
      .filter((manifest) => manifest.object['kind'] === 'ClusterRole')
      .map((manifest) => manifest.object),
    ...upstream
      .broad()
      .filter((manifest) => manifest.object['kind'] === 'ClusterRole')
      .map((manifest) => manifest.object),
    legacyImpersonator[0]!,
    arbitraryNode[0]!,
    extraVerbs[0]!,
    aggregatedStar[0]!,
    clusterRole('named-impersonator', [
      { apiGroups: ['authentication.k8s.io'], resources: ['nodes'], resourceNames: ['node-a'], verbs: ['impersonate:associated-node'] },
    ]),
  ];
  const roleNames = roles.map((role) => (role['metadata'] as { name: string }).name);
  const subject = fc.constantFrom<Record<string, unknown>>(
    cniReporterSubject,
    { kind: 'Group', name: 'system:serviceaccounts' },
    { kind: 'Group', name: 'system:authenticated' },
    { kind: 'ServiceAccount', name: 'other', namespace: 'kube-system' },
  );
  const binding = fc.record({
    kind: fc.constantFrom('ClusterRoleBinding' as const, 'RoleBinding' as const),
    role: fc.constantFrom(...roleNames),
    subject,
  });
  const toObjects = (bindings: { kind: 'ClusterRoleBinding' | 'RoleBinding'; role: string; subject: Record<string, unknown> }[]) =>
    rbacFrom(
      roles,
      bindings.map((entry, index) =>
        bind(
          entry.kind,
          `b${index}`,
          { kind: 'ClusterRole', name: entry.role },
          [entry.subject],
          entry.kind === 'RoleBinding' ? 'kube-system' : undefined,
        ),
      ),
    );

  it('adding a binding never makes a posture stricter', () => {
    fc.assert(
      fc.property(fc.array(binding, { maxLength: 5 }), binding, fc.boolean(), (bindings, added, impersonates) => {
        const reporter = { ...hardenedReporter, impersonatesNode: impersonates };
        const before = classify(reporter, toObjects(bindings));
        const after = classify(reporter, toObjects([...bindings, added]));
        assert.ok(privilege[after] >= privilege[before], `${before} → ${after}`);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('removing all bindings leaves no rights', () => {
    fc.assert(
      fc.property(fc.boolean(), (impersonates) => {
        const rbac = toObjects([]);
        const answers = answerPostureQuestions(postureQuestions(hardenedReporter.serviceAccount, nodes), rbacAnswerer(rbac));
        assert.ok([...answers.values()].every((answer) => answer?.allowed === false));
        assert.equal(classify({ ...hardenedReporter, impersonatesNode: impersonates }, rbac), 'misconfigured');
      }),
      { numRuns: 10 },
    );
  });
});

describe('remediationFor', () => {
  it('emits the roles shaped as in the NRC guide, named after the ServiceAccount, and the env patch', () => {
    const remediation = remediationFor(broadReporter, ['ClusterRoleBinding calico-node-status-patch-binding']);
    assert.match(remediation.rbacYaml, /name: cni-reporter-node-impersonator/);
    assert.match(remediation.rbacYaml, /- impersonate:associated-node/);
    assert.match(remediation.rbacYaml, /- impersonate-on:associated-node:update/);
    assert.match(remediation.rbacYaml, /# {3}ClusterRoleBinding calico-node-status-patch-binding/);
    assert.match(remediation.workloadPatchYaml, /name: IMPERSONATE_NODE\n\s+value: "true"/);
    assert.equal(remediation.patchCommand, 'kubectl -n kube-system patch daemonset cni-reporter --patch-file reporter-env-patch.yaml');
  });

  it('the generated RBAC classifies as constrained', () => {
    const objects = parseAllDocuments(remediationFor(broadReporter).rbacYaml).map(
      (document) => document.toJSON() as Record<string, unknown>,
    );
    assert.equal(classify(hardenedReporter, rbacFrom(objects)), 'constrained');
  });
});

function classify(reporter: Reporter, rbac: RbacObjects): Posture {
  return assessReporter(reporter, {
    answers: answerPostureQuestions(postureQuestions(reporter.serviceAccount, nodes), rbacAnswerer(rbac)),
    rbac,
    nodes,
  }).posture;
}

describe('gate awareness', () => {
  it('constrained grants on a cluster with the gate off leave the reporter misconfigured', () => {
    const answers = answerPostureQuestions(
      postureQuestions(hardenedReporter.serviceAccount, nodes),
      rbacAnswerer(rbacFrom(upstream.constrained())),
    );
    const { posture, reasons, findings } = assessReporter(hardenedReporter, { answers, nodes, gate: 'disabled' });
    assert.equal(posture, 'misconfigured');
    assert.match(reasons.join(), /ConstrainedImpersonation is disabled/);
    assert.equal(findings.find((finding) => finding.id === 'impersonate-node-env')?.severity, 'fail');
  });
});

describe('bindings to remove', () => {
  const cases: { name: string; reporter: Reporter; rbac: RbacObjects; bindings: string[] }[] = [
    {
      name: 'the broad CNI binding',
      reporter: broadReporter,
      rbac: rbacFrom(upstream.broad()),
      bindings: ['ClusterRoleBinding calico-node-status-patch-binding'],
    },
    {
      name: 'the legacy impersonation binding',
      reporter: hardenedReporter,
      rbac: rbacFrom(upstream.constrained(), legacyImpersonator),
      bindings: ['ClusterRoleBinding legacy-impersonator'],
    },
    { name: 'nothing for the constrained example', reporter: hardenedReporter, rbac: rbacFrom(upstream.constrained()), bindings: [] },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const answers = answerPostureQuestions(postureQuestions(testCase.reporter.serviceAccount, nodes), rbacAnswerer(testCase.rbac));
      assert.deepEqual(assessReporter(testCase.reporter, { answers, rbac: testCase.rbac, nodes }).bindingsToRemove, testCase.bindings);
    });
  }

  it('are named even when the apiserver, not RBAC objects, answered the reviews', () => {
    const rbac = rbacFrom(upstream.broad());
    const fromRbac = rbacAnswerer(rbac);
    const answers = answerPostureQuestions(postureQuestions(broadReporter.serviceAccount, nodes), (question) => ({
      allowed: fromRbac(question).allowed,
    }));
    assert.deepEqual(assessReporter(broadReporter, { answers, rbac, nodes }).bindingsToRemove, [
      'ClusterRoleBinding calico-node-status-patch-binding',
    ]);
  });
});
