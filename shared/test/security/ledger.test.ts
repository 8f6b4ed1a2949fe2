import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  answerPostureQuestions,
  assessReporter,
  classifyEntry,
  discoverReporters,
  ledgerOf,
  postureQuestions,
  rbacAnswerer,
  reachedLedgers,
  readinessAnswer,
  searchEscalationPaths,
  serviceAccountUser,
  unassessedOf,
  sortManifests,
  NEWEST_KNOWN_RELEASE,
  type LedgerEntry,
  type RbacObjects,
} from '../../src/index.ts';
import { ofKind } from '../fixtures.ts';
import { bind, clusterRole, cniReporterSubject, rbacFrom, upstream } from '../rbac-fixtures.ts';

// Every known release's built-in roles must leave the hardened example Constrained: the newest stands for them here, the release matrix checks each.
const builtins = JSON.parse(
  readFileSync(new URL(`../../../kubectl-plugin/src/offline/builtin-rbac-${NEWEST_KNOWN_RELEASE}.json`, import.meta.url), 'utf8'),
) as {
  clusterroles: unknown[];
  clusterrolebindings: unknown[];
  roles: unknown[];
  rolebindings: unknown[];
};
const builtinRbac: RbacObjects = {
  clusterRoles: builtins.clusterroles,
  clusterRoleBindings: builtins.clusterrolebindings,
  roles: builtins.roles,
  roleBindings: builtins.rolebindings,
};
const reporterUser = serviceAccountUser('kube-system', 'cni-reporter');
const nodes = { ownNode: 'node-a', otherNode: 'node-b' };
const hardenedReporter = discoverReporters(
  ofKind(upstream.constrained(), 'DaemonSet').map((manifest) => manifest.object),
  [],
).reporters[0]!;

/** The hardened example as `verify -f` sees it: its manifests over the built-in roles and bindings. */
function hardenedWith(...extra: Record<string, unknown>[]): RbacObjects {
  return sortManifests([...upstream.constrained().map((manifest) => manifest.object), ...extra], builtinRbac).rbac;
}

function assess(rbac: RbacObjects, workloads: unknown[] = []) {
  const answers = answerPostureQuestions(postureQuestions(hardenedReporter.serviceAccount, nodes), rbacAnswerer(rbac));
  return assessReporter(hardenedReporter, { answers, rbac, nodes, gate: 'enabled', workloads });
}

const entry = (fields: Partial<LedgerEntry>): LedgerEntry => ({
  verb: 'get',
  apiGroup: '',
  resource: 'configmaps',
  subresource: '',
  namespace: null,
  resourceNames: null,
  binding: { kind: 'ClusterRoleBinding', name: 'b' },
  role: { kind: 'ClusterRole', name: 'r' },
  ...fields,
});

describe('the ledger of the hardened example', () => {
  it('with the built-in roles is all inert, and the reporter Constrained with no unassessed finding', () => {
    const rbac = hardenedWith();
    const ledger = ledgerOf(rbac, reporterUser);
    assert.deepEqual(
      ledger.filter((line) => line.class !== 'inert').map((line) => line.text),
      [],
    );
    assert.ok(ledger.some((line) => line.verb === 'impersonate-on:associated-node:update'));
    const assessment = assess(rbac);
    assert.equal(assessment.posture, 'constrained');
    assert.equal(
      assessment.findings.find((finding) => finding.id === 'unassessed-permissions'),
      undefined,
    );
    assert.deepEqual(
      assessment.ledger?.map((identity) => identity.identity),
      ["ServiceAccount kube-system/cni-reporter (the reporter's token)"],
    );
  });

  it('plus one unassessed grant is "Unassessed permissions", with the grant, its binding and role in a fail finding', () => {
    const rbac = hardenedWith(
      clusterRole('lease-writer', [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['update'] }]),
      bind('ClusterRoleBinding', 'reporter-leases', { kind: 'ClusterRole', name: 'lease-writer' }, [cniReporterSubject]),
    );
    const assessment = assess(rbac);
    assert.equal(assessment.posture, 'unassessed');
    const finding = assessment.findings.find((candidate) => candidate.id === 'unassessed-permissions');
    assert.equal(finding?.severity, 'fail');
    assert.deepEqual(finding?.evidence, [
      "update leases.coordination.k8s.io cluster-wide: ClusterRoleBinding reporter-leases → ClusterRole lease-writer: leases hold controllers' leadership and nodes' heartbeats: taking one stops a controller or marks a node lost",
    ]);
    assert.deepEqual(finding?.objects?.slice(0, 2), [
      { kind: 'ClusterRoleBinding', name: 'reporter-leases' },
      { kind: 'ClusterRole', name: 'lease-writer' },
    ]);
  });

  it('an unassessed grant of an identity the token reaches counts, named with the path to it', () => {
    const rbac = hardenedWith(
      clusterRole('minter', [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'], resourceNames: ['builder'] }]),
      bind('RoleBinding', 'reporter-mints', { kind: 'ClusterRole', name: 'minter' }, [cniReporterSubject], 'team-a'),
      clusterRole('exec-er', [{ apiGroups: [''], resources: ['pods/attach'], verbs: ['create'] }]),
      bind(
        'RoleBinding',
        'builder-exec',
        { kind: 'ClusterRole', name: 'exec-er' },
        [{ kind: 'ServiceAccount', name: 'builder', namespace: 'team-a' }],
        'team-a',
      ),
    );
    const assessment = assess(rbac);
    assert.equal(assessment.posture, 'unassessed');
    const own = assessment.ledger![0]!;
    assert.equal(own.entries.find((line) => line.resource === 'serviceaccounts')?.class, 'modelled');
    const evidence = assessment.findings.find((finding) => finding.id === 'unassessed-permissions')?.evidence ?? [];
    assert.equal(evidence.length, 1);
    assert.match(
      evidence[0]!,
      /^create pods\/attach in team-a: RoleBinding team-a\/builder-exec → ClusterRole exec-er, held by ServiceAccount team-a\/builder \(mint a token, bound to any node, for ServiceAccount team-a\/builder\)/,
    );
  });

  it('without the RBAC objects it is not Constrained: the ledger cannot be computed', () => {
    const rbac = hardenedWith();
    const answers = answerPostureQuestions(postureQuestions(hardenedReporter.serviceAccount, nodes), rbacAnswerer(rbac));
    const assessment = assessReporter(hardenedReporter, { answers, nodes, gate: 'enabled' });
    assert.equal(assessment.posture, 'unassessed');
    assert.equal(assessment.ledger, null);
    const finding = assessment.findings.find((candidate) => candidate.id === 'unassessed-permissions');
    assert.equal(finding?.severity, 'fail');
    assert.match(finding!.title, /RBAC objects were not readable/);
  });

  it('a proven escalation outranks unassessed, and the unassessed permissions are still listed', () => {
    const rbac = hardenedWith(
      clusterRole('everything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
      bind('ClusterRoleBinding', 'reporter-everything', { kind: 'ClusterRole', name: 'everything' }, [cniReporterSubject]),
    );
    const assessment = assess(rbac);
    assert.equal(assessment.posture, 'broad');
    assert.ok(assessment.findings.some((finding) => finding.id === 'unassessed-permissions'));
  });
});

describe('which rules apply to an identity', () => {
  const role = clusterRole('reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }]);
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'a ClusterRoleBinding to the ServiceAccount',
      bind('ClusterRoleBinding', 'b', { kind: 'ClusterRole', name: 'reader' }, [cniReporterSubject]),
      ['create pods cluster-wide'],
    ],
    [
      'a ClusterRoleBinding to system:serviceaccounts',
      bind('ClusterRoleBinding', 'b', { kind: 'ClusterRole', name: 'reader' }, [{ kind: 'Group', name: 'system:serviceaccounts' }]),
      ['create pods cluster-wide'],
    ],
    [
      "a RoleBinding to its namespace's group, in its namespace",
      bind(
        'RoleBinding',
        'b',
        { kind: 'ClusterRole', name: 'reader' },
        [{ kind: 'Group', name: 'system:serviceaccounts:kube-system' }],
        'kube-system',
      ),
      ['create pods in kube-system'],
    ],
    [
      'a RoleBinding to system:authenticated in another namespace',
      bind('RoleBinding', 'b', { kind: 'ClusterRole', name: 'reader' }, [{ kind: 'Group', name: 'system:authenticated' }], 'team-a'),
      ['create pods in team-a'],
    ],
    [
      "another namespace's group",
      bind('ClusterRoleBinding', 'b', { kind: 'ClusterRole', name: 'reader' }, [{ kind: 'Group', name: 'system:serviceaccounts:team-a' }]),
      [],
    ],
    [
      'another ServiceAccount of the same name',
      bind('ClusterRoleBinding', 'b', { kind: 'ClusterRole', name: 'reader' }, [
        { kind: 'ServiceAccount', name: 'cni-reporter', namespace: 'team-a' },
      ]),
      [],
    ],
  ];
  for (const [name, binding, expected] of cases)
    it(name, () => {
      assert.deepEqual(
        ledgerOf(rbacFrom([role, binding]), reporterUser).map((line) => line.text),
        expected,
      );
    });

  it('an aggregated ClusterRole holds the rules of every role its selectors match, nested and offline', () => {
    const rbac = rbacFrom([
      clusterRole('top', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/top': 'true' } }] } }),
      clusterRole('middle', [], {
        metadata: { name: 'middle', labels: { 'example.com/top': 'true' } },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/middle': 'true' } }] },
      }),
      clusterRole('leaf', [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['update'] }], {
        metadata: { name: 'leaf', labels: { 'example.com/middle': 'true' } },
      }),
      clusterRole('unlabelled', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]),
      bind('ClusterRoleBinding', 'b', { kind: 'ClusterRole', name: 'top' }, [cniReporterSubject]),
    ]);
    assert.deepEqual(
      ledgerOf(rbac, reporterUser).map((line) => `${line.text} [${line.class}]`),
      ['update leases.coordination.k8s.io cluster-wide [unassessed]'],
    );
  });

  it('expands every verb, group, resource and URL of a rule, names kept, URLs only through ClusterRoleBindings', () => {
    const rbac = rbacFrom([
      clusterRole('mixed', [
        { apiGroups: ['', 'apps'], resources: ['pods', 'deployments/scale'], verbs: ['get', 'patch'], resourceNames: ['x'] },
        { nonResourceURLs: ['/metrics'], verbs: ['get'] },
      ]),
      bind('ClusterRoleBinding', 'c', { kind: 'ClusterRole', name: 'mixed' }, [cniReporterSubject]),
      bind('RoleBinding', 'r', { kind: 'ClusterRole', name: 'mixed' }, [cniReporterSubject], 'kube-system'),
    ]);
    const texts = ledgerOf(rbac, reporterUser).map((line) => line.text);
    assert.equal(texts.length, 8 + 1 + 8);
    assert.ok(texts.includes('patch deployments.apps/scale cluster-wide (names: x)'));
    assert.ok(texts.includes('get pods in kube-system (names: x)'));
    assert.equal(texts.filter((text) => text === 'get /metrics').length, 1);
  });
});

describe('each inert row', () => {
  const inert: [string, Partial<LedgerEntry>][] = [
    ['a read of configmaps', { verb: 'list', resource: 'configmaps' }],
    ['a read of nodes', { verb: 'watch', resource: 'nodes' }],
    ['a read of a status subresource', { verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'status' }],
    ['selfsubjectaccessreviews', { verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }],
    ['selfsubjectrulesreviews', { verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectrulesreviews' }],
    ['selfsubjectreviews', { verb: 'create', apiGroup: 'authentication.k8s.io', resource: 'selfsubjectreviews' }],
    ['subjectaccessreviews', { verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'subjectaccessreviews' }],
    [
      'localsubjectaccessreviews',
      { verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'localsubjectaccessreviews', namespace: 'x' },
    ],
    ['tokenreviews', { verb: 'create', apiGroup: 'authentication.k8s.io', resource: 'tokenreviews' }],
    ['core events', { verb: 'patch', resource: 'events', namespace: 'x' }],
    ['events.k8s.io events', { verb: 'create', apiGroup: 'events.k8s.io', resource: 'events' }],
    ['discovery', { verb: 'get', resource: '', nonResourceURL: '/apis/*' }],
    ['a RoleBinding on nodes', { verb: 'update', resource: 'nodes', subresource: 'status', namespace: 'kube-system' }],
    ['impersonate:associated-node', { verb: 'impersonate:associated-node', apiGroup: 'authentication.k8s.io', resource: 'nodes' }],
    ['impersonate-on:associated-node:get nodes', { verb: 'impersonate-on:associated-node:get', resource: 'nodes' }],
    [
      'impersonate-on:associated-node:update nodes/status',
      { verb: 'impersonate-on:associated-node:update', resource: 'nodes', subresource: 'status' },
    ],
    [
      'impersonate-on:associated-node:patch nodes/status',
      { verb: 'impersonate-on:associated-node:patch', resource: 'nodes', subresource: 'status' },
    ],
  ];
  for (const [name, fields] of inert)
    it(`${name} is inert`, () => {
      const classed = classifyEntry(entry(fields));
      assert.equal(classed.class, 'inert', classed.reason);
      assert.ok(classed.reason.length > 0);
    });

  const notInert: [string, Partial<LedgerEntry>, 'modelled' | 'unassessed', RegExp][] = [
    ['a * verb', { verb: '*', resource: 'configmaps' }, 'unassessed', /wildcard/],
    ['a read of every resource', { verb: 'get', resource: '*' }, 'unassessed', /wildcard/],
    ['a read of * in a group', { verb: 'get', apiGroup: '*', resource: 'configmaps' }, 'unassessed', /wildcard/],
    ['cluster-wide Secret reads', { verb: 'list', resource: 'secrets' }, 'modelled', /secrets/],
    ['Secret reads in kube-system', { verb: 'get', resource: 'secrets', namespace: 'kube-system' }, 'modelled', /secrets/],
    ['Secret writes in kube-system', { verb: 'create', resource: 'secrets', namespace: 'kube-system' }, 'unassessed', /Secrets/],
    ['Secret reads in one other namespace', { verb: 'get', resource: 'secrets', namespace: 'team-a' }, 'modelled', /secrets/],
    ['nodes/proxy', { verb: 'get', resource: 'nodes', subresource: 'proxy' }, 'modelled', /node-proxy/],
    [
      'nodes/proxy named for one node',
      { verb: 'get', resource: 'nodes', subresource: 'proxy', resourceNames: ['node-a'] },
      'unassessed',
      /kubelet/,
    ],
    ['pods/exec by get', { verb: 'get', resource: 'pods', subresource: 'exec', namespace: 'x' }, 'unassessed', /subresources/],
    ['pods/log', { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'x' }, 'unassessed', /subresources/],
    ['creating pods', { verb: 'create', resource: 'pods', namespace: 'x' }, 'modelled', /workloads/],
    ['patching a DaemonSet', { verb: 'patch', apiGroup: 'apps', resource: 'daemonsets' }, 'modelled', /workloads/],
    [
      'updating one named CronJob',
      { verb: 'update', apiGroup: 'batch', resource: 'cronjobs', namespace: 'x', resourceNames: ['nightly'] },
      'modelled',
      /workloads/,
    ],
    ['a Deployment in the wrong group', { verb: 'create', apiGroup: 'extensions', resource: 'deployments' }, 'unassessed', /privileged/],
    [
      'scaling a Deployment',
      { verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'x' },
      'unassessed',
      /stales its conditions/,
    ],
    ['deleting pods', { verb: 'delete', resource: 'pods', namespace: 'x' }, 'unassessed', /removing a reporter's pod/],
    ['ephemeral containers', { verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers' }, 'modelled', /pod-exec/],
    ['exec', { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'x' }, 'modelled', /pod-exec/],
    ['attaching to a pod', { verb: 'create', resource: 'pods', subresource: 'attach', namespace: 'x' }, 'unassessed', /subresources/],
    ['relabelling a namespace', { verb: 'patch', resource: 'namespaces' }, 'unassessed', /Pod Security level/],
    [
      'a lease write',
      { verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' },
      'unassessed',
      /leases/,
    ],
    [
      'creating a rule',
      { verb: 'create', apiGroup: 'readiness.node.x-k8s.io', resource: 'nodereadinessrules' },
      'modelled',
      /disrupt-other-nodes/,
    ],
    [
      "writing rules' status",
      { verb: 'update', apiGroup: 'readiness.node.x-k8s.io', resource: 'nodereadinessrules', subresource: 'status' },
      'unassessed',
      /NodeReadinessRules/,
    ],
    ['deleting rules', { verb: 'delete', apiGroup: 'readiness.node.x-k8s.io', resource: 'nodereadinessrules' }, 'modelled', /change-rules/],
    ['updating a CRD', { verb: 'update', apiGroup: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' }, 'unassessed', /CRDs/],
    [
      'an admission policy',
      { verb: 'create', apiGroup: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicies' },
      'unassessed',
      /admission/,
    ],
    [
      'a mutating webhook',
      { verb: 'create', apiGroup: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' },
      'modelled',
      /webhooks/,
    ],
    [
      'binding a named role',
      { verb: 'bind', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', resourceNames: ['edit'] },
      'modelled',
      /role-binding/,
    ],
    [
      'rewriting a ClusterRoleBinding, which can also take a controller its permissions',
      { verb: 'update', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
      'unassessed',
      /RBAC/,
    ],
    ['binding any role', { verb: 'bind', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles' }, 'modelled', /role-binding/],
    ['approving for any signer', { verb: 'approve', apiGroup: 'certificates.k8s.io', resource: 'signers' }, 'unassessed', /signer/],
    [
      'approving for the plain client signer',
      { verb: 'approve', apiGroup: 'certificates.k8s.io', resource: 'signers', resourceNames: ['kubernetes.io/kube-apiserver-client'] },
      'modelled',
      /certificates/,
    ],
    [
      'approving kubelet serving certificates',
      { verb: 'approve', apiGroup: 'certificates.k8s.io', resource: 'signers', resourceNames: ['kubernetes.io/kubelet-serving'] },
      'unassessed',
      /serving certificate/,
    ],
    [
      'renewing its own node certificate',
      { verb: 'create', apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'selfnodeclient' },
      'unassessed',
      /own node certificate/,
    ],
    [
      'approving for every kubernetes.io signer',
      { verb: 'approve', apiGroup: 'certificates.k8s.io', resource: 'signers', resourceNames: ['kubernetes.io/*'] },
      'unassessed',
      /signer/,
    ],
    [
      'patching one named node',
      { verb: 'patch', resource: 'nodes', subresource: 'status', resourceNames: ['node-x'] },
      'modelled',
      /forge-other-node-conditions/,
    ],
    ['patching any node status', { verb: 'patch', resource: 'nodes', subresource: 'status' }, 'modelled', /forge-other-node-conditions/],
    ['creating nodes', { verb: 'create', resource: 'nodes' }, 'unassessed', /node/],
    [
      'impersonating userextras',
      { verb: 'impersonate', apiGroup: 'authentication.k8s.io', resource: 'userextras' },
      'unassessed',
      /impersonation/,
    ],
    ['impersonate-on:associated-node:delete', { verb: 'impersonate-on:associated-node:delete', resource: 'nodes' }, 'unassessed', /node/],
    [
      'minting tokens',
      { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'x' },
      'modelled',
      /service-accounts/,
    ],
    ['get /metrics', { verb: 'get', resource: '', nonResourceURL: '/metrics' }, 'unassessed', /non-resource/],
    ['get /debug/*', { verb: 'get', resource: '', nonResourceURL: '/debug/*' }, 'unassessed', /non-resource/],
  ];
  for (const [name, fields, expected, reason] of notInert)
    it(`${name} is ${expected}`, () => {
      const classed = classifyEntry(entry(fields));
      assert.equal(classed.class, expected, classed.reason);
      assert.match(classed.reason, reason);
    });
});

describe('a readiness question on an open ledger', () => {
  const input = (rbac: RbacObjects) => ({
    rbac,
    serviceAccount: hardenedReporter.serviceAccount,
    gate: 'enabled' as const,
    workloads: [],
    otherNode: 'node-b',
  });
  const ask = (rbac: RbacObjects) =>
    readinessAnswer(
      'lift-readiness-taints',
      hardenedReporter.serviceAccount,
      searchEscalationPaths(input(rbac)),
      null,
      unassessedOf(reachedLedgers(input(rbac))),
    );

  it('is "no" when every permission is accounted for', () => {
    const answer = ask(hardenedWith());
    assert.equal(answer.answer, 'no');
    assert.deepEqual(answer.unassessed, []);
  });

  it('is "unassessed", with the permission, when one is walked by no class', () => {
    const answer = ask(
      hardenedWith(
        clusterRole('node-creator', [{ apiGroups: [''], resources: ['nodes'], verbs: ['create'] }]),
        bind('ClusterRoleBinding', 'reporter-nodes', { kind: 'ClusterRole', name: 'node-creator' }, [cniReporterSubject]),
      ),
    );
    assert.equal(answer.allowed, false);
    assert.equal(answer.answer, 'unassessed');
    assert.deepEqual(answer.unassessed, [
      "create nodes cluster-wide: ClusterRoleBinding reporter-nodes → ClusterRole node-creator: a node's object holds its taints, labels and conditions: what readiness is decided from",
    ]);
  });

  it('is "yes" when a path is found, whatever else is unassessed', () => {
    const answer = ask(
      hardenedWith(
        clusterRole('node-writer', [{ apiGroups: [''], resources: ['nodes'], verbs: ['patch', 'create'] }]),
        bind('ClusterRoleBinding', 'reporter-nodes', { kind: 'ClusterRole', name: 'node-writer' }, [cniReporterSubject]),
      ),
    );
    assert.equal(answer.answer, 'yes');
  });
});
