// Role binding: binding itself cluster-admin, or escalating a role it creates
// and binds, is any permission at all.
import { toSpecial, type Move, type MoveContext } from './model.ts';

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
