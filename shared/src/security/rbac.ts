// RBAC as kube-apiserver's RBAC authorizer evaluates it, with provenance: every
// grant names the binding, the role and the rule that produced it, because
// that is the evidence each finding cites.
import type { Grant, ObjectRef, PolicyRule, Subject } from '../base/kube.ts';
import { asArray, asRecord, asString, metadataOf } from '../base/read.ts';
import { matchSelector } from '../nrc/selector.ts';

export interface RbacObjects {
  clusterRoles: unknown[];
  clusterRoleBindings: unknown[];
  roles: unknown[];
  roleBindings: unknown[];
}

export interface UserInfo {
  username: string;
  groups: string[];
}

/** What a request asks for, as authorization.k8s.io ResourceAttributes name it. */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  /** Empty for cluster-scoped resources such as nodes. */
  namespace?: string;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The identity a ServiceAccount token authenticates as. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    username: serviceAccountUsername(namespace, name),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

function strings(value: unknown): string[] {
  return asArray(value).filter((entry): entry is string => typeof entry === 'string');
}

export function readPolicyRules(role: unknown): PolicyRule[] {
  return asArray(asRecord(role)['rules']).map((raw) => {
    const rule = asRecord(raw);
    return {
      verbs: strings(rule['verbs']),
      apiGroups: strings(rule['apiGroups']),
      resources: strings(rule['resources']),
      resourceNames: strings(rule['resourceNames']),
      nonResourceURLs: strings(rule['nonResourceURLs']),
    };
  });
}

// rbac/v1 helpers: VerbMatches, APIGroupMatches, ResourceMatches, ResourceNameMatches.
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((ruleVerb) => ruleVerb === '*' || ruleVerb === verb);
}

function groupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((ruleGroup) => ruleGroup === '*' || ruleGroup === group);
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource === '' ? resource : `${resource}/${subresource}`;
  return rule.resources.some((ruleResource) => {
    if (ruleResource === '*' || ruleResource === combined) return true;
    return subresource !== '' && ruleResource === `*/${subresource}`;
  });
}

function nameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

export function ruleAllows(rule: PolicyRule, attributes: ResourceAttributes): boolean {
  return (
    verbMatches(rule, attributes.verb) &&
    groupMatches(rule, attributes.group) &&
    resourceMatches(rule, attributes.resource, attributes.subresource ?? '') &&
    nameMatches(rule, attributes.name ?? '')
  );
}

/** rbac/v1 NonResourceURLMatches: exact, "*", or a prefix ending in "*". */
export function nonResourceAllows(rule: PolicyRule, verb: string, path: string): boolean {
  if (!verbMatches(rule, verb)) return false;
  return rule.nonResourceURLs.some((url) => url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.slice(0, -1))));
}

/** Whether `user` may `verb` a non-resource path such as /metrics or /version, through ClusterRoleBindings. */
export function canAccessPath(index: BoundRole[], user: UserInfo, verb: string, path: string): boolean {
  return index.some(
    (entry) =>
      entry.scope === undefined &&
      entry.subjects.some((subject) => subjectMatches(subject, user)) &&
      entry.rules.some((rule) => nonResourceAllows(rule, verb, path)),
  );
}

export function readSubjects(binding: unknown, bindingNamespace: string): Subject[] {
  return asArray(asRecord(binding)['subjects']).flatMap((raw) => {
    const subject = asRecord(raw);
    const kind = asString(subject['kind']);
    const name = asString(subject['name']);
    if (kind === undefined || name === undefined) return [];
    const namespace = asString(subject['namespace']) ?? (kind === 'ServiceAccount' ? bindingNamespace : undefined);
    return [{ kind, name, ...(namespace ? { namespace } : {}) }];
  });
}

export function subjectMatches(subject: Subject, user: UserInfo): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.username;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount':
      return subject.namespace !== undefined && serviceAccountUsername(subject.namespace, subject.name) === user.username;
    default:
      return false;
  }
}

interface BoundRole {
  binding: ObjectRef;
  role: ObjectRef;
  subjects: Subject[];
  rules: PolicyRule[];
  /** Namespace a RoleBinding confines its rules to; undefined for ClusterRoleBindings. */
  scope: string | undefined;
  /** Where it stands in the index. */
  position: number;
}

const indexes = new WeakMap<RbacObjects, BoundRole[]>();

/**
 * Resolves every binding to the rules it grants, once per set of objects:
 * every reporter's assessment, answers and path search share one index.
 */
export function indexRbac(rbac: RbacObjects): BoundRole[] {
  let index = indexes.get(rbac);
  if (!index) indexes.set(rbac, (index = buildIndex(rbac)));
  return index;
}

/**
 * Every ClusterRole's rules, with aggregation resolved as kube-controller-manager
 * does it: an aggregationRule's role holds the rules of every other ClusterRole
 * its selectors match, nested ones included. Live clusters have filled them in
 * already (the same union, kept as read, since a reader may not see every
 * role); manifests have not, and must not read as empty.
 */
export function clusterRoleRules(clusterRoles: unknown[]): Map<string, PolicyRule[]> {
  const byName = new Map(clusterRoles.map((role) => [metadataOf(role).name, role]));
  const resolved = new Map<string, PolicyRule[]>();
  const resolve = (name: string, resolving: Set<string>): PolicyRule[] => {
    const known = resolved.get(name);
    if (known) return known;
    const role = byName.get(name);
    const own = readPolicyRules(role);
    if (asRecord(role)['aggregationRule'] === undefined) {
      resolved.set(name, own);
      return own;
    }
    const selectors = asArray(asRecord(asRecord(role)['aggregationRule'])['clusterRoleSelectors']);
    // A cycle of aggregated roles adds nothing the controller would not already have merged.
    resolving.add(name);
    const seen = new Set(own.map((rule) => JSON.stringify(rule)));
    const rules = [...own];
    for (const [other, candidate] of byName) {
      if (other === name || resolving.has(other)) continue;
      const labels = metadataOf(candidate).labels;
      if (!selectors.some((selector) => matchesAll(selector, labels))) continue;
      for (const rule of resolve(other, resolving)) {
        const key = JSON.stringify(rule);
        if (seen.has(key)) continue;
        seen.add(key);
        rules.push(rule);
      }
    }
    resolving.delete(name);
    resolved.set(name, rules);
    return rules;
  };
  for (const name of byName.keys()) resolve(name, new Set());
  return resolved;
}

/** An aggregation selector that does not parse matches nothing, as the controller skips it. */
function matchesAll(selector: unknown, labels: Record<string, string>): boolean {
  const match = matchSelector(selector, labels);
  return match.ok && match.matches;
}

function buildIndex(rbac: RbacObjects): BoundRole[] {
  const clusterRoles = clusterRoleRules(rbac.clusterRoles);
  const roles = new Map(rbac.roles.map((role) => [`${metadataOf(role).namespace}/${metadataOf(role).name}`, readPolicyRules(role)]));
  const bound: BoundRole[] = [];
  const add = (binding: unknown, kind: 'ClusterRoleBinding' | 'RoleBinding') => {
    const meta = metadataOf(binding);
    const roleRef = asRecord(asRecord(binding)['roleRef']);
    const roleKind = asString(roleRef['kind']) ?? '';
    const roleName = asString(roleRef['name']) ?? '';
    const scope = kind === 'RoleBinding' ? meta.namespace : undefined;
    // A ClusterRoleBinding may only reference a ClusterRole.
    const rules =
      roleKind === 'ClusterRole'
        ? clusterRoles.get(roleName)
        : roleKind === 'Role' && kind === 'RoleBinding'
          ? roles.get(`${meta.namespace}/${roleName}`)
          : undefined;
    bound.push({
      binding: { kind, name: meta.name, ...(scope ? { namespace: scope } : {}) },
      role: { kind: roleKind, name: roleName, ...(roleKind === 'Role' ? { namespace: meta.namespace } : {}) },
      subjects: readSubjects(binding, meta.namespace),
      rules: rules ?? [],
      scope,
      position: bound.length,
    });
  };
  rbac.clusterRoleBindings.forEach((binding) => add(binding, 'ClusterRoleBinding'));
  rbac.roleBindings.forEach((binding) => add(binding, 'RoleBinding'));
  return bound;
}

/**
 * Every rule that grants `attributes` to `user`, with the binding and role
 * behind it. A RoleBinding grants only inside its namespace, so it never
 * grants a cluster-scoped resource such as nodes, even through a ClusterRole.
 */
export function grantsFor(index: BoundRole[], user: UserInfo, attributes: ResourceAttributes): Grant[] {
  const namespace = attributes.namespace ?? '';
  const grants: Grant[] = [];
  for (const entry of index) {
    if (entry.scope !== undefined && entry.scope !== namespace) continue;
    const subject = entry.subjects.find((candidate) => subjectMatches(candidate, user));
    if (!subject) continue;
    for (const rule of entry.rules) {
      if (ruleAllows(rule, attributes)) grants.push({ binding: entry.binding, role: entry.role, subject, rule });
    }
  }
  return grants;
}

const subjectKey = (subject: Subject): string | null => {
  switch (subject.kind) {
    case 'User':
      return `user:${subject.name}`;
    case 'Group':
      return `group:${subject.name}`;
    case 'ServiceAccount':
      return subject.namespace === undefined ? null : `user:${serviceAccountUsername(subject.namespace, subject.name)}`;
    default:
      return null;
  }
};
const bySubject = new WeakMap<BoundRole[], Map<string, BoundRole[]>>();

/** The bindings that name a user or one of its groups, looked up rather than scanned: path searches ask for thousands of users. */
function bindingsOf(index: BoundRole[], user: UserInfo): BoundRole[] {
  let map = bySubject.get(index);
  if (!map) {
    map = new Map();
    for (const entry of index)
      for (const subject of entry.subjects) {
        const key = subjectKey(subject);
        if (key === null) continue;
        const entries = map.get(key);
        if (!entries) map.set(key, [entry]);
        else if (entries.at(-1) !== entry) entries.push(entry);
      }
    bySubject.set(index, map);
  }
  const keys = [`user:${user.username}`, ...user.groups.map((group) => `group:${group}`)];
  const found = [...new Set(keys.flatMap((key) => map.get(key) ?? []))];
  // In the index's order, so the grant cited first does not depend on how it was found.
  return found.length > 1 ? found.sort((a, b) => a.position - b.position) : found;
}

/** Every rule bound to `user`, with where it applies: for walks that look for wildcards and impersonation verbs. */
export function rulesOf(index: BoundRole[], user: UserInfo): (Grant & { scope: string | undefined })[] {
  return bindingsOf(index, user).flatMap((entry) => {
    const subject = entry.subjects.find((candidate) => subjectMatches(candidate, user));
    return subject ? entry.rules.map((rule) => ({ binding: entry.binding, role: entry.role, subject, rule, scope: entry.scope })) : [];
  });
}

/** Subjects holding `attributes` through RBAC, with their grants: "who can". */
export function whoCan(index: BoundRole[], attributes: ResourceAttributes): Grant[] {
  const namespace = attributes.namespace ?? '';
  return index.flatMap((entry) => {
    if (entry.scope !== undefined && entry.scope !== namespace) return [];
    const rules = entry.rules.filter((rule) => ruleAllows(rule, attributes));
    return entry.subjects.flatMap((subject) => rules.map((rule) => ({ binding: entry.binding, role: entry.role, subject, rule })));
  });
}

export function describeGrant(grant: Grant): string {
  const where = grant.binding.namespace ? ` in ${grant.binding.namespace}` : '';
  const names = grant.rule.resourceNames.length > 0 ? ` resourceNames=[${grant.rule.resourceNames.join(',')}]` : '';
  return `${grant.binding.kind} ${grant.binding.name}${where} → ${grant.role.kind} ${grant.role.name}: verbs=[${grant.rule.verbs.join(',')}] resources=[${grant.rule.resources.join(',')}]${names}`;
}
