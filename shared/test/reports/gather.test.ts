import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  gatherSecurityAnswers,
  postureQuestions,
  RBAC_FALLBACK_NOTE,
  sampleNodes,
  REVIEW_CONCURRENCY,
  securityReport,
  UNVERIFIED_REASON,
  type ClusterReader,
  type ReadResult,
  type SubjectAccessReviewSpec,
} from '../../src/index.ts';
import { rbacFrom, upstream } from '../rbac-fixtures.ts';
import { reporterDaemonSet } from '../workloads.ts';
import { node } from '../nodes.ts';

// The ServiceAccount NRC's hardened example binds, so the RBAC fallback can answer for it.
const ACCOUNT = { namespace: 'kube-system', name: 'cni-reporter' };
const NODES = [{ metadata: { name: 'node-a' } }, { metadata: { name: 'node-b' } }];

const RULE = {
  apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
  kind: 'NodeReadinessRule',
  metadata: { name: 'network-readiness-rule' },
  spec: {
    conditions: [{ type: 'example.com/NetworkReady', requiredStatus: 'True' }],
    taint: { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule' },
    enforcementMode: 'continuous',
    nodeSelector: {},
  },
};

const refused = (status: number): ReadResult<never> => ({ ok: false, status, message: `HTTP ${status}` });

interface FakeCluster {
  /** Paths the viewer may not read, with the status the apiserver answers. */
  refuse?: Record<string, number>;
  /** The status every review create is answered with, when not allowed. */
  reviews?: number;
  daemonSets?: unknown[];
  rbac?: unknown[];
  /** What a list of nodes answers, in the apiserver's name order. */
  nodes?: unknown[];
}

/** A cluster behind the port, recording what was asked and how many reviews were in flight at once. */
function fakeReader(cluster: FakeCluster = {}) {
  const asked: string[] = [];
  const reviews: SubjectAccessReviewSpec[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const rbac = rbacFrom((cluster.rbac ?? upstream.constrained()) as ReturnType<typeof upstream.constrained>);
  const lists: Record<string, unknown[]> = {
    '/apis/apps/v1/daemonsets': cluster.daemonSets ?? [
      reporterDaemonSet('network-reporter', 'example.com/NetworkReady', ACCOUNT),
      reporterDaemonSet('storage-reporter', 'example.com/StorageReady', ACCOUNT),
    ],
    '/apis/apps/v1/deployments': [],
    '/apis/rbac.authorization.k8s.io/v1/clusterroles': rbac.clusterRoles,
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings': rbac.clusterRoleBindings,
    '/apis/rbac.authorization.k8s.io/v1/roles': rbac.roles,
    '/apis/rbac.authorization.k8s.io/v1/rolebindings': rbac.roleBindings,
  };
  const answer = <T>(path: string, value: () => T): ReadResult<T> => {
    asked.push(path);
    const status = cluster.refuse?.[path];
    return status === undefined ? { ok: true, value: value() } : refused(status);
  };
  const reader: ClusterReader = {
    getJSON: async (path) =>
      answer(path, () => {
        const limit = /^\/api\/v1\/nodes\?limit=(\d+)$/.exec(path);
        return limit ? { items: (cluster.nodes ?? []).slice(0, Number(limit[1])) } : { gitVersion: 'v1.36.3' };
      }),
    getText: async (path) => answer(path, () => 'kubernetes_feature_enabled{name="ConstrainedImpersonation",stage="BETA"} 1\n'),
    list: async (path) => answer(path, () => lists[path] ?? []),
    createSubjectAccessReview: async (spec) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      reviews.push(spec);
      if (cluster.reviews !== undefined) return refused(cluster.reviews);
      return { ok: true, value: { allowed: spec.resourceAttributes.verb.startsWith('impersonate') } };
    },
  };
  return { reader, asked, reviews, mostInFlight: () => mostInFlight };
}

describe('gatherSecurityAnswers', () => {
  it('asks each ServiceAccount its questions once, through a pool of at most the given size, before any rule is known', async () => {
    const cluster = fakeReader();
    const answers = await gatherSecurityAnswers(cluster.reader, { nodes: NODES, concurrency: 3 });
    assert.equal(answers.source, 'reviews');
    assert.equal(answers.gate, 'enabled');
    assert.equal(cluster.reviews.length, postureQuestions(ACCOUNT, { ownNode: 'node-a', otherNode: 'node-b' }).length);
    assert.equal(cluster.mostInFlight(), 3);
    assert.deepEqual([...answers.byServiceAccount.keys()], ['kube-system/cni-reporter']);
    assert.ok(answers.rbac, 'RBAC objects are read as evidence for the findings');
  });

  it('reads the version and the metrics in parallel with the workloads', async () => {
    const cluster = fakeReader();
    await gatherSecurityAnswers(cluster.reader, { nodes: NODES });
    assert.deepEqual(cluster.asked.slice(0, 4).sort(), ['/apis/apps/v1/daemonsets', '/apis/apps/v1/deployments', '/metrics', '/version']);
  });

  const refusals: [string, number][] = [
    ['401', 401],
    ['403', 403],
    ['404', 404],
  ];
  for (const [name, status] of refusals) {
    it(`stops at the first refused review (${name}) and answers from the RBAC objects`, async () => {
      const cluster = fakeReader({ reviews: status });
      const answers = await gatherSecurityAnswers(cluster.reader, { nodes: NODES });
      assert.equal(answers.source, 'rbac');
      assert.ok(cluster.reviews.length <= REVIEW_CONCURRENCY, `${cluster.reviews.length} reviews after the refusal`);
      assert.ok(answers.notes.includes(RBAC_FALLBACK_NOTE));
      const report = securityReport(answers, [RULE], NODES);
      assert.deepEqual(
        report.assessments.map((assessment) => assessment.posture),
        ['constrained', 'constrained'],
      );
    });
  }

  it('is unverified, with the reason, when neither reviews nor RBAC objects may be read', async () => {
    const cluster = fakeReader({ reviews: 403, refuse: { '/apis/rbac.authorization.k8s.io/v1/roles': 403 } });
    const answers = await gatherSecurityAnswers(cluster.reader, { nodes: NODES });
    assert.equal(answers.source, 'unverified');
    assert.equal(answers.unverifiedReason, UNVERIFIED_REASON);
    const report = securityReport(answers, [RULE], NODES);
    assert.deepEqual(
      report.assessments.map((assessment) => assessment.posture),
      ['unverified', 'unverified'],
    );
  });

  it('turns refused reads into notes and reads on: version, metrics, workloads', async () => {
    const cluster = fakeReader({
      refuse: { '/version': 403, '/metrics': 403, '/apis/apps/v1/daemonsets': 403, '/apis/apps/v1/deployments': 404 },
    });
    const answers = await gatherSecurityAnswers(cluster.reader, { nodes: NODES });
    assert.deepEqual(answers.facts, { gitVersion: null, featureMetric: null });
    assert.equal(answers.gate, 'unknown');
    assert.deepEqual(answers.notes, ['reporters: not allowed to list daemonsets', 'reporters: deployments are not served']);
    assert.equal(cluster.reviews.length, 0, 'no reporter, no question');
    const report = securityReport(answers, [RULE], NODES);
    assert.deepEqual(report.verification.findings.find((finding) => finding.id === 'reporters')?.evidence, answers.notes);
  });

  it('leaves errors that are not refusals (a 500 left after the transport retried) to the adapter', async () => {
    const cluster = fakeReader({ reviews: 500 });
    await assert.rejects(gatherSecurityAnswers(cluster.reader, { nodes: NODES }), /SubjectAccessReview: HTTP 500/);
  });

  it('leaves retrying a 429 to the transport: a 429 that reaches the core is an error, not a refusal', async () => {
    const cluster = fakeReader({ reviews: 429 });
    await assert.rejects(gatherSecurityAnswers(cluster.reader, { nodes: NODES }), /HTTP 429/);
  });

  it('assesses only the reporters the adapter selects, and one it names that no workload runs as', async () => {
    const cluster = fakeReader({
      daemonSets: [
        reporterDaemonSet('network-reporter', 'example.com/NetworkReady', ACCOUNT),
        reporterDaemonSet('other-reporter', 'example.com/OtherReady', { namespace: ACCOUNT.namespace, name: 'other' }),
      ],
    });
    const answers = await gatherSecurityAnswers(cluster.reader, {
      nodes: NODES,
      select: (discovered) => discovered.filter((reporter) => reporter.serviceAccount.name === 'other'),
    });
    assert.deepEqual([...answers.byServiceAccount.keys()], ['kube-system/other']);
    assert.ok(cluster.reviews.every((review) => review.user === 'system:serviceaccount:kube-system:other'));
  });

  it('the report names the rules each reporter feeds, and makes the findings once, on first read', async () => {
    const answers = await gatherSecurityAnswers(fakeReader().reader, { nodes: NODES });
    const report = securityReport(answers, [RULE], NODES);
    assert.deepEqual(
      report.assessments.map((assessment) => [assessment.reporter.workload.name, assessment.reporter.feedsRules]),
      [
        ['network-reporter', ['network-readiness-rule']],
        ['storage-reporter', []],
      ],
    );
    const first = report.verification;
    assert.ok(first.findings.some((finding) => finding.id === 'constrained-impersonation-gate'));
    assert.equal(report.verification, first);
  });

  it('without the nodes, reads only the first two, the same two a full list starts with', async () => {
    const cluster = fakeReader({ nodes: [node('a'), node('b'), node('c')] });
    const answers = await gatherSecurityAnswers(cluster.reader, {});
    assert.deepEqual(answers.sampleNodes, { ownNode: 'a', otherNode: 'b' });
    assert.ok(cluster.asked.includes('/api/v1/nodes?limit=2'));
  });

  it('without the nodes and refused them, asks with placeholder names', async () => {
    const cluster = fakeReader({ nodes: [node('a')], refuse: { '/api/v1/nodes?limit=2': 403 } });
    const answers = await gatherSecurityAnswers(cluster.reader, {});
    assert.deepEqual(answers.sampleNodes, { ownNode: 'node-a', otherNode: 'another-node' });
  });

  it('with no nodes at all, still asks with two distinct node names', async () => {
    const cluster = fakeReader();
    const answers = await gatherSecurityAnswers(cluster.reader, { nodes: [] });
    assert.notEqual(answers.sampleNodes.ownNode, answers.sampleNodes.otherNode);
  });
});

describe('sampleNodes', () => {
  const cases: [string, unknown[], { ownNode: string; otherNode: string }][] = [
    ['two nodes', [node('a'), node('b'), node('c')], { ownNode: 'a', otherNode: 'b' }],
    ['one node', [node('a')], { ownNode: 'a', otherNode: 'another-node' }],
    ['no nodes', [], { ownNode: 'node-a', otherNode: 'another-node' }],
  ];
  for (const [name, nodes, expected] of cases) it(name, () => assert.deepEqual(sampleNodes(nodes), expected));
});
