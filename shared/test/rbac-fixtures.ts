// RBAC object sets for tests: NRC's upstream examples, read in place, and
// hand-made variants.
import type { RbacObjects } from '../src/index.ts';
import { loadManifests, ofKind, type Manifest } from './fixtures.ts';

function isManifest(entry: Manifest | Record<string, unknown>): entry is Manifest {
  return 'object' in entry && 'file' in entry;
}

/** Collects RBAC objects from upstream manifests and hand-made objects alike. */
export function rbacFrom(...sources: (Manifest | Record<string, unknown>)[][]): RbacObjects {
  const objects = sources.flat().map((entry) => (isManifest(entry) ? entry.object : entry));
  const of = (kind: string) => objects.filter((object) => object['kind'] === kind);
  return {
    clusterRoles: of('ClusterRole'),
    clusterRoleBindings: of('ClusterRoleBinding'),
    roles: of('Role'),
    roleBindings: of('RoleBinding'),
  };
}

export const upstream = {
  constrained: () => loadManifests('examples/constrained-impersonation'),
  broad: () => loadManifests('examples/cni-readiness'),
  npd: () => loadManifests('examples/security-agent-readiness/npd-variant'),
  falco: () => loadManifests('examples/security-agent-readiness/nrr-variant'),
};

export function clusterRole(name: string, rules: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules, ...extra };
}

export function bind(
  kind: 'ClusterRoleBinding' | 'RoleBinding',
  name: string,
  role: { kind: 'ClusterRole' | 'Role'; name: string },
  subjects: Record<string, unknown>[],
  namespace?: string,
): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...role },
    subjects,
  };
}

export const cniReporterSubject = { kind: 'ServiceAccount', name: 'cni-reporter', namespace: 'kube-system' };

export const legacyImpersonator = [
  clusterRole('legacy-impersonator', [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }]),
  bind('ClusterRoleBinding', 'legacy-impersonator', { kind: 'ClusterRole', name: 'legacy-impersonator' }, [cniReporterSubject]),
];

export const arbitraryNode = [
  clusterRole('arbitrary-node', [
    { apiGroups: ['authentication.k8s.io'], resources: ['nodes'], verbs: ['impersonate:arbitrary-node'] },
    { apiGroups: [''], resources: ['nodes/status'], verbs: ['impersonate-on:arbitrary-node:update'] },
  ]),
  bind('ClusterRoleBinding', 'arbitrary-node', { kind: 'ClusterRole', name: 'arbitrary-node' }, [cniReporterSubject]),
];

/** NRC's controller, deployed as its Helm chart does: the Deployment the search names as a target. */
export const readinessController = {
  kind: 'Deployment',
  metadata: { name: 'node-readiness-controller', namespace: 'nrc-system' },
  spec: {
    template: {
      spec: {
        serviceAccountName: 'node-readiness-controller',
        containers: [{ name: 'manager', image: 'registry.k8s.io/node-readiness-controller/node-readiness-controller:v0.3.0' }],
      },
    },
  },
};

/** NRC's hardened example's reporter DaemonSet and NRC's controller: the workloads of the escalation tests. */
export const hardenedWorkloads = (): unknown[] => [
  ...ofKind(upstream.constrained(), 'DaemonSet').map((manifest) => manifest.object),
  readinessController,
];
