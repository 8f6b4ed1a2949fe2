// RBAC's own machinery, walked for real: node-a's reporter token binds itself
// a named role, adds itself to someone else's binding, or rewrites a role
// bound to it, and the apiserver's bind and escalate checks decide. Each
// attack's nearest denied twin is the same request without the one grant
// RBAC's escalation check looks for.
import { serviceAccountSubject } from '../cluster/rbac.ts';
import { apiRequest, type ApiResponse } from '../cluster/requests.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { REPORTER } from '../cluster/scenario.ts';
import { NAMESPACE, forgeStatus, role, twins, walkAttacks, type Attack } from './escalation-kit.ts';

const RBAC_API = '/apis/rbac.authorization.k8s.io/v1';
const reporter = { kind: 'ServiceAccount', name: REPORTER.serviceAccount, namespace: NAMESPACE };

/** A ClusterRole bound to no one. */
const unboundRole = (name: string, rules: string) =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: ${name}}\nrules: ${rules}\n`;
const STATUS_RULES = '[{apiGroups: [""], resources: [nodes/status], verbs: [get, update]}]';
const READ_RULES = '[{apiGroups: [""], resources: [nodes], verbs: [get, list]}]';
const binder = (name: string, bindable: string) =>
  role(
    name,
    `[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}, {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [${bindable}]}]`,
  );

/** Creates a ClusterRoleBinding of `clusterRole` to the reporter with its own token, then writes node-b's status with it. */
async function bindAndForge(cluster: Cluster, token: string, clusterRole: string): Promise<ApiResponse> {
  const name = `attack-bind-${clusterRole}`;
  const bound = await apiRequest(cluster, {
    method: 'POST',
    path: `${RBAC_API}/clusterrolebindings`,
    token,
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [reporter],
    },
  });
  if (bound.status !== 201) return bound;
  try {
    return await forgeStatus(cluster, token);
  } finally {
    await cluster.kubectlOk(['delete', 'clusterrolebinding', name]);
  }
}

/** Adds the reporter to an existing ClusterRoleBinding with a JSON patch, then writes node-b's status. */
async function joinBindingAndForge(cluster: Cluster, token: string, binding: string): Promise<ApiResponse> {
  const joined = await apiRequest(cluster, {
    method: 'PATCH',
    path: `${RBAC_API}/clusterrolebindings/${binding}`,
    token,
    body: [{ op: 'add', path: '/subjects/-', value: reporter }],
    contentType: 'application/json-patch+json',
  });
  return joined.status === 200 ? forgeStatus(cluster, token) : joined;
}

/** Rewrites a ClusterRole bound to the reporter so it writes node status, then writes node-b's status. */
async function rewriteRoleAndForge(cluster: Cluster, token: string, clusterRole: string): Promise<ApiResponse> {
  const rewritten = await apiRequest(cluster, {
    method: 'PATCH',
    path: `${RBAC_API}/clusterroles/${clusterRole}`,
    token,
    body: [{ op: 'add', path: '/rules/-', value: { apiGroups: [''], resources: ['nodes/status'], verbs: ['get', 'update'] } }],
    contentType: 'application/json-patch+json',
  });
  if (rewritten.status !== 200) return rewritten;
  // The RBAC authorizer reads roles from an informer: the new rule takes a moment to apply.
  for (let attempt = 0; ; attempt++) {
    const written = await forgeStatus(cluster, token);
    if (written.status === 200 || attempt === 20) return written;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A ClusterRole bound to someone else (a ServiceAccount no reporter uses), that the reporter may patch. */
const othersBinding = (binding: string, clusterRole: string) =>
  `${unboundRole(clusterRole, STATUS_RULES)}---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${binding}, namespace: ${NAMESPACE}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${binding}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${clusterRole}}
subjects: ${serviceAccountSubject(NAMESPACE, binding)}
`;

const attacks: [Attack, Attack][] = [
  [
    {
      name: 'binding itself a named ClusterRole that writes node status',
      grants: `${unboundRole('named-status-writer', STATUS_RULES)}---\n${binder('status-binder', 'named-status-writer')}`,
      run: (cluster, token) => bindAndForge(cluster, token, 'named-status-writer'),
      capability: 'forge-other-node-conditions',
    },
    {
      // The binding is admitted (bind names this role); the status write is what fails.
      name: 'binding a named ClusterRole that only reads nodes',
      grants: `${unboundRole('named-node-reader', READ_RULES)}---\n${binder('reader-binder', 'named-node-reader')}`,
      run: (cluster, token) => bindAndForge(cluster, token, 'named-node-reader'),
      capability: 'forge-other-node-conditions',
    },
  ],
  twins(
    'forge-other-node-conditions',
    async (cluster, token) => joinBindingAndForge(cluster, token, 'ops-status'),
    [
      "adding itself to someone else's binding of a status writer, with bind on its role",
      `${othersBinding('ops-status', 'ops-status-writer')}---\n${role(
        'binding-joiner',
        '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [patch], resourceNames: [ops-status]}, {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [ops-status-writer]}]',
      )}`,
    ],
    [
      'patching that binding without bind on its role',
      `${othersBinding('ops-status', 'ops-status-writer')}---\n${role(
        'binding-patcher',
        '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [patch], resourceNames: [ops-status]}]',
      )}`,
      "patching a binding can also remove subjects (NRC's controller's, a reporter's), which no class walks yet",
    ],
  ),
  twins(
    'forge-other-node-conditions',
    async (cluster, token) => rewriteRoleAndForge(cluster, token, 'self-editor'),
    [
      'rewriting a ClusterRole bound to it, with escalate',
      role(
        'self-editor',
        '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [get, patch, escalate], resourceNames: [self-editor]}]',
      ),
    ],
    [
      'rewriting it without escalate',
      role(
        'self-editor',
        '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [get, patch], resourceNames: [self-editor]}]',
      ),
      "rewriting a role can also take permissions away (NRC's controller's, a reporter's), which no class walks yet",
    ],
  ),
];

walkAttacks("RBAC's bind and escalate, walked for real with node-a's reporter token", attacks);
