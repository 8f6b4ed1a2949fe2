// nodes/proxy: the kubelet API, through which the attacker execs into any pod
// on any node and takes its token.
import { toAccount, type EscalationClass, type Move, type MoveContext } from './model.ts';

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
}

/** Walked as a hop but claims nothing: a shell in a privileged pod reaches its node's own credentials, which no class walks yet. */
export const nodeProxies: EscalationClass = {
  id: 'node-proxy',
  summary: "nodes/proxy: the kubelet API, to exec into a pod on any node and take its ServiceAccount's token",
  resources: ['nodes/proxy'],
  moves: [nodeProxy],
  claims: [],
  proofs: [
    { attack: "nodes/proxy to node-b's kubelet, then the token of the reporter pod there", twin: 'reading nodes, without nodes/proxy' },
  ],
};
