// NRC's own machinery, walked for real with our NRC-compatible controller
// running: node-a's reporter token creates a rule that taints node-b (the
// controller puts the taint on), or deletes every rule at once (the
// controller's finalizer takes node-b's taint off). Each nearest twin is the
// same grant through a RoleBinding, which grants nothing on cluster-scoped
// rules: the apiserver answers 403, and verify must say Constrained.
import { join } from 'node:path';
import type { Cluster } from '../cluster/cluster.ts';
import { apiRequest, type ApiResponse } from '../cluster/requests.ts';
import { startController, upstreamDir } from '../cluster/scenario.ts';
import { NAMESPACE, TARGET, outcome, poll, role, twins, walkAttacks, type Attack } from './escalation-kit.ts';

const RULES_API = '/apis/readiness.node.x-k8s.io/v1alpha1/nodereadinessrules';
// The CRD's CEL allows only keys under readiness.k8s.io/: still any node's scheduling, and NoExecute evicts.
const GATE_TAINT = 'readiness.k8s.io/AttackGate';

/** A rule gating node-b alone on a condition no one reports: the controller taints node-b and keeps the taint on. */
const gateRule = (name: string) => ({
  apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
  kind: 'NodeReadinessRule',
  metadata: { name },
  spec: {
    conditions: [{ type: 'example.com/NeverReported', requiredStatus: 'True' }],
    taint: { key: GATE_TAINT, effect: 'NoSchedule', value: 'attack' },
    enforcementMode: 'continuous',
    nodeSelector: { matchLabels: { 'kubernetes.io/hostname': TARGET } },
  },
});

async function gated(cluster: Cluster): Promise<boolean> {
  const node = JSON.parse(await cluster.kubectlOk(['get', 'node', TARGET, '-o', 'json'])) as { spec: { taints?: { key: string }[] } };
  return (node.spec.taints ?? []).some((taint) => taint.key === GATE_TAINT);
}

/** Creates the gate rule with the reporter's token; worked when the controller has tainted node-b. */
async function createGatingRule(cluster: Cluster, token: string): Promise<ApiResponse> {
  const created = await apiRequest(cluster, { method: 'POST', path: RULES_API, token, body: gateRule('attack-gate') });
  if (created.status !== 201) return created;
  try {
    const tainted = await poll(30, async () => ((await gated(cluster)) ? true : null));
    return outcome(tainted === true, tainted ? `the controller tainted ${TARGET} ${GATE_TAINT}` : 'the controller never tainted node-b');
  } finally {
    // The finalizer takes the taint off again.
    await cluster.kubectlOk(['delete', 'nodereadinessrule', 'attack-gate', '--wait=true']);
  }
}

/**
 * The admin gates node-b with a rule and waits for the taint; the reporter's
 * token then deletes every rule with one deletecollection. Worked when the
 * controller's finalizer has taken node-b's taint off. The scenario's own
 * rule is put back either way.
 */
async function deleteEveryRule(cluster: Cluster, token: string): Promise<ApiResponse> {
  await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(gateRule('admin-gate')));
  try {
    if (!(await poll(30, async () => ((await gated(cluster)) ? true : null)))) return outcome(false, 'the gate rule never tainted node-b');
    const deleted = await apiRequest(cluster, { method: 'DELETE', path: RULES_API, token });
    if (deleted.status !== 200) return deleted;
    const lifted = await poll(30, async () => ((await gated(cluster)) ? null : true));
    return outcome(lifted === true, lifted ? "the finalizer lifted node-b's taint" : "node-b's taint stayed on");
  } finally {
    await cluster.kubectlOk(['delete', 'nodereadinessrule', 'admin-gate', '--ignore-not-found', '--wait=true']);
    await cluster.kubectlOk(['apply', '-f', join(upstreamDir, 'examples/constrained-impersonation/readiness-rule.yaml')]);
  }
}

const rules = (verbs: string) => `[{apiGroups: [readiness.node.x-k8s.io], resources: [nodereadinessrules], verbs: [${verbs}]}]`;

const attacks: [Attack, Attack][] = [
  twins(
    'disrupt-other-nodes',
    createGatingRule,
    ['creating a rule that taints node-b: the controller taints it', role('rule-creator', rules('create'))],
    ['creating rules through a RoleBinding only', role('rule-creator-ns', rules('create'), undefined, NAMESPACE)],
  ),
  twins(
    'lift-readiness-taints',
    deleteEveryRule,
    ["deleting every rule at once: NRC's finalizer lifts node-b's taint", role('rule-collector', rules('deletecollection'))],
    ['deletecollection on rules through a RoleBinding only', role('rule-collector-ns', rules('deletecollection'), undefined, NAMESPACE)],
  ),
];

walkAttacks("NRC's own machinery, walked for real with node-a's reporter token and the controller running", attacks, async (cluster) => {
  const controller = await startController(cluster);
  return () => controller.stop();
});
