// nodes/proxy: the kubelet API, through which the attacker execs into any pod
// on any node and takes its token.
import { toAccount, type Move, type MoveContext } from './model.ts';

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
