import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canAccessPath,
  describeGrant,
  grantsFor,
  indexRbac,
  serviceAccountUser,
  whoCan,
  type ResourceAttributes,
} from '../../src/index.ts';
import { bind, clusterRole, cniReporterSubject, rbacFrom, upstream } from '../rbac-fixtures.ts';

const reporter = serviceAccountUser('kube-system', 'cni-reporter');
const updateStatus: ResourceAttributes = { verb: 'update', group: '', resource: 'nodes', subresource: 'status', name: 'node-b' };

describe('serviceAccountUser', () => {
  it('carries the username and the three groups a ServiceAccount token authenticates with', () => {
    assert.deepEqual(reporter, {
      username: 'system:serviceaccount:kube-system:cni-reporter',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
    });
  });
});

describe('grantsFor', () => {
  const star = clusterRole('star', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
  const cases: { name: string; rbac: ReturnType<typeof rbacFrom>; attributes: ResourceAttributes; granted: boolean; role?: string }[] = [
    {
      name: 'the broad CNI role grants update nodes/status on any node',
      rbac: rbacFrom(upstream.broad()),
      attributes: updateStatus,
      granted: true,
      role: 'node-status-patch-role',
    },
    {
      name: 'the broad CNI role grants get nodes',
      rbac: rbacFrom(upstream.broad()),
      attributes: { verb: 'get', group: '', resource: 'nodes', name: 'x' },
      granted: true,
    },
    {
      name: 'the broad CNI role does not grant update on the node spec',
      rbac: rbacFrom(upstream.broad()),
      attributes: { verb: 'update', group: '', resource: 'nodes', name: 'x' },
      granted: false,
    },
    {
      name: 'the constrained roles grant no direct node right',
      rbac: rbacFrom(upstream.constrained()),
      attributes: updateStatus,
      granted: false,
    },
    {
      name: 'the constrained roles grant impersonate-on:associated-node:update on nodes/status',
      rbac: rbacFrom(upstream.constrained()),
      attributes: { ...updateStatus, verb: 'impersonate-on:associated-node:update' },
      granted: true,
      role: 'node-status-patcher-constrained',
    },
    {
      name: 'impersonate-on:associated-node:patch is not granted',
      rbac: rbacFrom(upstream.constrained()),
      attributes: { ...updateStatus, verb: 'impersonate-on:associated-node:patch' },
      granted: false,
    },
    {
      name: 'impersonate:associated-node on nodes.authentication.k8s.io "*"',
      rbac: rbacFrom(upstream.constrained()),
      attributes: { verb: 'impersonate:associated-node', group: 'authentication.k8s.io', resource: 'nodes', name: '*' },
      granted: true,
      role: 'node-readiness-impersonator',
    },
    {
      name: 'a * verb also grants every impersonate:* verb',
      rbac: rbacFrom([star, bind('ClusterRoleBinding', 'star', { kind: 'ClusterRole', name: 'star' }, [cniReporterSubject])]),
      attributes: { verb: 'impersonate:arbitrary-node', group: 'authentication.k8s.io', resource: 'nodes', name: 'node-b' },
      granted: true,
    },
    {
      name: 'a * verb also grants every impersonate-on:* verb',
      rbac: rbacFrom([star, bind('ClusterRoleBinding', 'star', { kind: 'ClusterRole', name: 'star' }, [cniReporterSubject])]),
      attributes: { ...updateStatus, verb: 'impersonate-on:arbitrary-node:update' },
      granted: true,
    },
    {
      name: 'resourceNames on impersonate:associated-node never match the "*" the apiserver asks for',
      rbac: rbacFrom([
        clusterRole('named', [
          { apiGroups: ['authentication.k8s.io'], resources: ['nodes'], resourceNames: ['node-a'], verbs: ['impersonate:associated-node'] },
        ]),
        bind('ClusterRoleBinding', 'named', { kind: 'ClusterRole', name: 'named' }, [cniReporterSubject]),
      ]),
      attributes: { verb: 'impersonate:associated-node', group: 'authentication.k8s.io', resource: 'nodes', name: '*' },
      granted: false,
    },
    {
      name: 'a RoleBinding to a node-writing ClusterRole grants no node rights',
      rbac: rbacFrom([
        ...upstream.broad().filter((manifest) => manifest.object['kind'] === 'ClusterRole'),
        bind('RoleBinding', 'ns-bound', { kind: 'ClusterRole', name: 'node-status-patch-role' }, [cniReporterSubject], 'kube-system'),
      ]),
      attributes: updateStatus,
      granted: false,
    },
    {
      name: 'a RoleBinding still grants namespaced resources in its namespace',
      rbac: rbacFrom([
        clusterRole('pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }]),
        bind('RoleBinding', 'pods', { kind: 'ClusterRole', name: 'pods' }, [cniReporterSubject], 'kube-system'),
      ]),
      attributes: { verb: 'create', group: '', resource: 'pods', namespace: 'kube-system' },
      granted: true,
    },
    {
      name: 'a group binding to system:serviceaccounts:kube-system reaches the reporter',
      rbac: rbacFrom([
        ...upstream.broad().filter((manifest) => manifest.object['kind'] === 'ClusterRole'),
        bind('ClusterRoleBinding', 'all-kube-system', { kind: 'ClusterRole', name: 'node-status-patch-role' }, [
          { kind: 'Group', name: 'system:serviceaccounts:kube-system', apiGroup: 'rbac.authorization.k8s.io' },
        ]),
      ]),
      attributes: updateStatus,
      granted: true,
    },
    {
      name: 'a ServiceAccount subject in another namespace does not match',
      rbac: rbacFrom([
        ...upstream.broad().filter((manifest) => manifest.object['kind'] === 'ClusterRole'),
        bind('ClusterRoleBinding', 'other', { kind: 'ClusterRole', name: 'node-status-patch-role' }, [
          { ...cniReporterSubject, namespace: 'default' },
        ]),
      ]),
      attributes: updateStatus,
      granted: false,
    },
    {
      name: '*/status grants the status subresource of every resource',
      rbac: rbacFrom([
        clusterRole('any-status', [{ apiGroups: [''], resources: ['*/status'], verbs: ['update'] }]),
        bind('ClusterRoleBinding', 'any-status', { kind: 'ClusterRole', name: 'any-status' }, [cniReporterSubject]),
      ]),
      attributes: updateStatus,
      granted: true,
    },
    {
      name: 'a ClusterRoleBinding to a Role is ignored',
      rbac: rbacFrom([bind('ClusterRoleBinding', 'bad', { kind: 'Role', name: 'x' }, [cniReporterSubject])]),
      attributes: updateStatus,
      granted: false,
    },
    {
      name: 'an aggregated ClusterRole counts with the rules the apiserver filled in',
      rbac: rbacFrom([
        clusterRole('aggregated', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], {
          aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-reporter': 'true' } }] },
        }),
        bind('ClusterRoleBinding', 'aggregated', { kind: 'ClusterRole', name: 'aggregated' }, [cniReporterSubject]),
      ]),
      attributes: updateStatus,
      granted: true,
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const grants = grantsFor(indexRbac(testCase.rbac), reporter, testCase.attributes);
      assert.equal(grants.length > 0, testCase.granted, grants.map(describeGrant).join('\n'));
      if (testCase.role) assert.equal(grants[0]!.role.name, testCase.role);
    });
  }

  it('cites the binding, role and rule behind a grant', () => {
    const [grant] = grantsFor(indexRbac(rbacFrom(upstream.broad())), reporter, updateStatus);
    assert.equal(
      describeGrant(grant!),
      'ClusterRoleBinding calico-node-status-patch-binding → ClusterRole node-status-patch-role: verbs=[patch,update] resources=[nodes/status]',
    );
  });
});

describe('whoCan', () => {
  it('lists every subject holding a permission, with the grant', () => {
    const rbac = rbacFrom(upstream.broad(), upstream.npd(), upstream.falco());
    const subjects = whoCan(indexRbac(rbac), updateStatus).map(
      (grant) => `${grant.subject.kind}/${grant.subject.namespace ?? ''}/${grant.subject.name}`,
    );
    assert.deepEqual(subjects.sort(), [
      'ServiceAccount/falco/falco',
      'ServiceAccount/falco/node-problem-detector',
      'ServiceAccount/kube-system/cni-reporter',
    ]);
  });
});

describe('nonResourceURLs', () => {
  const monitoring = rbacFrom([
    clusterRole('metrics-reader', [{ nonResourceURLs: ['/metrics', '/debug/*'], verbs: ['get'] }]),
    bind('ClusterRoleBinding', 'metrics-reader', { kind: 'ClusterRole', name: 'metrics-reader' }, [
      { kind: 'Group', name: 'system:authenticated' },
    ]),
  ]);
  const cases: [string, string, boolean][] = [
    ['get', '/metrics', true],
    ['get', '/debug/pprof/heap', true],
    ['post', '/metrics', false],
    ['get', '/version', false],
  ];
  for (const [verb, path, allowed] of cases) {
    it(`${verb} ${path} → ${allowed}`, () => assert.equal(canAccessPath(indexRbac(monitoring), reporter, verb, path), allowed));
  }
});
