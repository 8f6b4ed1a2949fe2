// The RBAC objects a fresh cluster holds before anything is applied: the
// apiserver's bootstrap policy, with admin, edit and view filled by
// kube-controller-manager's aggregation controller. Offline `verify -f` adds
// them to the manifests so a binding to `edit` or `system:node` means what it
// means on a real cluster.
//   node test/cluster/builtin-rbac.ts   rewrites kubectl-plugin/src/offline/builtin-rbac.json
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from './cluster.ts';
import { adminReader } from './requests.ts';

export const builtinRbacFile = join(import.meta.dirname, '..', '..', 'kubectl-plugin', 'src', 'offline', 'builtin-rbac.json');

const KINDS = ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'] as const;

/** Only what RBAC decides from: names, rules, roleRefs and subjects. */
function essentials(object: Record<string, unknown>): Record<string, unknown> {
  const { name, namespace } = object['metadata'] as { name: string; namespace?: string };
  const kept: Record<string, unknown> = { metadata: namespace ? { name, namespace } : { name } };
  for (const field of ['rules', 'roleRef', 'subjects']) if (object[field] !== undefined) kept[field] = object[field];
  return kept;
}

export async function readBuiltinRbac(cluster: Cluster): Promise<Record<(typeof KINDS)[number], unknown[]>> {
  const reader = adminReader(cluster);
  // Aggregated roles start empty; kube-controller-manager fills them within a second or two.
  for (let attempt = 0; ; attempt++) {
    const view = await reader.getJSON('/apis/rbac.authorization.k8s.io/v1/clusterroles/view');
    if (view.ok && ((view.value as { rules?: unknown[] }).rules ?? []).length > 0) break;
    if (attempt === 120) throw new Error('the view ClusterRole was never aggregated');
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
  const cluster = await startCluster();
  try {
    writeFileSync(builtinRbacFile, `${JSON.stringify(await readBuiltinRbac(cluster), null, 1)}\n`);
  } finally {
    await cluster.stop();
  }
}
