// The core's KEP-5284 reasoning, checked against kube-apiserver itself: the
// SubjectAccessReviews the core plans are sent to the real apiserver, and the
// verdicts they imply must equal what the same requests really got.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  decideChain,
  gatherSecurityAnswers,
  planChain,
  securityReport,
  type Action,
  type Posture,
  type ReviewAnswer,
  type SecurityAnswers,
} from '@kubectl-readiness/shared';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { adminReader, subjectAccessReview } from '../cluster/requests.ts';
import { REPORTER, VARIANTS, featureGatesFor, loadScenario, type Variant } from '../cluster/scenario.ts';
import { PROBES, expectedStatus } from './ground-truth-cases.ts';

const EXPECTED_POSTURE: Record<Variant, Posture> = {
  hardened: 'constrained',
  broad: 'broad',
  'legacy-impersonation': 'legacy-impersonation',
  'no-impersonate-env': 'misconfigured',
  'gate-off': 'misconfigured',
};

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
    let answers: SecurityAnswers;
    before(async () => {
      cluster = await startCluster({ featureGates: featureGatesFor(variant) });
      await loadScenario(cluster, variant, { withRule: false });
      // The same gathering loop the CLI and Headlamp run, through the harness's own reader.
      answers = await gatherSecurityAnswers(adminReader(cluster), {
        nodes: [{ metadata: { name: 'node-a' } }, { metadata: { name: 'node-b' } }],
      });
    });
    after(() => cluster?.stop());

    it(`detects the ConstrainedImpersonation gate as ${variant === 'gate-off' ? 'disabled' : 'enabled'} from /metrics`, () => {
      assert.equal(answers.gate, variant === 'gate-off' ? 'disabled' : 'enabled');
    });

    for (const probe of predictable) {
      const expected = expectedStatus(variant, probe.id) === 200;
      it(`${probe.id}: the planned reviews predict ${expected ? 'allowed' : 'denied'}`, async () => {
        const plan = planChain({
          serviceAccount: { namespace: REPORTER.namespace, name: REPORTER.serviceAccount },
          runsOn: probe.tokenOf,
          impersonate: probe.impersonate ? probe.impersonate.user.slice('system:node:'.length) : null,
          action: actionOf(probe),
          gate: answers.gate,
        });
        const reviewed = new Map<string, ReviewAnswer>();
        for (const question of plan.questions) reviewed.set(question.step, await subjectAccessReview(cluster, question.review));
        const verdict = decideChain(plan, (question) => reviewed.get(question.step));
        pairs += 1;
        if (verdict.allowed === expected) agreements += 1;
        assert.equal(verdict.allowed, expected, verdict.explanation);
      });
    }

    it(`classifies the reporter as ${EXPECTED_POSTURE[variant]} from real reviews, with the RBAC objects as evidence`, () => {
      assert.equal(answers.source, 'reviews');
      assert.ok(answers.rbac, 'the RBAC objects were read');
      const [assessment] = securityReport(answers, [], []).assessments;
      assert.ok(assessment, 'the reporter DaemonSet was not discovered');
      assert.equal(assessment.posture, EXPECTED_POSTURE[variant], assessment.reasons.join('; '));
    });
  });
}

after(() => console.log(`prediction versus reality: ${agreements}/${pairs} (node, target, verb, subresource) pairs agree`));
