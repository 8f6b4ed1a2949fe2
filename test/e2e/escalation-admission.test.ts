// Admission policies, walked for real: node-a's reporter token registers a
// ValidatingAdmissionPolicy (or a MutatingAdmissionPolicy, served at v1 by
// this kube-apiserver) and the binding that turns it on; then node-b's own
// reporter token writes node-b's status as node-b, and kube-apiserver's CEL
// denies it or rewrites it. The nearest twin holds the same policy grant
// without the binding's: the policy is created, the binding is refused.
import type { Cluster } from '../cluster/cluster.ts';
import { apiRequest, putNodeStatus, type ApiResponse } from '../cluster/requests.ts';
import { CONDITION, podBoundToken } from '../cluster/scenario.ts';
import { TARGET, outcome, poll, role, twins, walkAttacks, type Attack } from './escalation-kit.ts';

const ADMISSION_API = '/apis/admissionregistration.k8s.io/v1';
const DENIED = 'denied by a policy';
const FORGED = 'forged by a policy';

const MATCH_NODE_STATUS = {
  resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['nodes/status'] }],
};
const ONLY_TARGET = [{ name: 'only-node-b', expression: `object.metadata.name == '${TARGET}'` }];

const policies = {
  validating: {
    resource: 'validatingadmissionpolicies',
    kind: 'ValidatingAdmissionPolicy',
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: MATCH_NODE_STATUS,
      matchConditions: ONLY_TARGET,
      validations: [{ expression: 'false', message: DENIED }],
    },
    binding: {
      resource: 'validatingadmissionpolicybindings',
      kind: 'ValidatingAdmissionPolicyBinding',
      extra: { validationActions: ['Deny'] },
    },
  },
  mutating: {
    resource: 'mutatingadmissionpolicies',
    kind: 'MutatingAdmissionPolicy',
    spec: {
      failurePolicy: 'Fail',
      reinvocationPolicy: 'Never',
      matchConstraints: MATCH_NODE_STATUS,
      matchConditions: ONLY_TARGET,
      mutations: [
        {
          patchType: 'JSONPatch',
          jsonPatch: {
            expression: `[JSONPatch{op: "replace", path: "/status/conditions", value: [{"type": "${CONDITION}", "status": "True", "reason": "Forged", "message": "${FORGED}"}]}]`,
          },
        },
      ],
    },
    binding: { resource: 'mutatingadmissionpolicybindings', kind: 'MutatingAdmissionPolicyBinding', extra: {} },
  },
};

/** node-b's condition as stored, after node-b's reporter wrote it. */
async function storedMessage(cluster: Cluster): Promise<string | undefined> {
  const node = JSON.parse(await cluster.kubectlOk(['get', 'node', TARGET, '-o', 'json'])) as {
    status: { conditions?: { type: string; message?: string }[] };
  };
  return node.status.conditions?.find((condition) => condition.type === CONDITION)?.message;
}

/**
 * Creates the policy and its binding with node-a's token, then writes
 * node-b's status with node-b's own reporter token as node-b: worked when a
 * validating policy denies it or a mutating one stored the attacker's condition.
 */
async function registerPolicyAndWrite(cluster: Cluster, token: string, kind: keyof typeof policies): Promise<ApiResponse> {
  const policy = policies[kind];
  const name = `attack-${kind}`;
  const created = await apiRequest(cluster, {
    method: 'POST',
    path: `${ADMISSION_API}/${policy.resource}`,
    token,
    body: { apiVersion: 'admissionregistration.k8s.io/v1', kind: policy.kind, metadata: { name }, spec: policy.spec },
  });
  if (created.status !== 201) return created;
  try {
    const bound = await apiRequest(cluster, {
      method: 'POST',
      path: `${ADMISSION_API}/${policy.binding.resource}`,
      token,
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: policy.binding.kind,
        metadata: { name },
        spec: { policyName: name, ...policy.binding.extra },
      },
    });
    if (bound.status !== 201) return bound;
    const nodeB = await podBoundToken(cluster, TARGET);
    // Policies reach the admission chain within a second or so.
    const worked = await poll(20, async () => {
      const write = await putNodeStatus(cluster, {
        node: TARGET,
        message: 'written by node-b',
        healthy: false,
        token: nodeB,
        impersonateUser: `system:node:${TARGET}`,
      });
      if (kind === 'validating') return write.status !== 200 && write.message.includes(DENIED) ? write.message : null;
      return (await storedMessage(cluster)) === FORGED ? 'forged' : null;
    });
    return outcome(worked !== null, worked ?? `the ${kind} policy never acted`);
  } finally {
    await cluster.kubectlOk(['delete', policy.binding.resource, name, '--ignore-not-found']);
    await cluster.kubectlOk(['delete', policy.resource, name]);
  }
}

const writes = (resources: string) => `[{apiGroups: [admissionregistration.k8s.io], resources: [${resources}], verbs: [create]}]`;

const attacks: [Attack, Attack][] = [
  twins(
    'disrupt-other-nodes',
    (cluster, token) => registerPolicyAndWrite(cluster, token, 'validating'),
    [
      "a validating admission policy and its binding: node-b's own status writes are denied",
      role('policy-denier', writes('validatingadmissionpolicies, validatingadmissionpolicybindings')),
    ],
    [
      'the same policy without create on bindings',
      role('policy-only', writes('validatingadmissionpolicies')),
      'a policy alone acts where an existing binding names it, which no class walks yet',
    ],
  ),
  twins(
    'forge-other-node-conditions',
    (cluster, token) => registerPolicyAndWrite(cluster, token, 'mutating'),
    [
      "a mutating admission policy and its binding: node-b's own status writes are forged",
      role('policy-mutator', writes('mutatingadmissionpolicies, mutatingadmissionpolicybindings')),
    ],
    [
      'the same mutating policy without create on bindings',
      role('mutating-policy-only', writes('mutatingadmissionpolicies')),
      'a policy alone acts where an existing binding names it, which no class walks yet',
    ],
  ),
];

walkAttacks("admission policies, walked for real with node-a's reporter token", attacks);
