// The principle behind "Constrained", as a property over random RBAC: the
// verdict is Constrained only when every permission of the reporter's token,
// and of every identity it reaches, is inert or walked by a class that found
// nothing, and the capability search over the same input finds nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  answerPostureQuestions,
  assessReporter,
  discoverReporters,
  ledgerOf,
  postureQuestions,
  rbacAnswerer,
  searchEscalationPaths,
  serviceAccountUser,
  type LedgerEntry,
  type RbacObjects,
  type SubjectAccessReviewSpec,
} from '../../src/index.ts';
import { ofKind } from '../fixtures.ts';
import { bind, clusterRole, cniReporterSubject, rbacFrom, upstream } from '../rbac-fixtures.ts';
import { FUZZ_RUNS } from '../fuzz-runs.ts';

const nodes = { ownNode: 'node-a', otherNode: 'node-b' };
const hardened = upstream.constrained();
const hardenedReporter = discoverReporters(
  ofKind(hardened, 'DaemonSet').map((manifest) => manifest.object),
  [],
).reporters[0]!;
const reporterUser = serviceAccountUser('kube-system', 'cni-reporter');

const VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  '*',
  'impersonate',
  'bind',
  'escalate',
  'approve',
  'impersonate:associated-node',
  'impersonate:arbitrary-node',
  'impersonate:serviceaccount',
  'impersonate:user-info',
  'impersonate-on:associated-node:get',
  'impersonate-on:associated-node:update',
  'impersonate-on:associated-node:patch',
  'impersonate-on:associated-node:delete',
  'impersonate-on:arbitrary-node:update',
  'impersonate-on:serviceaccount:create',
  'impersonate-on:user-info:patch',
];
const GROUPS = [
  '',
  'apps',
  'batch',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'rbac.authorization.k8s.io',
  'certificates.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'coordination.k8s.io',
  'events.k8s.io',
  'readiness.node.x-k8s.io',
  '*',
];
const RESOURCES = [
  'nodes',
  'nodes/status',
  'nodes/proxy',
  'pods',
  'pods/exec',
  'pods/log',
  'secrets',
  'configmaps',
  'events',
  'serviceaccounts',
  'serviceaccounts/token',
  'users',
  'groups',
  'uids',
  'userextras',
  'leases',
  'pods/ephemeralcontainers',
  'namespaces',
  'deployments',
  'deployments/scale',
  'daemonsets',
  'statefulsets',
  'replicasets',
  'jobs',
  'cronjobs',
  'replicationcontrollers',
  'clusterroles',
  'clusterrolebindings',
  'roles',
  'rolebindings',
  'certificatesigningrequests',
  'certificatesigningrequests/approval',
  'certificatesigningrequests/nodeclient',
  'signers',
  'mutatingwebhookconfigurations',
  'validatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
  'mutatingadmissionpolicies',
  'mutatingadmissionpolicybindings',
  'nodereadinessrules/status',
  'customresourcedefinitions',
  'nodereadinessrules',
  'selfsubjectaccessreviews',
  'subjectaccessreviews',
  'tokenreviews',
  '*',
  '*/status',
  '*/proxy',
  '*/token',
];
const NAMES = [
  'node-a',
  'node-b',
  'cluster-admin',
  'builder',
  'kubernetes.io/kube-apiserver-client-kubelet',
  'kubernetes.io/kube-apiserver-client',
  'kubernetes.io/kubelet-serving',
  'bootstrap-token-abcdef',
  'system:nodes',
  'system:node:node-b',
  'r1',
  'nodereadinessrules.readiness.node.x-k8s.io',
  'ba65f13e.readiness.node.x-k8s.io',
  'network-readiness-rule',
  '*',
];
const URLS = ['/version', '/healthz', '/metrics', '/debug/*', '/logs', '*', '/apis/*'];
const NAMESPACES = ['kube-system', 'team-a'];

const resourceRule = fc.record({
  verbs: fc.subarray(VERBS, { minLength: 1, maxLength: 3 }),
  apiGroups: fc.subarray(GROUPS, { minLength: 1, maxLength: 2 }),
  resources: fc.subarray(RESOURCES, { minLength: 1, maxLength: 3 }),
  resourceNames: fc.subarray(NAMES, { maxLength: 2 }),
});
const urlRule = fc.record({
  verbs: fc.subarray(['get', 'post', '*'], { minLength: 1, maxLength: 2 }),
  nonResourceURLs: fc.subarray(URLS, { minLength: 1, maxLength: 2 }),
});
const AGGREGATE_LABEL = 'example.com/aggregate-to-r0';
const role = fc.record({
  rules: fc.array(fc.oneof({ weight: 4, arbitrary: resourceRule }, { weight: 1, arbitrary: urlRule }), { maxLength: 2 }),
  aggregated: fc.boolean(),
  labelled: fc.boolean(),
});
const subject = fc.constantFrom<Record<string, unknown>>(
  cniReporterSubject,
  { kind: 'Group', name: 'system:serviceaccounts' },
  { kind: 'Group', name: 'system:serviceaccounts:kube-system' },
  { kind: 'Group', name: 'system:serviceaccounts:team-a' },
  { kind: 'Group', name: 'system:authenticated' },
  { kind: 'Group', name: 'system:bootstrappers' },
  { kind: 'Group', name: '*' },
  { kind: 'ServiceAccount', name: 'builder', namespace: 'team-a' },
  { kind: 'ServiceAccount', name: 'cni-reporter', namespace: 'team-a' },
  { kind: 'User', name: 'alice' },
);
const binding = fc.record({
  kind: fc.constantFrom('ClusterRoleBinding' as const, 'RoleBinding' as const),
  namespace: fc.constantFrom(...NAMESPACES),
  role: fc.nat({ max: 3 }),
  subjects: fc.array(subject, { minLength: 1, maxLength: 2 }),
});
const cluster = fc.record({
  roles: fc.array(role, { minLength: 1, maxLength: 4 }),
  bindings: fc.array(binding, { maxLength: 5 }),
  /** team-a's Pod Security enforce label; kube-system has none, the default privileged. */
  teamALevel: fc.constantFrom(null, 'privileged', 'baseline', 'restricted'),
});

type Cluster = typeof cluster extends fc.Arbitrary<infer T> ? T : never;

/** The hardened example, plus the random roles (r0 aggregating every labelled one) and bindings. */
function rbacOf({ roles, bindings }: Cluster): RbacObjects {
  const made = roles.map((spec, index) =>
    clusterRole(`r${index}`, spec.rules, {
      metadata: { name: `r${index}`, ...(spec.labelled && index > 0 ? { labels: { [AGGREGATE_LABEL]: 'true' } } : {}) },
      ...(spec.aggregated && index === 0
        ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_LABEL]: 'true' } }] } }
        : {}),
    }),
  );
  const bound = bindings.map((spec, index) =>
    bind(
      spec.kind,
      `b${index}`,
      { kind: 'ClusterRole', name: `r${Math.min(spec.role, roles.length - 1)}` },
      spec.subjects,
      spec.kind === 'RoleBinding' ? spec.namespace : undefined,
    ),
  );
  return rbacFrom(hardened, made, bound);
}

const workloads = [
  ...ofKind(hardened, 'DaemonSet').map((manifest) => manifest.object),
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'builder', namespace: 'team-a' },
    spec: { template: { spec: { serviceAccountName: 'builder', containers: [{ name: 'builder', image: 'builder' }] } } },
  },
];

const namespacesOf = ({ teamALevel }: Cluster) => [
  { kind: 'Namespace', metadata: { name: 'kube-system' } },
  {
    kind: 'Namespace',
    metadata: { name: 'team-a', ...(teamALevel ? { labels: { 'pod-security.kubernetes.io/enforce': teamALevel } } : {}) },
  },
];

function assess(rbac: RbacObjects, namespaces: unknown[]) {
  const answers = answerPostureQuestions(postureQuestions(hardenedReporter.serviceAccount, nodes), rbacAnswerer(rbac));
  return assessReporter(hardenedReporter, { answers, rbac, nodes, gate: 'enabled', workloads, namespaces });
}

/** Requests no Constrained reporter may hold: each changes readiness, or is a step no class walks. */
const FORBIDDEN: SubjectAccessReviewSpec['resourceAttributes'][] = [
  { verb: 'update', group: '', version: 'v1', resource: 'nodes', subresource: 'status', name: 'node-b' },
  { verb: 'patch', group: '', version: 'v1', resource: 'nodes', name: 'node-b' },
  { verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: 'kube-system' },
  { verb: 'create', group: '', version: 'v1', resource: 'pods', subresource: 'exec', namespace: 'kube-system', name: 'p' },
  { verb: 'create', group: '', version: 'v1', resource: 'secrets', namespace: 'kube-system' },
  { verb: 'get', group: '', version: 'v1', resource: 'nodes', subresource: 'proxy', name: 'node-b' },
  { verb: 'update', group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease', name: 'node-b' },
  { verb: 'create', group: 'readiness.node.x-k8s.io', version: 'v1alpha1', resource: 'nodereadinessrules' },
  { verb: 'deletecollection', group: 'readiness.node.x-k8s.io', version: 'v1alpha1', resource: 'nodereadinessrules' },
  { verb: 'patch', group: 'readiness.node.x-k8s.io', version: 'v1alpha1', resource: 'nodereadinessrules', name: 'network-readiness-rule' },
  {
    verb: 'delete',
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resource: 'customresourcedefinitions',
    name: 'nodereadinessrules.readiness.node.x-k8s.io',
  },
  { verb: 'update', group: '', version: 'v1', resource: 'nodes', subresource: 'status', name: 'node-a' },
  { verb: 'create', group: 'admissionregistration.k8s.io', version: 'v1', resource: 'mutatingadmissionpolicies' },
  { verb: 'update', group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', name: 'x' },
  { verb: 'create', group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicies' },
  { verb: 'approve', group: 'certificates.k8s.io', version: 'v1', resource: 'signers', name: 'kubernetes.io/kubelet-serving' },
  { verb: 'impersonate', group: 'authentication.k8s.io', version: 'v1', resource: 'userextras' },
  { verb: 'patch', group: 'apps', version: 'v1', resource: 'daemonsets', namespace: 'kube-system', name: 'cni-reporter' },
];

/** Pairs no Constrained reporter may hold together: bind alone grants nothing, with a binding it may create it is that role. */
const FORBIDDEN_TOGETHER: SubjectAccessReviewSpec['resourceAttributes'][][] = [
  [
    { verb: 'bind', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name: 'r1' },
    { verb: 'create', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings' },
  ],
  [
    { verb: 'bind', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name: 'r1', namespace: 'kube-system' },
    { verb: 'create', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', namespace: 'kube-system' },
  ],
];

/** Forbidden too where Pod Security admits a privileged pod: it reads its node's credentials. */
const FORBIDDEN_WHERE_PRIVILEGED: SubjectAccessReviewSpec['resourceAttributes'][] = [
  { verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: 'team-a' },
  { verb: 'create', group: 'batch', version: 'v1', resource: 'cronjobs', namespace: 'team-a' },
  { verb: 'patch', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'team-a', name: 'builder' },
];

/** What RBAC's matching allows for a request, read from a ledger entry: the ledger must cover every request the authorizer grants. */
function entryAllows(entry: LedgerEntry, request: SubjectAccessReviewSpec['resourceAttributes']): boolean {
  if (entry.nonResourceURL !== undefined) return false;
  const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const resource = entry.subresource ? `${entry.resource}/${entry.subresource}` : entry.resource;
  const resourceMatches =
    resource === '*' || resource === combined || (request.subresource !== undefined && resource === `*/${request.subresource}`);
  return (
    (entry.verb === '*' || entry.verb === request.verb) &&
    (entry.apiGroup === '*' || entry.apiGroup === request.group) &&
    resourceMatches &&
    (entry.namespace === null || entry.namespace === (request.namespace ?? '')) &&
    (entry.resourceNames === null || entry.resourceNames.includes(request.name ?? ''))
  );
}

/** A Constrained reporter that may bind r1 must find r1 itself inert or walked to nothing: its ledger, bound, holds nothing unassessed. */
function assertR1Inert(rbac: RbacObjects): void {
  const r1 = rbac.clusterRoles.find((role) => (role as { metadata: { name: string } }).metadata.name === 'r1');
  if (!r1) return;
  const probe = {
    ...rbac,
    clusterRoleBindings: [
      ...rbac.clusterRoleBindings,
      bind('ClusterRoleBinding', 'probe', { kind: 'ClusterRole', name: 'r1' }, [{ kind: 'User', name: 'r1-probe' }]),
    ],
  };
  for (const entry of ledgerOf(probe, { username: 'r1-probe', groups: [] }))
    assert.notEqual(entry.class, 'unassessed', `bindable r1 holds ${entry.text}`);
}

describe('the ledger principle', () => {
  it('Constrained implies no unassessed permission at any depth, nothing forbidden granted, and no capability found', () => {
    let constrained = 0;
    fc.assert(
      fc.property(cluster, (spec) => {
        const rbac = rbacOf(spec);
        const namespaces = namespacesOf(spec);
        const assessment = assess(rbac, namespaces);
        if (assessment.posture !== 'constrained') return;
        constrained++;
        for (const identity of assessment.ledger ?? assert.fail('a Constrained reporter has a ledger'))
          for (const entry of identity.entries) assert.notEqual(entry.class, 'unassessed', `${identity.identity}: ${entry.text}`);
        const reached = searchEscalationPaths({
          rbac,
          serviceAccount: hardenedReporter.serviceAccount,
          gate: 'enabled',
          workloads,
          otherNode: 'node-b',
          namespaces,
        });
        assert.deepEqual(
          reached.map((entry) => entry.capability),
          [],
        );
        const answer = rbacAnswerer(rbac);
        const privileged = spec.teamALevel !== 'baseline' && spec.teamALevel !== 'restricted';
        for (const request of [...FORBIDDEN, ...(privileged ? FORBIDDEN_WHERE_PRIVILEGED : [])]) {
          const review = { user: reporterUser.username, groups: reporterUser.groups, resourceAttributes: request };
          assert.equal(
            answer({ review }).allowed,
            false,
            `${request.verb} ${request.resource}${request.subresource ? `/${request.subresource}` : ''}`,
          );
        }
        // Binding a random role is harmless only when that role is: r1's rules are random, so a Constrained reporter must not hold both.
        for (const pair of FORBIDDEN_TOGETHER) {
          const allowed = pair.map(
            (request) =>
              answer({ review: { user: reporterUser.username, groups: reporterUser.groups, resourceAttributes: request } }).allowed,
          );
          if (allowed.every(Boolean)) assertR1Inert(rbac);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
    // Random RBAC must leave the hardened reporter Constrained often enough for the property to mean something.
    assert.ok(constrained > FUZZ_RUNS / 100, `only ${constrained} Constrained cases`);
  });

  it('the ledger holds every request the authorizer grants the reporter', () => {
    const request = fc.record({
      verb: fc.constantFrom(...VERBS.filter((verb) => verb !== '*')),
      group: fc.constantFrom(...GROUPS.filter((group) => group !== '*')),
      resource: fc.constantFrom(...RESOURCES.filter((resource) => !resource.startsWith('*'))),
      namespace: fc.constantFrom('', ...NAMESPACES),
      name: fc.constantFrom('', ...NAMES),
    });
    fc.assert(
      fc.property(cluster, request, (spec, probe) => {
        const rbac = rbacOf(spec);
        const [resource, subresource] = probe.resource.split('/') as [string, string | undefined];
        const attributes: SubjectAccessReviewSpec['resourceAttributes'] = {
          verb: probe.verb,
          group: probe.group,
          version: 'v1',
          resource,
          ...(subresource ? { subresource } : {}),
          ...(probe.name ? { name: probe.name } : {}),
          ...(probe.namespace ? { namespace: probe.namespace } : {}),
        };
        const review = { user: reporterUser.username, groups: reporterUser.groups, resourceAttributes: attributes };
        if (!rbacAnswerer(rbac)({ review }).allowed) return;
        assert.ok(
          ledgerOf(rbac, reporterUser).some((entry) => entryAllows(entry, attributes)),
          `${probe.verb} ${probe.group}/${probe.resource} ${probe.namespace} ${probe.name}`,
        );
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
