// The release matrix: every Kubernetes release the harness pins, and 1.35
// with the ConstrainedImpersonation gate both at its default (off) and on,
// each a real cluster of that release. On each: the release facts verify
// names hold (version, the gate read from /metrics, the admission machinery
// served), the built-in RBAC offline verify carries is that release's, verify's
// posture for each scenario variant, offline verify with --kubernetes-version
// equals live verify, and the decision chain's verdict for every probe equals
// what the same request with a reporter's pod-bound token really gets.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { decideChain, featureAt, featuresAt, gatherSecurityAnswers, planChain, type ReviewAnswer } from '@kubectl-readiness/shared';
import { builtinRbacFile, readBuiltinRbac } from '../cluster/builtin-rbac.ts';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { RELEASES } from '../cluster/releases.ts';
import { apiRequest, adminReader, subjectAccessReview } from '../cluster/requests.ts';
import { REPORTER, loadScenario, podBoundToken, type Variant } from '../cluster/scenario.ts';
import { PROBES, send } from '../e2e/ground-truth-cases.ts';
import { liveAndOffline, scenarioCase } from '../e2e/offline-cases.ts';

interface Configuration {
  release: string;
  /** ConstrainedImpersonation forced on; otherwise every gate is at the release's default. */
  gateOn: boolean;
}

/** Each release at its defaults; where the gate is off by default, also with it on. */
const CONFIGURATIONS: Configuration[] = RELEASES.flatMap(({ release }) =>
  featureAt(release, 'ConstrainedImpersonation').onByDefault
    ? [{ release, gateOn: false }]
    : [
        { release, gateOn: false },
        { release, gateOn: true },
      ],
);

const titleOf = ({ release, gateOn }: Configuration) =>
  `Kubernetes ${release}${featureAt(release, 'ConstrainedImpersonation').onByDefault ? '' : gateOn ? ', ConstrainedImpersonation on' : ', ConstrainedImpersonation at its default (off)'}`;

/** The scenario variants whose RBAC and env differ; the fifth, gate-off, is the hardened one where the gate is off. */
const VARIANTS_BY_OBJECTS: Variant[] = ['hardened', 'broad', 'legacy-impersonation', 'no-impersonate-env'];

function expectedPosture(variant: Variant, gateEnabled: boolean): string {
  if (variant === 'hardened') return gateEnabled ? 'constrained' : 'misconfigured';
  return { broad: 'broad', 'legacy-impersonation': 'legacy-impersonation', 'no-impersonate-env': 'misconfigured' }[variant as string]!;
}

/** Whether the apiserver serves a resource in a group version. */
async function serves(cluster: Cluster, groupVersion: string, resource: string): Promise<boolean> {
  const response = await apiRequest(cluster, { method: 'GET', path: `/apis/${groupVersion}` });
  if (response.status === 404) return false;
  assert.equal(response.status, 200, response.message);
  return ((response.body as { resources: { name: string }[] }).resources ?? []).some((served) => served.name === resource);
}

// The reporter never sends Impersonate-Group, so the chain has no path for it.
const predictable = PROBES.filter((probe) => !probe.impersonate?.groups);

describe('the release matrix', { concurrency: 2 }, () => {
  for (const configuration of CONFIGURATIONS) {
    const { release, gateOn } = configuration;
    const gateEnabled = gateOn || featureAt(release, 'ConstrainedImpersonation').onByDefault;
    const offlineFlags = ['--kubernetes-version', release, ...(gateOn ? ['--feature-gates', 'ConstrainedImpersonation=true'] : [])];

    // One release's tests share its cluster and apply and delete objects in turn: one at a time (a suite's concurrency is inherited).
    describe(titleOf(configuration), { concurrency: 1 }, () => {
      let cluster: Cluster;
      before(async () => {
        cluster = await startCluster({ kubernetes: release, featureGates: gateOn ? 'ConstrainedImpersonation=true' : '' });
      });
      after(() => cluster?.stop());

      it('runs that release, and the gate verify reads from /metrics is as the release facts say', async () => {
        const version = await apiRequest(cluster, { method: 'GET', path: '/version' });
        assert.match((version.body as { gitVersion: string }).gitVersion, new RegExp(`^v${release.replace('.', '\\.')}\\.`));
        const answers = await gatherSecurityAnswers(adminReader(cluster), { nodes: [] });
        assert.equal(answers.facts.featureMetric, gateEnabled ? 1 : 0);
        assert.equal(answers.gate, gateEnabled ? 'enabled' : 'disabled');
      });

      it('serves the admission policies the release facts say are on by default, and no others', async () => {
        for (const feature of featuresAt(release).filter((candidate) => candidate.name.endsWith('AdmissionPolicy'))) {
          const resource = feature.name.toLowerCase().replace(/y$/, 'ies');
          const onInV1 = await serves(cluster, 'admissionregistration.k8s.io/v1', resource);
          const onInBeta = await serves(cluster, 'admissionregistration.k8s.io/v1beta1', resource);
          assert.equal(
            onInV1 || onInBeta,
            feature.onByDefault,
            `${feature.name} (${feature.maturity}) served: v1 ${onInV1}, v1beta1 ${onInBeta}`,
          );
          assert.equal(onInV1, feature.maturity === 'GA', `${feature.name} is ${feature.maturity}: served in v1 ${onInV1}`);
        }
      });

      it("the built-in RBAC offline verify adds for this release is this cluster's, role for role", async () => {
        assert.deepEqual(await readBuiltinRbac(cluster), JSON.parse(readFileSync(builtinRbacFile(release), 'utf8')));
      });

      for (const variant of VARIANTS_BY_OBJECTS)
        it(`scenario ${variant}: verify says ${expectedPosture(variant, gateEnabled)}, and verify -f ${offlineFlags.join(' ')} agrees`, async () => {
          const { offline, live } = await liveAndOffline(cluster, scenarioCase(variant), offlineFlags);
          assert.deepEqual(offline, live);
          assert.equal(live.reporters[0]?.posture, expectedPosture(variant, gateEnabled));
        });

      it("every probe: the decision chain's verdict from real reviews equals the real request with a pod-bound token", async () => {
        await loadScenario(cluster, 'hardened', { withRule: false });
        const token = await podBoundToken(cluster, 'node-a');
        const gate = (await gatherSecurityAnswers(adminReader(cluster), { nodes: [] })).gate;
        const disagreements: string[] = [];
        for (const probe of predictable) {
          const plan = planChain({
            serviceAccount: { namespace: REPORTER.namespace, name: REPORTER.serviceAccount },
            runsOn: probe.tokenOf,
            impersonate: probe.impersonate ? probe.impersonate.user.slice('system:node:'.length) : null,
            action: {
              verb: probe.verb,
              group: '',
              resource: 'nodes',
              name: probe.target,
              ...(probe.subresource ? { subresource: probe.subresource } : {}),
            },
            gate,
          });
          const reviewed = new Map<string, ReviewAnswer>();
          for (const question of plan.questions) reviewed.set(question.step, await subjectAccessReview(cluster, question.review));
          const verdict = decideChain(plan, (question) => reviewed.get(question.step));
          const real = await send(cluster, token, probe);
          const allowed = real.status === 200 || real.status === 201;
          if (verdict.allowed !== allowed)
            disagreements.push(`${probe.id}: chain ${verdict.allowed}, apiserver ${real.status} ${real.message}`);
        }
        assert.deepEqual(disagreements, []);
        // Not vacuous: the reporter's own status write goes through exactly when the gate is on.
        const own = await send(
          cluster,
          token,
          PROBES.find((probe) => probe.id === 'update-own-status-as-own')!,
        );
        assert.equal(own.status, gateEnabled ? 200 : 403, own.message);
      });
    });
  }
});
