// The what-if against NRC itself: NRC's CRD (its schema and CEL rules, which
// the real apiserver enforces) and NRC's own controller with its validating
// webhook enabled judge a table of good and bad rules beside the cluster's
// rule; `kubectl readiness status -f` must accept and refuse exactly the same
// ones, naming the same field. What the webhook judges only means something
// against NRC's own webhook: with our NRC-compatible controller those cases
// are skipped, and our webhook's checks are pinned by its go tests instead.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { unlessUpstreamController } from '../cluster/parts.ts';
import { installCRD, startController, upstreamDir } from '../cluster/scenario.ts';
import { cli } from './cli-runner.ts';
import { scratchDir } from '../scratch.ts';

interface Case {
  name: string;
  spec: Record<string, unknown>;
  /** The field both refusals must name; null when the rule is accepted. */
  field: string | null;
  /** Whose decision it is: the CRD's schema and CEL rules alone, or the webhook's as well. */
  judge: 'crd' | 'webhook';
}

const valid = {
  conditions: [{ type: 'example.com/GPUReady', requiredStatus: 'True' }],
  taint: { key: 'readiness.k8s.io/GPUReady', effect: 'NoSchedule' },
  enforcementMode: 'continuous',
  nodeSelector: { matchLabels: { 'example.com/gpu': 'true' } },
};
const network = { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule' };

const cases: Case[] = [
  { name: 'a valid rule', spec: valid, field: null, judge: 'webhook' },
  {
    name: 'NoExecute, continuous (NRC only warns)',
    spec: { ...valid, taint: { ...valid.taint, effect: 'NoExecute' } },
    field: null,
    judge: 'webhook',
  },
  {
    name: 'anyOf with a defaultStatus, continuous',
    spec: { ...valid, conditionPolicy: 'anyOf', conditions: [{ type: 'a.io/A', requiredStatus: 'True', defaultStatus: 'False' }] },
    field: null,
    judge: 'webhook',
  },
  {
    name: "the cluster rule's taint on nodes it does not select",
    spec: {
      ...valid,
      taint: network,
      nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] },
    },
    field: null,
    judge: 'webhook',
  },
  { name: "the cluster rule's taint on overlapping nodes", spec: { ...valid, taint: network }, field: 'spec.taint.key', judge: 'webhook' },
  { name: 'an empty node selector', spec: { ...valid, nodeSelector: {} }, field: 'spec.nodeSelector', judge: 'webhook' },
  {
    name: 'bootstrap-only with a defaultStatus',
    spec: { ...valid, enforcementMode: 'bootstrap-only', conditions: [{ type: 'a.io/A', requiredStatus: 'True', defaultStatus: 'False' }] },
    field: 'spec.conditions[0].defaultStatus',
    judge: 'webhook',
  },
  {
    name: 'bootstrap-only with anyOf',
    spec: { ...valid, enforcementMode: 'bootstrap-only', conditionPolicy: 'anyOf' },
    field: 'spec.conditionPolicy',
    judge: 'webhook',
  },
  {
    name: 'an unknown required status',
    spec: { ...valid, conditions: [{ type: 'a.io/A', requiredStatus: 'Maybe' }] },
    field: 'spec.conditions[0].requiredStatus',
    judge: 'crd',
  },
  // The CRD checks the effect with a CEL rule on spec.taint, so that is the field both name.
  { name: 'an unknown taint effect', spec: { ...valid, taint: { ...valid.taint, effect: 'NoRun' } }, field: 'spec.taint', judge: 'crd' },
  {
    name: 'a taint outside readiness.k8s.io/',
    spec: { ...valid, taint: { ...valid.taint, key: 'example.com/GPUReady' } },
    field: 'spec.taint',
    judge: 'crd',
  },
  {
    name: 'a taint key with no name part',
    spec: { ...valid, taint: { ...valid.taint, key: 'readiness.k8s.io/' } },
    field: 'spec.taint',
    judge: 'crd',
  },
  { name: 'no conditions', spec: { ...valid, conditions: [] }, field: 'spec.conditions', judge: 'crd' },
];

/** The field a refusal names: ours writes "spec.x.y ...", the apiserver "spec.x.y: ...". */
const names = (message: string, field: string) => message.includes(field);

const rows: string[] = [];

describe("status -f agrees with NRC's webhook and CRD", () => {
  let cluster: Cluster;
  const dir = scratchDir('webhook-cases-');
  before(async () => {
    cluster = await startCluster();
    await installCRD(cluster);
    await cluster.kubectlOk(['apply', '-f', join(upstreamDir, 'examples/constrained-impersonation/readiness-rule.yaml')]);
    await startController(cluster, { webhook: true });
  });
  after(() => cluster?.stop());

  const webhookSkip = unlessUpstreamController("agreement with NRC's webhook");
  for (const testCase of cases)
    it(testCase.name, { skip: testCase.judge === 'webhook' && webhookSkip }, async () => {
      const file = join(dir, `${testCase.name.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
      writeFileSync(
        file,
        stringify({
          apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
          kind: 'NodeReadinessRule',
          metadata: { name: 'candidate' },
          spec: testCase.spec,
        }),
      );
      const nrc = await cluster.kubectl(['create', '--dry-run=server', '-f', file]);
      const ours = cli(['status', '-f', file, '--kubeconfig', cluster.kubeconfig]);
      const nrcMessage = nrc.stderr.trim();
      const ourMessage =
        ours.stderr
          .trim()
          .split('\n')
          .find((line) => line.startsWith('error:')) ?? '';
      rows.push(
        `| ${testCase.name} | ${nrc.code === 0 ? 'accepted' : 'refused'} | ${ours.code === 0 ? 'accepted' : 'refused'} | ${testCase.field ?? ''} |`,
      );
      assert.equal(nrc.code === 0, testCase.field === null, `NRC: ${nrc.stderr}`);
      assert.equal(ours.code === 0, testCase.field === null, `ours: ${ours.stderr}`);
      if (testCase.field) {
        assert.ok(names(nrcMessage, testCase.field), `NRC's message does not name ${testCase.field}: ${nrcMessage}`);
        assert.ok(names(ourMessage, testCase.field), `ours does not name ${testCase.field}: ${ourMessage}`);
      }
    });
});

after(() =>
  console.log(['| rule | NRC (webhook and CRD) | status -f | field named by both |', '| --- | --- | --- | --- |', ...rows].join('\n')),
);
