// Certificate signing: a kubelet client certificate for any node, approved by
// the attacker, or by kube-controller-manager's csrapproving controller for
// whoever may create certificatesigningrequests/nodeclient; or a client
// certificate for any user and groups from the kube-apiserver-client signer,
// which kube-controller-manager signs once the attacker approves it. The
// apiserver refuses that signer's requests for system:masters (403 at
// create: proven in test/e2e/escalation-workloads.test.ts).
import { isExactly, type Claim } from '../ledger/entry.ts';
import { serviceAccountUser } from '../rbac.ts';
import { toSpecial, type EscalationClass, type Move, type MoveContext, type Pool } from './model.ts';

const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
const API_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
const WALKED_SIGNERS = new Set([KUBELET_CLIENT_SIGNER, API_CLIENT_SIGNER]);

/**
 * The two client signers kube-controller-manager signs for. Approving for any
 * other, or for a name pattern (kubernetes.io/*), is not walked: kubelet
 * serving certificates stand between the apiserver and a kubelet, and another
 * signer is whatever its controller makes of it.
 */
const certificatesClaim: Claim = {
  by: 'certificates',
  covers: (entry) =>
    isExactly(entry, ['create', 'get', 'list', 'watch'], 'certificates.k8s.io', 'certificatesigningrequests') ||
    isExactly(entry, ['create'], 'certificates.k8s.io', 'certificatesigningrequests', 'nodeclient') ||
    isExactly(entry, ['update'], 'certificates.k8s.io', 'certificatesigningrequests', 'approval') ||
    (isExactly(entry, ['approve'], 'certificates.k8s.io', 'signers') &&
      entry.resourceNames !== null &&
      entry.resourceNames.every((name) => WALKED_SIGNERS.has(name))),
};

export function* certificateSigning({ ask, pool }: MoveContext): Generator<Move> {
  const csr = [
    ask({ verb: 'create', group: 'certificates.k8s.io', resource: 'certificatesigningrequests' }),
    ask({ verb: 'update', group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval' }),
    ask({ verb: 'approve', group: 'certificates.k8s.io', resource: 'signers', name: KUBELET_CLIENT_SIGNER }),
  ];
  if (csr.every(Boolean))
    yield toSpecial('any-node', {
      how: `create and approve a ${KUBELET_CLIENT_SIGNER} certificate signing request`,
      grant: csr.join('; '),
    });
  // The approval's answer carries the certificate once signed: no read is needed.
  const apiClient = [csr[0], csr[1], ask({ verb: 'approve', group: 'certificates.k8s.io', resource: 'signers', name: API_CLIENT_SIGNER })];
  if (apiClient.every(Boolean)) yield* anyClientCertificate(pool, apiClient.join('; '));
  // The signed certificate is read back from the CSR.
  const csrRead = ['get', 'list', 'watch']
    .map((verb) => ask({ verb, group: 'certificates.k8s.io', resource: 'certificatesigningrequests', name: 'any-csr' }))
    .find(Boolean);
  const autoApproved = [
    csr[0],
    ask({ verb: 'create', group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'nodeclient' }),
    csrRead ?? null,
  ];
  if (autoApproved.every(Boolean))
    yield toSpecial('any-node', {
      how: `create a ${KUBELET_CLIENT_SIGNER} certificate signing request, which kube-controller-manager approves for nodeclient`,
      grant: autoApproved.join('; '),
    });
}

/**
 * What one client certificate can say: CN any user (a node, a ServiceAccount's
 * user name) and O every group the bindings name at once, system:masters
 * excepted.
 */
function* anyClientCertificate(pool: Pool, grant: string): Generator<Move> {
  const how = `create and approve a ${API_CLIENT_SIGNER} certificate signing request for`;
  yield toSpecial('any-node', { how: `${how} CN=system:node:<name>, O=system:nodes`, grant });
  const groups = [...pool.groups.filter((group) => group !== 'system:masters'), 'system:authenticated'];
  const users = [
    { username: 'any user', label: 'a user in every group the bindings name' },
    ...pool.users.map((name) => ({ username: name, label: `User ${name}, in every group the bindings name` })),
    ...pool.accounts.map(({ namespace, name }) => ({
      username: serviceAccountUser(namespace, name).username,
      label: `ServiceAccount ${namespace}/${name}'s user name, in every group the bindings name`,
    })),
  ];
  for (const { username, label } of users)
    yield [
      {
        label,
        kind: 'identity',
        user: { username, groups },
        constrained: null,
        anyNodeToken: false,
        ownNodeToken: false,
        credential: true,
      },
      { how: `${how} CN=${username}, O=<every group>`, to: label, grant },
    ];
}

export const certificates: EscalationClass = {
  id: 'certificates',
  summary:
    "create a kubelet client CSR and approve it, or create it with nodeclient for kube-controller-manager to approve: any node's identity; create and approve a kube-apiserver-client CSR: any user and groups but system:masters",
  resources: ['certificatesigningrequests', 'certificatesigningrequests/approval', 'certificatesigningrequests/nodeclient', 'signers'],
  moves: [certificateSigning],
  claims: [certificatesClaim],
  proofs: [
    {
      attack: "creating and approving a kubelet client CSR for node-b: node-b's certificate",
      twin: 'the same, without certificatesigningrequests/approval',
    },
    {
      attack: "creating and approving a kube-apiserver-client CSR for node-b's user and group: node-b's certificate",
      twin: 'the same kube-apiserver-client CSR, without certificatesigningrequests/approval',
    },
    {
      attack: 'creating a kubelet client CSR that kube-controller-manager approves for nodeclient',
      twin: 'creating one without nodeclient: nobody approves it',
    },
  ],
};
