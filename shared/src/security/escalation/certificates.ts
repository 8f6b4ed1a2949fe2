// Certificate signing: a kubelet client certificate for any node, approved by
// the attacker, or by kube-controller-manager's csrapproving controller for
// whoever may create certificatesigningrequests/nodeclient.
import { isExactly, type Claim } from '../ledger/entry.ts';
import { toSpecial, type EscalationClass, type Move, type MoveContext } from './model.ts';

const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

/** The kubelet client signer's path; approving for any other signer (a client certificate for any user) is not walked yet. */
const certificatesClaim: Claim = {
  by: 'certificates',
  covers: (entry) =>
    isExactly(entry, ['create', 'get', 'list', 'watch'], 'certificates.k8s.io', 'certificatesigningrequests') ||
    isExactly(entry, ['create'], 'certificates.k8s.io', 'certificatesigningrequests', 'nodeclient') ||
    isExactly(entry, ['update'], 'certificates.k8s.io', 'certificatesigningrequests', 'approval') ||
    (isExactly(entry, ['approve'], 'certificates.k8s.io', 'signers') &&
      entry.resourceNames !== null &&
      entry.resourceNames.every((name) => name === KUBELET_CLIENT_SIGNER)),
};

export function* certificateSigning({ ask }: MoveContext): Generator<Move> {
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

export const certificates: EscalationClass = {
  id: 'certificates',
  summary:
    "create a kubelet client CSR and approve it, or create it with nodeclient for kube-controller-manager to approve: any node's identity",
  resources: ['certificatesigningrequests', 'certificatesigningrequests/approval', 'certificatesigningrequests/nodeclient', 'signers'],
  moves: [certificateSigning],
  claims: [certificatesClaim],
  proofs: [
    {
      attack: "creating and approving a kubelet client CSR for node-b: node-b's certificate",
      twin: 'the same, with approve only for the plain client signer',
    },
    {
      attack: 'creating a kubelet client CSR that kube-controller-manager approves for nodeclient',
      twin: 'creating one without nodeclient: nobody approves it',
    },
  ],
};
