// The core's KEP-5284 reasoning, checked against kube-apiserver itself: the
// SubjectAccessReviews the core plans are sent to the real apiserver, and the
// verdicts they imply must equal what the same requests really got.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  answerPostureQuestions,
  assessReporter,
  clusterFindings,
  decideChain,
  discoverReporters,
  featureGateFromMetrics,
  planChain,
  postureQuestions,
  type Action,
  type GateState,
  type Posture,
  type ReviewAnswer,
  type SubjectAccessReviewSpec,
} from '@kubectl-readiness/shared';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { apiRequest } from '../cluster/requests.ts';
import { REPORTER, VARIANTS, featureGatesFor, loadScenario, type Variant } from '../cluster/scenario.ts';
import { PROBES, expectedStatus } from './ground-truth-cases.ts';

const EXPECTED_POSTURE: Record<Variant, Posture> = {
  hardened: 'constrained',
  broad: 'broad',
  'legacy-impersonation': 'legacy-impersonation',
  'no-impersonate-env': 'misconfigured',
  'gate-off': 'misconfigured',
};

async function review(cluster: Cluster, spec: SubjectAccessReviewSpec): Promise<ReviewAnswer> {
  const response = await apiRequest(cluster, {
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
  });
  assert.equal(response.status, 201, response.message);
  const status = (response.body as { status: { allowed: boolean; reason?: string } }).status;
  return { allowed: status.allowed, ...(status.reason ? { reason: status.reason } : {}) };
}

function actionOf(probe: (typeof PROBES)[number]): Action {
  return {
    verb: probe.verb,
    group: '',
    resource: 'nodes',
    name: probe.target,
    ...(probe.subresource ? { subresource: probe.subresource } : {}),
  };
}

// The reporter never sends Impersonate-Group, so the chain has no path for it; that probe stays a ground-truth-only fact.
const predictable = PROBES.filter((probe) => !probe.impersonate?.groups);
let pairs = 0;
let agreements = 0;

for (const variant of VARIANTS) {
  describe(`predictions against the real apiserver: ${variant}`, () => {
    let cluster: Cluster;
    let gate: GateState;
    before(async () => {
      cluster = await startCluster({ featureGates: featureGatesFor(variant) });
      await loadScenario(cluster, variant, { withRule: false });
      const metrics = await apiRequest(cluster, { method: 'GET', path: '/metrics' });
      const version = await apiRequest(cluster, { method: 'GET', path: '/version' });
      gate = clusterFindings({
        gitVersion: (version.body as { gitVersion: string }).gitVersion,
        featureMetric: featureGateFromMetrics(String(metrics.body)),
      }).gate;
    });
    after(() => cluster?.stop());

    it(`detects the ConstrainedImpersonation gate as ${variant === 'gate-off' ? 'disabled' : 'enabled'} from /metrics`, () => {
      assert.equal(gate, variant === 'gate-off' ? 'disabled' : 'enabled');
    });

    for (const probe of predictable) {
      const expected = expectedStatus(variant, probe.id) === 200;
      it(`${probe.id}: the planned reviews predict ${expected ? 'allowed' : 'denied'}`, async () => {
        const plan = planChain({
          serviceAccount: { namespace: REPORTER.namespace, name: REPORTER.serviceAccount },
          runsOn: probe.tokenOf,
          impersonate: probe.impersonate ? probe.impersonate.user.slice('system:node:'.length) : null,
          action: actionOf(probe),
          constrainedImpersonation: gate !== 'disabled',
        });
        const answers = new Map<string, ReviewAnswer>();
        for (const question of plan.questions) answers.set(question.step, await review(cluster, question.review));
        const verdict = decideChain(plan, (question) => answers.get(question.step));
        pairs += 1;
        if (verdict.allowed === expected) agreements += 1;
        assert.equal(verdict.allowed, expected, verdict.explanation);
      });
    }

    it(`classifies the reporter as ${EXPECTED_POSTURE[variant]} from real reviews and RBAC objects`, async () => {
      const daemonSets = JSON.parse(await cluster.kubectlOk(['get', 'daemonsets', '-A', '-o', 'json'])) as { items: unknown[] };
      const [reporter] = discoverReporters(daemonSets.items, []).reporters;
      assert.ok(reporter, 'the reporter DaemonSet was not discovered');
      const list = async (kind: string) =>
        (JSON.parse(await cluster.kubectlOk(['get', kind, '-A', '-o', 'json'])) as { items: unknown[] }).items;
      const rbac = {
        clusterRoles: await list('clusterroles'),
        clusterRoleBindings: await list('clusterrolebindings'),
        roles: await list('roles'),
        roleBindings: await list('rolebindings'),
      };
      const questions = postureQuestions(reporter.serviceAccount, { ownNode: 'node-a', otherNode: 'node-b' });
      const reviewed = new Map<string, ReviewAnswer>();
      for (const question of questions) reviewed.set(question.id, await review(cluster, question.review));
      const answers = answerPostureQuestions(questions, (question) => reviewed.get(question.id));
      const assessment = assessReporter(reporter, { answers, rbac, gate });
      assert.equal(assessment.posture.posture, EXPECTED_POSTURE[variant], assessment.posture.reasons.join('; '));
    });
  });
}

after(() => console.log(`prediction versus reality: ${agreements}/${pairs} (node, target, verb, subresource) pairs agree`));
