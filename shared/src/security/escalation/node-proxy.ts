// nodes/proxy: the kubelet API, through which the attacker execs into any pod
// on any node and takes its token; a shell in a privileged pod there (a CNI
// agent, kube-proxy, a log shipper: most nodes run one) reads the node's own
// credentials, so the node's identity is taken as reached too.
import { anyName, isExactly, type Claim } from '../ledger/entry.ts';
import { toAccount, toSpecial, type EscalationClass, type Move, type MoveContext } from './model.ts';

export function* nodeProxy({ ask, pool, otherNode }: MoveContext): Generator<Move> {
  const proxy =
    ask({ verb: 'create', group: '', resource: 'nodes', subresource: 'proxy', name: otherNode }) ??
    ask({ verb: 'get', group: '', resource: 'nodes', subresource: 'proxy', name: otherNode });
  if (!proxy) return;
  for (const { namespace, name } of pool.running)
    yield toAccount(
      namespace,
      name,
      { how: 'exec through nodes/proxy into a pod on any node, taking the token of', grant: proxy },
      { anyNodeToken: true, credential: true },
    );
  yield toSpecial('any-node', {
    how: "exec through nodes/proxy into a privileged pod on any node, reading the node's credentials:",
    grant: proxy,
  });
}

/**
 * Any node's kubelet API is any pod's token on it and, through a privileged
 * pod, the node's identity: both walked. Not claimed: a grant named for some
 * nodes (the reporter's own among them, whose pods' accounts may hold more
 * than the reporter does).
 */
const nodeProxyClaim: Claim = {
  by: 'node-proxy',
  covers: (entry) => isExactly(entry, ['get', 'create'], '', 'nodes', 'proxy') && anyName(entry),
};

export const nodeProxies: EscalationClass = {
  id: 'node-proxy',
  summary:
    "nodes/proxy: the kubelet API, to exec into a pod on any node and take its ServiceAccount's token, or into a privileged one and take the node's identity",
  resources: ['nodes/proxy'],
  moves: [nodeProxy],
  claims: [nodeProxyClaim],
  proofs: [
    { attack: "nodes/proxy to node-b's kubelet, then the token of the reporter pod there", twin: 'reading nodes, without nodes/proxy' },
  ],
};
