// A node's identity is not a dead end: the Node authorizer lets
// system:node:<name> create a token (TokenRequest bound to the pod, which
// NodeRestriction requires) for the ServiceAccount of any pod bound to it, and
// read the Secrets those pods mount. Being any node, the attacker reaches
// every ServiceAccount a pod runs as.
import { toAccount, type EscalationClass, type Move, type MoveContext, type Principal } from './model.ts';

/**
 * From any node to every ServiceAccount a pod may run as. The workloads read
 * are DaemonSets and Deployments only; a Job's, a StatefulSet's or a bare
 * pod's account, or a legacy token Secret a pod mounts, is as reachable, so
 * every account the bindings name is taken as one some pod may run as.
 */
export function* nodeIdentityMoves(_from: Principal, { pool }: Pick<MoveContext, 'pool'>): Generator<Move> {
  const running = new Set(pool.running.map(({ namespace, name }) => `${namespace}/${name}`));
  for (const { namespace, name } of pool.accounts)
    yield toAccount(
      namespace,
      name,
      {
        how: 'as the node its pod runs on, mint a token bound to that pod for',
        grant: running.has(`${namespace}/${name}`)
          ? 'the Node authorizer: a pod bound to that node runs as it'
          : 'the Node authorizer, if any pod runs as it (only DaemonSets and Deployments are read)',
      },
      { anyNodeToken: true, credential: true },
    );
}

export const nodeIdentity: EscalationClass = {
  id: 'node-identity',
  summary:
    "any node's identity (system:node:*): a token for the ServiceAccount of any pod, bound to that pod on its node (the Node authorizer and NodeRestriction)",
  resources: [],
  moves: [],
  claims: [],
  proofs: [
    {
      attack: "node-b's identity mints a token for the ServiceAccount of a pod bound to node-b",
      twin: 'the same for a pod bound to node-a',
    },
  ],
};
