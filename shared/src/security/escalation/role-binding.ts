// Role binding: what RBAC's own escalation checks let an identity grant
// itself. Creating or rewriting a binding needs `bind` on the role it names
// (or holding every permission in it, which gains nothing); creating or
// rewriting a role beyond what the writer holds needs `escalate` on it, and a
// role only gives power through a binding. The identity that results holds
// its own rules plus the roles it bound, carried as marker groups on its
// UserInfo so the graph's and the ledger's view of its power stay one.
import type { PolicyRule } from '../../base/kube.ts';
import { asArray, asRecord, asString, metadataOf } from '../../base/read.ts';
import { isExactly, type Claim } from '../ledger/entry.ts';
import {
  clusterRoleRules,
  readPolicyRules,
  readSubjects,
  subjectMatches,
  type RbacObjects,
  type ResourceAttributes,
  type UserInfo,
} from '../rbac.ts';
import { toSpecial, type Bound, type EscalationClass, type Move, type MoveContext, type Principal } from './model.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** A role the attacker binds to itself, and where: `scope` is the RoleBinding's namespace, undefined for a ClusterRoleBinding. */
export interface BoundRole {
  /** "any": a role it rewrites to hold every permission (escalate), at `scope`. */
  kind: 'ClusterRole' | 'Role' | 'any';
  name: string;
  scope: string | undefined;
}

/** No authenticator issues a group that starts with NUL, so a marker never meets a real binding. */
const MARKER = '\u0000bound:';
const markerOf = (bound: BoundRole) => `${MARKER}${JSON.stringify([bound.kind, bound.name, bound.scope ?? null])}`;

function boundRolesOf(user: UserInfo): BoundRole[] {
  return user.groups.flatMap((group) => {
    if (!group.startsWith(MARKER)) return [];
    const [kind, name, scope] = JSON.parse(group.slice(MARKER.length)) as [BoundRole['kind'], string, string | null];
    return [{ kind, name, scope: scope ?? undefined }];
  });
}

/** The user holding these roles too; markers sorted, so binding A then B is the same identity as B then A. */
export function withBoundRoles(user: UserInfo, roles: BoundRole[]): UserInfo {
  const real = user.groups.filter((group) => !group.startsWith(MARKER));
  const markers = [...new Set([...boundRolesOf(user), ...roles].map(markerOf))].sort();
  return { username: user.username, groups: [...real, ...markers] };
}

const EVERYTHING: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] };
const clusterRulesCache = new WeakMap<RbacObjects, Map<string, PolicyRule[]>>();
function clusterRulesOf(rbac: RbacObjects): Map<string, PolicyRule[]> {
  let rules = clusterRulesCache.get(rbac);
  if (!rules) clusterRulesCache.set(rbac, (rules = clusterRoleRules(rbac.clusterRoles)));
  return rules;
}

/** The rules the marker groups of `user` stand for, as the bindings it would create would grant them. */
export function boundRoleRules(rbac: RbacObjects, user: UserInfo): Bound[] {
  return boundRolesOf(user).flatMap((bound) => {
    const rules =
      bound.kind === 'any'
        ? [EVERYTHING]
        : bound.kind === 'ClusterRole'
          ? (clusterRulesOf(rbac).get(bound.name) ?? [])
          : readPolicyRules(rbac.roles.find((role) => sameObject(role, bound.scope, bound.name)));
    const binding = {
      kind: bound.scope === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
      name: '(one the attacker creates)',
      ...(bound.scope === undefined ? {} : { namespace: bound.scope }),
    };
    const role =
      bound.kind === 'any'
        ? { kind: 'Role', name: '(any permission, rewritten with escalate)', ...(bound.scope ? { namespace: bound.scope } : {}) }
        : { kind: bound.kind, name: bound.name, ...(bound.kind === 'Role' && bound.scope ? { namespace: bound.scope } : {}) };
    return rules.map((rule) => ({ binding, role, subject: { kind: 'User', name: user.username }, rule, scope: bound.scope }));
  });
}

const sameObject = (object: unknown, namespace: string | undefined, name: string) =>
  metadataOf(object).name === name && (namespace === undefined || metadataOf(object).namespace === namespace);

const rbacRequest = (verb: string, resource: string, name: string, namespace: string | undefined): ResourceAttributes => ({
  verb,
  group: RBAC_GROUP,
  resource,
  name,
  ...(namespace ? { namespace } : {}),
});

/** Where a RoleBinding could go: every namespace the search knows of. */
function namespacesOf(context: MoveContext): string[] {
  const { rbac } = context;
  return [...new Set([...context.namespaces, ...[...rbac.roles, ...rbac.roleBindings].map((object) => metadataOf(object).namespace)])];
}

/** A name no role has yet, that the attacker may create and escalate (resourceNames cannot limit create; they can limit escalate and bind to a name it then picks). */
function freshNames(context: MoveContext, resource: 'clusterroles' | 'roles', taken: Set<string>): string[] {
  const named = context.rules.flatMap((grant) =>
    grant.rule.resources.includes(resource) || grant.rule.resources.includes('*') ? grant.rule.resourceNames : [],
  );
  return ['a-role-the-attacker-creates', ...named].filter((name) => !taken.has(name));
}

type Found = [BoundRole, string];

/** Existing roles it may bind itself with a binding it creates. */
function creatableBindings(context: MoveContext): Found[] {
  const { ask, rbac } = context;
  const found: Found[] = [];
  const clusterRoles = rbac.clusterRoles.map((role) => metadataOf(role).name);
  const create = ask({ verb: 'create', group: RBAC_GROUP, resource: 'clusterrolebindings' });
  for (const name of create ? clusterRoles : []) {
    const bind = ask(rbacRequest('bind', 'clusterroles', name, undefined));
    if (bind) found.push([{ kind: 'ClusterRole', name, scope: undefined }, `${create}; ${bind}`]);
  }
  for (const namespace of namespacesOf(context)) {
    const createHere = ask({ verb: 'create', group: RBAC_GROUP, resource: 'rolebindings', namespace });
    if (!createHere) continue;
    for (const name of clusterRoles) {
      const bind = ask(rbacRequest('bind', 'clusterroles', name, namespace));
      if (bind) found.push([{ kind: 'ClusterRole', name, scope: namespace }, `${createHere}; ${bind}`]);
    }
    for (const role of rbac.roles.filter((candidate) => metadataOf(candidate).namespace === namespace)) {
      const bind = ask(rbacRequest('bind', 'roles', metadataOf(role).name, namespace));
      if (bind) found.push([{ kind: 'Role', name: metadataOf(role).name, scope: namespace }, `${createHere}; ${bind}`]);
    }
  }
  return found;
}

/** Existing bindings it may add itself to: update or patch on the binding, and bind on the role it names (roleRef is immutable). */
function rewritableBindings(context: MoveContext): Found[] {
  const { ask, rbac } = context;
  const found: Found[] = [];
  const bindings = [
    ...rbac.clusterRoleBindings.map((binding) => [binding, undefined] as const),
    ...rbac.roleBindings.map((binding) => [binding, metadataOf(binding).namespace] as const),
  ];
  for (const [binding, scope] of bindings) {
    const name = metadataOf(binding).name;
    const resource = scope === undefined ? 'clusterrolebindings' : 'rolebindings';
    const write = ask(rbacRequest('update', resource, name, scope)) ?? ask(rbacRequest('patch', resource, name, scope));
    if (!write) continue;
    const roleRef = asRecord(asRecord(binding)['roleRef']);
    const kind = asString(roleRef['kind']) === 'Role' ? 'Role' : 'ClusterRole';
    const roleName = asString(roleRef['name']) ?? '';
    if (kind === 'Role' && scope === undefined) continue;
    const bind = ask(rbacRequest('bind', kind === 'Role' ? 'roles' : 'clusterroles', roleName, scope));
    if (bind) found.push([{ kind, name: roleName, scope }, `${write}; ${bind}`]);
  }
  return found;
}

/**
 * Roles it may make hold any permission: a role bound to it that it may
 * update or patch with escalate; a role it creates with escalate that it may
 * bind; or one it creates with escalate, labelled for an aggregating
 * ClusterRole bound to it, whose rules kube-controller-manager then unions in.
 */
function escalatableRoles(context: MoveContext): Found[] {
  const { from, ask, rbac } = context;
  const found: Found[] = [];
  const held = heldRoles(rbac, from.user);
  for (const role of held) {
    if (role.kind !== 'ClusterRole' && role.kind !== 'Role') continue;
    const resource = role.kind === 'Role' ? 'roles' : 'clusterroles';
    const write =
      ask(rbacRequest('update', resource, role.name, role.namespace)) ?? ask(rbacRequest('patch', resource, role.name, role.namespace));
    const escalate = write ? ask(rbacRequest('escalate', resource, role.name, role.namespace)) : null;
    if (write && escalate) found.push([{ kind: 'any', name: role.name, scope: role.scope }, `${write}; ${escalate}`]);
  }
  const clusterNames = new Set(rbac.clusterRoles.map((role) => metadataOf(role).name));
  const createClusterRole = ask({ verb: 'create', group: RBAC_GROUP, resource: 'clusterroles' });
  const escalatedName = createClusterRole
    ? freshNames(context, 'clusterroles', clusterNames).find((name) => ask(rbacRequest('escalate', 'clusterroles', name, undefined)))
    : undefined;
  if (createClusterRole && escalatedName !== undefined) {
    const escalate = ask(rbacRequest('escalate', 'clusterroles', escalatedName, undefined))!;
    const createBinding = ask({ verb: 'create', group: RBAC_GROUP, resource: 'clusterrolebindings' });
    const bind = ask(rbacRequest('bind', 'clusterroles', escalatedName, undefined));
    if (createBinding && bind)
      found.push([{ kind: 'any', name: escalatedName, scope: undefined }, `${createClusterRole}; ${escalate}; ${createBinding}; ${bind}`]);
    for (const namespace of namespacesOf(context)) {
      const createHere = ask({ verb: 'create', group: RBAC_GROUP, resource: 'rolebindings', namespace });
      const bindHere = createHere ? ask(rbacRequest('bind', 'clusterroles', escalatedName, namespace)) : null;
      if (createHere && bindHere)
        found.push([
          { kind: 'any', name: escalatedName, scope: namespace },
          `${createClusterRole}; ${escalate}; ${createHere}; ${bindHere}`,
        ]);
    }
    for (const role of held)
      if (role.kind === 'ClusterRole' && aggregates(rbac, role.name))
        found.push([
          { kind: 'any', name: role.name, scope: role.scope },
          `${createClusterRole}; ${escalate} (aggregated into ClusterRole ${role.name})`,
        ]);
  }
  for (const namespace of namespacesOf(context)) {
    const createRole = ask({ verb: 'create', group: RBAC_GROUP, resource: 'roles', namespace });
    const createHere = createRole ? ask({ verb: 'create', group: RBAC_GROUP, resource: 'rolebindings', namespace }) : null;
    if (!createRole || !createHere) continue;
    const taken = new Set(rbac.roles.filter((role) => metadataOf(role).namespace === namespace).map((role) => metadataOf(role).name));
    for (const name of freshNames(context, 'roles', taken)) {
      const escalate = ask(rbacRequest('escalate', 'roles', name, namespace));
      const bind = escalate ? ask(rbacRequest('bind', 'roles', name, namespace)) : null;
      if (escalate && bind) {
        found.push([{ kind: 'any', name, scope: namespace }, `${createRole}; ${escalate}; ${createHere}; ${bind}`]);
        break;
      }
    }
  }
  return found;
}

interface HeldRole {
  kind: string;
  name: string;
  /** A Role's namespace. */
  namespace?: string;
  scope: string | undefined;
}

/** Every role bound to the user, rules or none (an aggregating role may be empty until something aggregates into it). */
function heldRoles(rbac: RbacObjects, user: UserInfo): HeldRole[] {
  const held = new Map<string, HeldRole>();
  const add = (role: HeldRole) => held.set(JSON.stringify(role), role);
  const bindings = [
    ...rbac.clusterRoleBindings.map((binding) => [binding, undefined] as const),
    ...rbac.roleBindings.map((binding) => [binding, metadataOf(binding).namespace] as const),
  ];
  for (const [binding, scope] of bindings) {
    if (!readSubjects(binding, metadataOf(binding).namespace).some((subject) => subjectMatches(subject, user))) continue;
    const roleRef = asRecord(asRecord(binding)['roleRef']);
    const kind = asString(roleRef['kind']) ?? '';
    add({ kind, name: asString(roleRef['name']) ?? '', ...(kind === 'Role' && scope ? { namespace: scope } : {}), scope });
  }
  for (const bound of boundRolesOf(user))
    if (bound.kind !== 'any')
      add({
        kind: bound.kind,
        name: bound.name,
        ...(bound.kind === 'Role' && bound.scope ? { namespace: bound.scope } : {}),
        scope: bound.scope,
      });
  return [...held.values()];
}

function aggregates(rbac: RbacObjects, name: string): boolean {
  const role = rbac.clusterRoles.find((candidate) => metadataOf(candidate).name === name);
  return asArray(asRecord(asRecord(role)['aggregationRule'])['clusterRoleSelectors']).length > 0;
}

function anyBindingCreate(context: MoveContext): string | null {
  const cluster = context.ask({ verb: 'create', group: RBAC_GROUP, resource: 'clusterrolebindings' });
  if (cluster) return cluster;
  for (const namespace of namespacesOf(context)) {
    const here = context.ask({ verb: 'create', group: RBAC_GROUP, resource: 'rolebindings', namespace });
    if (here) return here;
  }
  return null;
}

const describeBound = ([bound]: Found) =>
  bound.kind === 'any'
    ? `any permission${bound.scope ? ` in ${bound.scope}` : ''} (rewriting ${bound.name})`
    : `${bound.kind} ${bound.name}${bound.scope ? ` in ${bound.scope}` : ''}`;

export function* roleBinding(context: MoveContext): Generator<Move> {
  const { from, ask } = context;
  const bindsClusterAdmin =
    ask({ verb: 'create', group: RBAC_GROUP, resource: 'clusterrolebindings' }) &&
    ask(rbacRequest('bind', 'clusterroles', 'cluster-admin', undefined));
  // cluster-admin exists on every cluster (the apiserver reconciles it at start), listed or not.
  if (bindsClusterAdmin) {
    yield toSpecial('anyone', { how: 'bind itself a role with any permission', grant: bindsClusterAdmin });
    return;
  }
  const found = [...creatableBindings(context), ...rewritableBindings(context), ...escalatableRoles(context)];
  const anyone = found.find(([bound]) => bound.kind === 'any' && bound.scope === undefined);
  if (anyone) {
    yield toSpecial('anyone', { how: 'bind itself a role with any permission', grant: anyone[1] });
    return;
  }
  const held = new Set(from.user.groups);
  const fresh = found.filter(([bound]) => !held.has(markerOf(bound)));
  if (fresh.length === 0) {
    // Without bind, an identity the attacker only impersonates can still bind its own roles (it holds every permission in them) to the token the attacker holds.
    const createsBindings = from.credential ? null : anyBindingCreate(context);
    if (createsBindings)
      yield [
        { ...from, label: `${from.label} (its roles bound to the attacker's token)`, constrained: null, credential: true },
        {
          how: "bind its own roles to the attacker's token",
          to: `${from.label} (its roles bound to the attacker's token)`,
          grant: createsBindings,
        },
      ];
    return;
  }
  const user = withBoundRoles(
    from.user,
    fresh.map(([bound]) => bound),
  );
  const names = fresh.map(describeBound);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  const label = `${from.label.replace(/ \(bound .*\)$/, '')} (bound ${shown})`;
  // The binding may name any subject: the token the attacker holds, whichever identity made it.
  const principal: Principal = { ...from, label, user, constrained: null, credential: true };
  yield [principal, { how: `bind itself ${shown}`, to: label, grant: fresh[0]![1] }];
}

/**
 * Creating a binding grants only a role the creator may bind (walked) or
 * already holds (no gain, except to hand an impersonated identity's power to
 * the attacker's token: walked); bind is used only by creating or rewriting a
 * binding; a new Role beyond the creator's power needs escalate and gives
 * power only through a binding, which needs bind on its name: walked.
 * Not claimed: a new ClusterRole with escalate can aggregate into a role
 * bound to anyone, and rewriting or deleting roles and bindings also takes
 * permissions away (NRC's controller's, a reporter's).
 */
const roleBindingClaim: Claim = {
  by: 'role-binding',
  covers: (entry) =>
    isExactly(entry, ['create'], RBAC_GROUP, 'clusterrolebindings') ||
    isExactly(entry, ['create'], RBAC_GROUP, 'rolebindings') ||
    isExactly(entry, ['bind'], RBAC_GROUP, 'clusterroles') ||
    isExactly(entry, ['create', 'escalate', 'bind'], RBAC_GROUP, 'roles'),
};

export const roleBindings: EscalationClass = {
  id: 'role-binding',
  summary:
    'bind a role it may bind (a new ClusterRoleBinding or RoleBinding, or itself added to one), or make a role hold any permission (escalate, then bind it or aggregate it into a role bound to it): that role power',
  resources: ['clusterrolebindings', 'clusterroles', 'rolebindings', 'roles'],
  moves: [roleBinding],
  claims: [roleBindingClaim],
  proofs: [
    { attack: 'binding itself cluster-admin', twin: 'binding only a role that reads nodes' },
    { attack: 'binding itself a named ClusterRole that writes node status', twin: 'binding a named ClusterRole that only reads nodes' },
    {
      attack: "adding itself to someone else's binding of a status writer, with bind on its role",
      twin: 'patching that binding without bind on its role',
    },
    { attack: 'rewriting a ClusterRole bound to it, with escalate', twin: 'rewriting it without escalate' },
  ],
};
