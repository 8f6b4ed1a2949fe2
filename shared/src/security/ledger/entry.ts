// One permission of an identity, as narrow as RBAC can state it: a verb on a
// group's resource (or a non-resource URL), where it applies and which names,
// with the binding and role behind it. The ledger is every such entry.
import type { ObjectRef, PolicyRule } from '../../base/kube.ts';

export interface LedgerEntry {
  verb: string;
  /** Empty for non-resource URLs. */
  apiGroup: string;
  resource: string;
  subresource: string;
  /** The namespace a RoleBinding confines it to; null for a ClusterRoleBinding. */
  namespace: string | null;
  /** null: any name. */
  resourceNames: string[] | null;
  /** Set for a non-resource rule, such as /version; then the resource fields are empty. */
  nonResourceURL?: string;
  binding: ObjectRef;
  role: ObjectRef;
}

/** What an escalation class or capability check declares: the entries whose every effect on readiness it walks. */
export interface Claim {
  /** The class's file in escalation/, or the capability it yields. */
  by: string;
  covers(entry: LedgerEntry): boolean;
}

/** Every entry one rule grants through one binding. Non-resource rules count only through ClusterRoleBindings, as RBAC evaluates them. */
export function expandRule(rule: PolicyRule, binding: ObjectRef, role: ObjectRef, scope: string | undefined): LedgerEntry[] {
  const namespace = scope ?? null;
  const resourceNames = rule.resourceNames.length > 0 ? rule.resourceNames : null;
  const entries: LedgerEntry[] = [];
  for (const verb of rule.verbs) {
    if (scope === undefined)
      for (const url of rule.nonResourceURLs)
        entries.push({
          verb,
          apiGroup: '',
          resource: '',
          subresource: '',
          namespace,
          resourceNames: null,
          nonResourceURL: url,
          binding,
          role,
        });
    for (const apiGroup of rule.apiGroups)
      for (const combined of rule.resources) {
        const [resource = '', ...rest] = combined.split('/');
        entries.push({ verb, apiGroup, resource, subresource: rest.join('/'), namespace, resourceNames, binding, role });
      }
  }
  return entries;
}

/** Whether the entry is exactly this verb on this group's resource and subresource: no wildcard stands in for one. */
export function isExactly(entry: LedgerEntry, verbs: readonly string[], apiGroup: string, resource: string, subresource = ''): boolean {
  return (
    entry.nonResourceURL === undefined &&
    verbs.includes(entry.verb) &&
    entry.apiGroup === apiGroup &&
    entry.resource === resource &&
    entry.subresource === subresource
  );
}

export const anyName = (entry: LedgerEntry): boolean => entry.resourceNames === null;

/** "get pods/log in team-a (names: a, b)", "get /version". */
export function describeEntry(entry: LedgerEntry): string {
  if (entry.nonResourceURL !== undefined) return `${entry.verb} ${entry.nonResourceURL}`;
  const group = entry.apiGroup === '' ? '' : `.${entry.apiGroup}`;
  const resource = `${entry.resource}${group}${entry.subresource ? `/${entry.subresource}` : ''}`;
  const where = entry.namespace === null ? 'cluster-wide' : `in ${entry.namespace}`;
  const names = entry.resourceNames ? ` (names: ${entry.resourceNames.join(', ')})` : '';
  return `${entry.verb} ${resource} ${where}${names}`;
}

export function describeSource(entry: LedgerEntry): string {
  const where = entry.binding.namespace ? `${entry.binding.namespace}/` : '';
  const roleWhere = entry.role.namespace ? `${entry.role.namespace}/` : '';
  return `${entry.binding.kind} ${where}${entry.binding.name} → ${entry.role.kind} ${roleWhere}${entry.role.name}`;
}
