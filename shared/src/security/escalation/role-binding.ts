// Role binding: binding itself cluster-admin, or escalating a role it creates
// and binds, is any permission at all.
import { isExactly, type Claim } from '../ledger/entry.ts';
import { toSpecial, type EscalationClass, type Move, type MoveContext } from './model.ts';

/**
 * Creating ClusterRoles and ClusterRoleBindings grants only what the creator
 * holds, unless it may escalate or bind: bind on any ClusterRole includes
 * cluster-admin, which is walked; binding a named other role, RoleBindings and
 * rewriting existing bindings are not walked yet.
 */
const roleBindingClaim: Claim = {
  by: 'role-binding',
  covers: (entry) =>
    entry.namespace === null &&
    (isExactly(entry, ['create'], 'rbac.authorization.k8s.io', 'clusterrolebindings') ||
      isExactly(entry, ['create', 'escalate'], 'rbac.authorization.k8s.io', 'clusterroles') ||
      (isExactly(entry, ['bind'], 'rbac.authorization.k8s.io', 'clusterroles') &&
        (entry.resourceNames === null || entry.resourceNames.includes('cluster-admin')))),
};

export function* roleBinding({ ask }: MoveContext): Generator<Move> {
  const bindsClusterAdmin =
    ask({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' }) &&
    ask({ verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'cluster-admin' });
  const escalates =
    ask({ verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' }) &&
    ask({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' }) &&
    ask({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' });
  if (bindsClusterAdmin || escalates)
    yield toSpecial('anyone', { how: 'bind itself a role with any permission', grant: (bindsClusterAdmin || escalates)! });
}

export const roleBindings: EscalationClass = {
  id: 'role-binding',
  summary: 'create a ClusterRoleBinding with bind on cluster-admin, or escalate a ClusterRole it creates and binds: any permission',
  resources: ['clusterrolebindings', 'clusterroles'],
  moves: [roleBinding],
  claims: [roleBindingClaim],
  proofs: [{ attack: 'binding itself cluster-admin', twin: 'binding only the view role' }],
};
