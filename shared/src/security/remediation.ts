// The hardened RBAC for one reporter, in the shape of NRC's secure-reporting
// guide but named after its ServiceAccount, plus the workload's env patch.
import { stringify } from 'yaml';
import type { Reporter } from '../nrc/reporters.ts';

export interface Remediation {
  /** ClusterRoles and ClusterRoleBindings, ready for kubectl apply -f. */
  rbacYaml: string;
  /** A strategic-merge patch for the reporter's workload. */
  workloadPatchYaml: string;
  /** The kubectl command that applies the patch. */
  patchCommand: string;
  /** Bindings the findings cite as over-broad, to delete once the above is in place. */
  bindingsToRemove: string[];
}

export function remediationFor(reporter: Reporter, bindingsToRemove: string[] = []): Remediation {
  const { namespace, name } = reporter.serviceAccount;
  const subjects = [{ kind: 'ServiceAccount', name, namespace }];
  const impersonator = `${name}-node-impersonator`;
  const constrained = `${name}-node-status-constrained`;
  const roleRef = (role: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role });
  const documents = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: impersonator },
      rules: [{ apiGroups: ['authentication.k8s.io'], resources: ['nodes'], verbs: ['impersonate:associated-node'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: constrained },
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['impersonate-on:associated-node:get'] },
        { apiGroups: [''], resources: ['nodes/status'], verbs: ['impersonate-on:associated-node:update'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: impersonator },
      roleRef: roleRef(impersonator),
      subjects,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: constrained },
      roleRef: roleRef(constrained),
      subjects,
    },
  ];
  const header = [
    `# Constrained impersonation (KEP-5284) for ${namespace}/${name}: only its own node, only get and update of its status.`,
    ...(bindingsToRemove.length > 0
      ? ['# Then remove the over-broad bindings:', ...bindingsToRemove.map((binding) => `#   ${binding}`)]
      : []),
  ].join('\n');
  const patch = {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: reporter.container,
              env: [
                { name: 'IMPERSONATE_NODE', value: 'true' },
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              ],
            },
          ],
        },
      },
    },
  };
  const workloadPatchYaml = stringify(patch);
  const kind = reporter.workload.kind.toLowerCase();
  return {
    rbacYaml: `${header}\n${documents.map((document) => stringify(document)).join('---\n')}`,
    workloadPatchYaml,
    patchCommand: `kubectl -n ${reporter.workload.namespace} patch ${kind} ${reporter.workload.name} --patch-file reporter-env-patch.yaml`,
    bindingsToRemove,
  };
}
