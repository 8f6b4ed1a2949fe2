// Verify without a cluster: the same answers the gatherer collects, made from
// manifests (a chart's rendered output, an overlay, a directory of YAML). The
// posture questions are answered by the RBAC model over the manifests' RBAC
// plus the built-in roles and bindings every cluster holds, and the cluster's
// version and feature gate are assumed, and said to be.
import { featureAt } from '../base/releases.ts';
import { asRecord, asString, metadataOf } from '../base/read.ts';
import { rbacAnswerer } from '../security/authorizers.ts';
import { gateOf, type ClusterFacts } from '../nrc/gate.ts';
import { accountKey, sampleNodes, type SecurityAnswers } from './gather.ts';
import { answerPostureQuestions, postureQuestions } from '../security/posture.ts';
import type { RbacObjects } from '../security/rbac.ts';
import { discoverReporters, type Reporter } from '../nrc/reporters.ts';

export interface Manifests {
  workloads: unknown[];
  rbac: RbacObjects;
  rules: unknown[];
  nodes: unknown[];
  nodePools: unknown[];
  /** The Namespaces the manifests hold, for their Pod Security labels; any other is taken at the default, privileged. */
  namespaces: unknown[];
}

const RBAC_KINDS: Record<string, keyof RbacObjects> = {
  ClusterRole: 'clusterRoles',
  ClusterRoleBinding: 'clusterRoleBindings',
  Role: 'roles',
  RoleBinding: 'roleBindings',
};
/** The namespaced kinds verify reads; kubectl puts such objects in -n's namespace when they name none. */
const NAMESPACED_KINDS = new Set(['DaemonSet', 'Deployment', 'Role', 'RoleBinding', 'ServiceAccount', 'ConfigMap']);

/** Fills in the namespace kubectl apply would use for objects that name none. */
export function inNamespace(objects: unknown[], namespace: string): unknown[] {
  return objects.map((object) => {
    const record = asRecord(object);
    if (!NAMESPACED_KINDS.has(asString(record['kind']) ?? '') || metadataOf(object).namespace) return object;
    return { ...record, metadata: { ...asRecord(record['metadata']), namespace } };
  });
}

const identity = (object: unknown) => `${metadataOf(object).namespace}/${metadataOf(object).name}`;

/** Sorts manifests into what verify reads; a manifest replaces a built-in of the same name, as an apply would. */
export function sortManifests(objects: unknown[], builtins: RbacObjects): Manifests {
  const rbac: RbacObjects = { clusterRoles: [], clusterRoleBindings: [], roles: [], roleBindings: [] };
  const workloads: unknown[] = [];
  const rules: unknown[] = [];
  const nodes: unknown[] = [];
  const nodePools: unknown[] = [];
  const namespaces: unknown[] = [];
  for (const object of objects) {
    const kind = asString(asRecord(object)['kind']) ?? '';
    if (kind in RBAC_KINDS) rbac[RBAC_KINDS[kind]!].push(object);
    else if (kind === 'DaemonSet' || kind === 'Deployment') workloads.push(object);
    else if (kind === 'NodeReadinessRule') rules.push(object);
    else if (kind === 'Node') nodes.push(object);
    else if (kind === 'Namespace') namespaces.push(object);
    else if (kind === 'NodePool' && (asString(asRecord(object)['apiVersion']) ?? '').startsWith('karpenter.sh/')) nodePools.push(object);
  }
  for (const key of Object.keys(rbac) as (keyof RbacObjects)[]) {
    const applied = new Set(rbac[key].map(identity));
    rbac[key] = [...builtins[key].filter((object) => !applied.has(identity(object))), ...rbac[key]];
  }
  return { workloads, rbac, rules, nodes, nodePools, namespaces };
}

export interface ManifestAssumptions {
  /** "1.36": the Kubernetes minor the manifests are judged against. */
  kubernetesVersion: string;
  /** The ConstrainedImpersonation gate as the apiserver has it; null for that release's default. */
  constrainedImpersonation: boolean | null;
  /** The release whose built-in roles and bindings were added: kubernetesVersion's own, or the oldest known for an older one. */
  builtinRbacRelease: string;
}

export const manifestsNote = ({ kubernetesVersion, constrainedImpersonation, builtinRbacRelease }: ManifestAssumptions): string =>
  `verdicts from manifests, not from an apiserver: assumed Kubernetes ${kubernetesVersion} with ConstrainedImpersonation ${
    constrainedImpersonation === null ? 'at its default' : constrainedImpersonation ? 'enabled' : 'disabled'
  }, ${
    builtinRbacRelease === kubernetesVersion
      ? 'its built-in roles and bindings'
      : `the built-in roles and bindings of Kubernetes ${builtinRbacRelease} (the oldest release known here; ${kubernetesVersion}'s own may differ)`
  }, and no other authorizer or webhook`;

/** What the gatherer would have collected, had these manifests been applied to a cluster of that version. */
export function manifestAnswers(
  manifests: Manifests,
  assumptions: ManifestAssumptions,
  select: (discovered: Reporter[]) => Reporter[] = (discovered) => discovered,
): SecurityAnswers {
  // No flag: the gate as the release ships it, which offline has no apiserver to ask about.
  const enabled = assumptions.constrainedImpersonation ?? featureAt(assumptions.kubernetesVersion, 'ConstrainedImpersonation').onByDefault;
  const facts: ClusterFacts = { gitVersion: `v${assumptions.kubernetesVersion}`, featureMetric: enabled ? 1 : 0 };
  const nodes = sampleNodes(manifests.nodes);
  const reporters = select(discoverReporters(manifests.workloads, []).reporters);
  const answerer = rbacAnswerer(manifests.rbac);
  const byServiceAccount = new Map(
    reporters.map(({ serviceAccount }) => [
      accountKey(serviceAccount),
      answerPostureQuestions(postureQuestions(serviceAccount, nodes), answerer),
    ]),
  );
  return {
    facts,
    gate: gateOf(facts),
    assumedGate: assumptions.constrainedImpersonation === null ? 'default' : 'flag',
    workloads: manifests.workloads,
    namespaces: manifests.namespaces,
    // Manifests are what a change applies, not the whole cluster.
    workloadsComplete: false,
    nodePools: manifests.nodePools.length > 0 ? manifests.nodePools : null,
    reporters,
    sampleNodes: nodes,
    source: 'manifests',
    unverifiedReason: null,
    byServiceAccount,
    rbac: manifests.rbac,
    notes: [manifestsNote(assumptions)],
  };
}
