import { postureQuestions } from '@kubectl-readiness/shared';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const proxy = vi.hoisted(() => ({ request: vi.fn(), post: vi.fn() }));
vi.mock('@kinvolk/headlamp-plugin/lib', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  ApiProxy: proxy,
}));

const { gatherEvidence, securityReport } = await import('../src/resources/security');

const REPORTER_ACCOUNT = { namespace: 'readiness', name: 'condition-reporter' };
const NODES = { ownNode: 'node-a', otherNode: 'node-b' };

/** Two reporter DaemonSets that run as the same ServiceAccount, each writing its own condition. */
function reporterDaemonSet(name: string, condition: string): unknown {
  return {
    metadata: { namespace: REPORTER_ACCOUNT.namespace, name },
    spec: {
      template: {
        spec: {
          serviceAccountName: REPORTER_ACCOUNT.name,
          containers: [
            {
              name: 'reporter',
              image: 'example.com/reporter:v1',
              env: [
                { name: 'CONDITION_TYPE', value: condition },
                { name: 'IMPERSONATE_NODE', value: 'true' },
              ],
            },
          ],
        },
      },
    },
  };
}

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

const forbidden = () => Object.assign(new Error('forbidden'), { status: 403 });

/** A cluster that answers the plugin's reads; `refuse` names the reads the viewer may not make. */
function answerReads(refuse: { reviews?: boolean; rbac?: boolean } = {}) {
  proxy.request.mockImplementation(async (path: string) => {
    if (path === '/version') return { gitVersion: 'v1.36.0' };
    if (path === '/metrics') return new Response('kubernetes_feature_enabled{name="ConstrainedImpersonation",stage="BETA"} 1\n');
    if (path === '/apis/apps/v1/daemonsets')
      return {
        items: [
          reporterDaemonSet('network-reporter', 'example.com/NetworkReady'),
          reporterDaemonSet('storage-reporter', 'example.com/StorageReady'),
        ],
      };
    if (path.startsWith('/apis/rbac.authorization.k8s.io/')) {
      if (refuse.rbac) throw forbidden();
      return { items: [] };
    }
    return { items: [] };
  });
  proxy.post.mockImplementation(async () => {
    if (refuse.reviews) throw forbidden();
    return { status: { allowed: false } };
  });
}

describe('reporter security evidence', () => {
  beforeEach(() => {
    proxy.request.mockReset();
    proxy.post.mockReset();
  });

  it('asks each ServiceAccount its questions once, before any rule is known', async () => {
    answerReads();
    const evidence = await gatherEvidence('test', NODES);
    expect(evidence.source).toBe('subject-access-reviews');
    expect(proxy.post).toHaveBeenCalledTimes(postureQuestions(REPORTER_ACCOUNT, NODES).length);
    expect(evidence.support.gate).toBe('enabled');
  });

  it('makes the report from the evidence and the rules, naming the rules each reporter feeds', async () => {
    answerReads();
    const evidence = await gatherEvidence('test', NODES);
    const report = securityReport(evidence, [RULE], []);
    expect(report.assessments.map((assessment) => [assessment.reporter.workload.name, assessment.reporter.feedsRules])).toEqual([
      ['network-reporter', ['network-readiness-rule']],
      ['storage-reporter', []],
    ]);
    expect(report.assessments[0]!.posture.posture).toBe(report.assessments[1]!.posture.posture);
  });

  it("gives verify's findings on first read of the report's verification, and the same ones after", async () => {
    answerReads();
    const report = securityReport(await gatherEvidence('test', NODES), [RULE], []);
    const findings = report.verification;
    expect(findings.findings.map((finding) => finding.id)).toContain('constrained-impersonation-gate');
    expect(report.verification).toBe(findings);
  });

  it('stops asking at the first refusal and answers from the RBAC objects', async () => {
    answerReads({ reviews: true });
    const evidence = await gatherEvidence('test', NODES);
    expect(evidence.source).toBe('rbac-objects');
    expect(proxy.post.mock.calls.length).toBeLessThanOrEqual(6);
    expect(evidence.notes).toContain('not allowed to create subjectaccessreviews: results from RBAC objects only');
    expect(securityReport(evidence, [RULE], []).assessments[0]!.posture.posture).not.toBe('unknown');
  });

  it('is unverified, with the reason, when neither reviews nor RBAC objects may be read', async () => {
    answerReads({ reviews: true, rbac: true });
    const evidence = await gatherEvidence('test', NODES);
    expect(evidence.source).toBe('unverified');
    expect(evidence.unverifiedReason).toMatch(/may not create subjectaccessreviews/);
  });
});
