// The RBAC objects a fresh cluster holds before anything is applied: the
// apiserver's bootstrap policy, with admin, edit and view filled by
// kube-controller-manager's aggregation controller. Offline `verify -f` adds
// them to the manifests so a binding to `edit` or `system:node` means what it
// means on a real cluster of that release.
//   node test/cluster/builtin-rbac.ts [1.35 ...]   rewrites kubectl-plugin/src/offline/builtin-rbac-<release>.json
//                                                 (every release the harness pins, by default)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from './cluster.ts';
import { RELEASES } from './releases.ts';
import { adminReader } from './requests.ts';

export const builtinRbacFile = (release: string) =>
  join(import.meta.dirname, '..', '..', 'kubectl-plugin', 'src', 'offline', `builtin-rbac-${release}.json`);

const KINDS = ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'] as const;

/** Only what RBAC decides from: names, rules, roleRefs and subjects. */
function essentials(object: Record<string, unknown>): Record<string, unknown> {
  const { name, namespace } = object['metadata'] as { name: string; namespace?: string };
  const kept: Record<string, unknown> = { metadata: namespace ? { name, namespace } : { name } };
  for (const field of ['rules', 'roleRef', 'subjects']) if (object[field] !== undefined) kept[field] = object[field];
  return kept;
}

interface ClusterRole {
  metadata: { name: string; labels?: Record<string, string> };
  rules?: unknown[];
  aggregationRule?: { clusterRoleSelectors?: { matchLabels?: Record<string, string> }[] };
}

async function aggregationSettled(reader: ReturnType<typeof adminReader>): Promise<boolean> {
  const listed = await reader.list('/apis/rbac.authorization.k8s.io/v1/clusterroles');
  if (!listed.ok) return false;
  const roles = listed.value as ClusterRole[];
  const selects = (selector: { matchLabels?: Record<string, string> }, role: ClusterRole) =>
    Object.entries(selector.matchLabels ?? {}).every(([key, value]) => role.metadata.labels?.[key] === value);
  return roles
    .filter((role) => role.aggregationRule)
    .every((aggregated) => {
      const have = new Set((aggregated.rules ?? []).map((rule) => JSON.stringify(rule)));
      const selected = roles.filter(
        (role) =>
          role !== aggregated && (aggregated.aggregationRule!.clusterRoleSelectors ?? []).some((selector) => selects(selector, role)),
      );
      return selected.every((role) => (role.rules ?? []).every((rule) => have.has(JSON.stringify(rule))));
    });
}

export async function readBuiltinRbac(cluster: Cluster): Promise<Record<(typeof KINDS)[number], unknown[]>> {
  const reader = adminReader(cluster);
  // Aggregated roles fill in as kube-controller-manager's aggregation controller
  // catches up with the bootstrap roles: wait until each holds every rule of the roles it selects.
  for (let attempt = 0; !(await aggregationSettled(reader)); attempt++) {
    if (attempt === 120) throw new Error('the aggregated ClusterRoles never settled');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const lists = await Promise.all(KINDS.map((kind) => reader.list(`/apis/rbac.authorization.k8s.io/v1/${kind}`)));
  const byName = (a: unknown, b: unknown) => {
    const key = (object: unknown) => JSON.stringify((object as { metadata: unknown }).metadata);
    return key(a).localeCompare(key(b));
  };
  return Object.fromEntries(
    KINDS.map((kind, index) => {
      const list = lists[index]!;
      if (!list.ok) throw new Error(`list ${kind}: ${list.message}`);
      return [kind, (list.value as Record<string, unknown>[]).map(essentials).sort(byName)];
    }),
  ) as Record<(typeof KINDS)[number], unknown[]>;
}

if (import.meta.main) {
  const releases = process.argv.length > 2 ? process.argv.slice(2) : RELEASES.map(({ release }) => release);
  for (const release of releases) {
    const cluster = await startCluster({ kubernetes: release });
    try {
      writeFileSync(builtinRbacFile(release), `${JSON.stringify(await readBuiltinRbac(cluster), null, 1)}\n`);
    } finally {
      await cluster.stop();
    }
  }
}
