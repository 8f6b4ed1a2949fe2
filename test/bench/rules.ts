// The benchmarks' cluster: five rules over the scale fixture and a reporter to assess.
import { join } from 'node:path';
import type { Cluster } from '../cluster/cluster.ts';
import { CONDITION, installCRD, upstreamDir } from '../cluster/scenario.ts';

/** Five rules with mixed states over the fixture: held, bootstrap-only, anyOf, dry-run, a condition no node has. */
const BENCH_RULES = [
  ['network', `conditions: [{type: ${CONDITION}, requiredStatus: "True"}]`, 'NetworkReady', 'continuous', '{}', false],
  [
    'kubelet-bootstrap',
    'conditions: [{type: Ready, requiredStatus: "True"}]',
    'KubeletReady',
    'bootstrap-only',
    '{matchLabels: {topology.kubernetes.io/zone: zone-0}}',
    false,
  ],
  [
    'pressure',
    'conditionPolicy: anyOf\n  conditions: [{type: MemoryPressure, requiredStatus: "False"}, {type: DiskPressure, requiredStatus: "False"}]',
    'NoPressure',
    'continuous',
    '{matchLabels: {kubernetes.io/arch: arm64}}',
    false,
  ],
  [
    'pid-dry-run',
    'conditions: [{type: PIDPressure, requiredStatus: "False"}]',
    'Pid',
    'continuous',
    '{matchLabels: {node.kubernetes.io/instance-type: c6i.4xlarge}}',
    true,
  ],
  [
    'storage',
    'conditions: [{type: example.com/StorageReady, requiredStatus: "True", defaultStatus: "False"}]',
    'StorageReady',
    'continuous',
    '{matchLabels: {topology.kubernetes.io/zone: zone-2}}',
    false,
  ],
].map(
  ([name, conditions, taint, mode, selector, dryRun]) => `apiVersion: readiness.node.x-k8s.io/v1alpha1
kind: NodeReadinessRule
metadata: {name: ${name}}
spec:
  ${conditions}
  taint: {key: readiness.k8s.io/${taint}, effect: NoSchedule}
  enforcementMode: ${mode}
  dryRun: ${dryRun}
  nodeSelector: ${selector}
`,
);

/** The CRD, the five rules and NRC's hardened reporter example, whose posture verify and the Headlamp column check. */
export async function installBenchScenario(cluster: Cluster): Promise<void> {
  await installCRD(cluster);
  await cluster.kubectlOk(['apply', '-f', '-'], BENCH_RULES.join('---\n'));
  for (const file of ['rbac.yaml', 'reporter-ds.yaml'])
    await cluster.kubectlOk(['apply', '-f', join(upstreamDir, 'examples', 'constrained-impersonation', file)]);
}
