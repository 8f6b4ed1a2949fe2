// RBAC for tests, as YAML for `kubectl apply -f -`: a ClusterRole and its binding.

/**
 * A ClusterRole with `rules` (a YAML flow sequence) bound to `subjects`
 * (a YAML flow sequence): cluster-wide, or in `namespace` with a RoleBinding.
 */
export function boundClusterRole(name: string, rules: string, subjects: string, namespace?: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${namespace ? 'RoleBinding' : 'ClusterRoleBinding'}
metadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: ${subjects}
`;
}

export const serviceAccountSubject = (namespace: string, name: string): string =>
  `[{kind: ServiceAccount, name: ${name}, namespace: ${namespace}}]`;
