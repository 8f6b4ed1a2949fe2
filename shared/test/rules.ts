// Rules the readiness tests share: NRC's CNI rule and its variants.
import type { NodeReadinessRule } from '../src/index.ts';
import { networkTaint } from './nodes.ts';

export const calico = 'projectcalico.org/CalicoReady';

/** Every node but the control plane, as NRC's examples select: an empty selector is refused by NRC's webhook. */
const workers = { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' as const }] };

export function rule(name: string, spec: Partial<NodeReadinessRule['spec']> = {}, uid = `uid-${name}`): NodeReadinessRule {
  return {
    apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
    kind: 'NodeReadinessRule',
    metadata: { name, uid },
    spec: {
      conditions: [{ type: calico, requiredStatus: 'True' }],
      enforcementMode: 'continuous',
      taint: networkTaint,
      nodeSelector: workers,
      ...spec,
    },
  };
}

export const network = rule('network-readiness-rule');
export const anyOf = rule('storage-any', {
  conditionPolicy: 'anyOf',
  conditions: [
    { type: 'example.com/LocalDiskReady', requiredStatus: 'True' },
    { type: 'example.com/NetworkDiskReady', requiredStatus: 'True' },
  ],
  taint: { key: 'readiness.k8s.io/StorageReady', effect: 'NoSchedule' },
});
export const problemGate = rule('problem-gate-rule', {
  conditions: [{ type: 'MaintenanceRequired', requiredStatus: 'False', defaultStatus: 'False' }],
  taint: { key: 'readiness.k8s.io/problem-gate', effect: 'NoSchedule' },
  // Every node, control plane too, without the empty selector NRC refuses.
  nodeSelector: { matchExpressions: [{ key: 'readiness.example.com/opt-out', operator: 'DoesNotExist' }] },
});
export const bootstrap = rule('cni-bootstrap', { enforcementMode: 'bootstrap-only' }, 'b00t-uid');
export const dryRun = rule('network-dryrun', { dryRun: true });

/** NRC's CNI rule as a user would write it, with a taint value. */
export const ruleYaml = `apiVersion: readiness.node.x-k8s.io/v1alpha1
kind: NodeReadinessRule
metadata: {name: network}
spec:
  conditions: [{type: projectcalico.org/CalicoReady, requiredStatus: "True"}]
  taint: {key: readiness.k8s.io/NetworkReady, effect: NoSchedule, value: pending}
  enforcementMode: continuous
  nodeSelector: {matchExpressions: [{key: node-role.kubernetes.io/control-plane, operator: DoesNotExist}]}
`;
