// The escalation search's engine: a graph of identities over one cluster
// snapshot, whose edges are the hops of every class (one file each in this
// folder, listed in catalogue.ts), searched breadth first so each
// capability comes with its shortest path.
import type { Grant, ObjectRef } from '../../base/kube.ts';
import { asArray, asRecord, asString, metadataOf, templateSpec } from '../../base/read.ts';
import { describeGrant, indexRbac, rulesOf, ruleAllows, type RbacObjects, type ResourceAttributes, type UserInfo } from '../rbac.ts';
import { capabilities, namedTargets, type Found } from './capabilities.ts';
import { CATALOGUE } from './catalogue.ts';
import {
  isReadinessController,
  type Account,
  type Bound,
  type Hop,
  type Move,
  type MoveContext,
  type PathSearchInput,
  type Pool,
  type Principal,
  type ReachedCapability,
  type Step,
} from './model.ts';
import { boundRoleRules } from './role-binding.ts';
import { nodeIdentityMoves } from './node-identity.ts';
import { tokenIdentities } from './secrets.ts';
import { admitsHostAccess, podIdentities } from './workloads.ts';

/**
 * Every class of hop from an identity, in the catalogue's order (the order
 * breaks ties between equally short paths), each with the resources its hops
 * ask about: a class is offered an identity only when one of its rules touches
 * them, so a cluster's many workload writers never pay for the RBAC class.
 */
const MOVE_CLASSES = CATALOGUE.filter((entry) => entry.moves.length > 0).map((entry) => ({
  moves: entry.moves,
  touchedBy: touchesAny(entry.resources),
}));

const MAX_DEPTH = 5;

/** Every ServiceAccount, user and group the cluster's bindings and workloads name: the identities worth becoming. */
function candidates(input: Omit<PathSearchInput, 'serviceAccount'>): Pool {
  const accounts = new Map<string, { namespace: string; name: string }>();
  const users = new Set<string>();
  const groups = new Set<string>();
  const addAccount = (namespace: string, name: string) => accounts.set(`${namespace}/${name}`, { namespace, name });
  for (const binding of [...input.rbac.clusterRoleBindings, ...input.rbac.roleBindings]) {
    const bindingNamespace = metadataOf(binding).namespace;
    for (const raw of asArray(asRecord(binding)['subjects'])) {
      const subject = asRecord(raw);
      const name = asString(subject['name']) ?? '';
      if (subject['kind'] === 'ServiceAccount') addAccount(asString(subject['namespace']) ?? bindingNamespace, name);
      else if (subject['kind'] === 'User') users.add(name);
      else if (subject['kind'] === 'Group') groups.add(name);
      // Every namespace has a default ServiceAccount, which holds what its namespace's group is bound to.
      const namespaceGroup = subject['kind'] === 'Group' ? /^system:serviceaccounts:(.+)$/.exec(name) : null;
      if (namespaceGroup) addAccount(namespaceGroup[1]!, 'default');
    }
  }
  const running: { namespace: string; name: string }[] = [];
  for (const workload of input.workloads) {
    const { namespace } = metadataOf(workload);
    const spec = templateSpec(workload);
    const name = asString(spec['serviceAccountName']) ?? asString(spec['serviceAccount']) ?? 'default';
    addAccount(namespace, name);
    running.push({ namespace, name });
  }
  return { accounts: [...accounts.values()], users: [...users], groups: [...groups], running };
}

type GraphInput = Omit<PathSearchInput, 'serviceAccount'>;
interface Start {
  label: string;
  user: UserInfo;
}
/** An identity the search reaches, and the hops that reach it. */
export interface ReachedIdentity {
  label: string;
  user: UserInfo;
  path: Step[];
}
interface PathGraph {
  input: GraphInput;
  searchAll(starts: Start[], othersOwnNode: boolean): ReachedCapability[][];
  /** Every identity within the search's depth of `start`, `start` first, each by its shortest path. */
  reachable(start: Start): ReachedIdentity[];
}
const graphs = new WeakMap<RbacObjects, PathGraph>();

/**
 * One graph per cluster snapshot: every reporter's search and every subject
 * of the reverse question share its moves and capabilities, each worked out
 * once per identity.
 */
export function graphOf(input: GraphInput): PathGraph {
  const cached = graphs.get(input.rbac);
  if (
    cached &&
    cached.input.gate === input.gate &&
    cached.input.otherNode === input.otherNode &&
    cached.input.onlyOtherNode === input.onlyOtherNode &&
    cached.input.workloads === input.workloads &&
    cached.input.namespaces === input.namespaces
  )
    return cached;
  const graph = buildGraph(input);
  graphs.set(input.rbac, graph);
  return graph;
}

/** Resources a rule must touch for an identity to move on from it at all. */
const touchesEdge = touchesAny(CATALOGUE.flatMap((entry) => entry.resources));

/** Where a search starts: an identity whose own token the attacker holds. */
const startOf = (from: Start): Principal => ({
  label: from.label,
  kind: 'identity',
  user: from.user,
  constrained: null,
  anyNodeToken: false,
  ownNodeToken: true,
  credential: true,
});

function buildGraph(input: GraphInput): PathGraph {
  const index = indexRbac(input.rbac);
  const power = new Map<string, Bound[]>();
  // Hops ask millions of questions of a few thousand users: look each user object up before building its key.
  const powerOfUser = new WeakMap<UserInfo, Bound[]>();
  const powerOf = (user: UserInfo): Bound[] => {
    let rules = powerOfUser.get(user);
    if (rules) return rules;
    const key = `${user.username}|${user.groups.join(',')}`;
    rules = power.get(key);
    if (!rules) power.set(key, (rules = [...rulesOf(index, user), ...boundRoleRules(input.rbac, user)]));
    powerOfUser.set(user, rules);
    return rules;
  };
  const grantOf = (user: UserInfo, attributes: ResourceAttributes): Bound | undefined =>
    powerOf(user).find(
      (grant) => (grant.scope === undefined || grant.scope === (attributes.namespace ?? '')) && ruleAllows(grant.rule, attributes),
    );
  const constrainedOn = input.gate !== 'disabled';
  /** Every grant text `can` has produced, with the binding and role behind it, so paths can name objects, not just text. */
  const objectsOfGrant = new Map<string, ObjectRef[]>();
  const described = (grant: Grant): string => {
    const text = describeGrant(grant);
    objectsOfGrant.set(text, [grant.binding, grant.role]);
    return text;
  };
  /** A hop's or capability's grant text may join several grants ("a; then b"). */
  const objectsBehind = (grant: string): ObjectRef[] =>
    grant.split('; ').flatMap((part) => objectsOfGrant.get(part.replace(/^then /, '')) ?? []);

  /** The grant that lets principal P make this request, or null. */
  const can = (principal: Principal, attributes: ResourceAttributes): string | null => {
    if (principal.kind === 'anyone') return 'cluster-admin equivalent';
    if (principal.kind === 'pods' || principal.kind === 'tokens') return null;
    if (principal.kind === 'any-node') {
      // The Node authorizer lets a node write Node objects; NodeRestriction limits it to its own status and spec, never taints.
      const ownStatus = attributes.group === '' && attributes.resource === 'nodes' && attributes.subresource === 'status';
      return ownStatus && ['update', 'patch'].includes(attributes.verb) ? 'as that node: NodeRestriction allows its own status' : null;
    }
    const own = grantOf(principal.user, attributes);
    if (!own) return null;
    if (!principal.constrained) return described(own);
    const { requester, mode } = principal.constrained;
    const through = grantOf(requester, { ...attributes, verb: `impersonate-on:${mode}:${attributes.verb}` });
    return through ? `${described(through)}; then ${described(own)}` : null;
  };

  const pool = candidates(input);
  const controllers = input.workloads.filter(isReadinessController).map(metadataOf);
  const otherNode = input.otherNode;
  const accountsIn = new Map<string, Account[]>();
  for (const entry of pool.accounts) {
    const inNamespace = accountsIn.get(entry.namespace);
    if (inNamespace) inNamespace.push(entry);
    else accountsIn.set(entry.namespace, [entry]);
  }

  const hostAccess = admitsHostAccess(input.namespaces);
  // kube-system holds the bootstrap tokens, whether or not a binding names an account there.
  const allNamespaces = [
    ...new Set(['kube-system', ...accountsIn.keys(), ...(input.namespaces ?? []).map((namespace) => metadataOf(namespace).name)]),
  ];

  function* moves(from: Principal): Generator<Move, void, undefined> {
    if (from.kind === 'pods' || from.kind === 'tokens') {
      yield* from.kind === 'pods' ? podIdentities(from, { accountsIn, hostAccess }) : tokenIdentities(from, { accountsIn, pool });
      return;
    }
    if (from.kind === 'any-node') {
      yield* nodeIdentityMoves(from, { pool });
      return;
    }
    if (from.kind !== 'identity') return;
    const rules = powerOf(from.user).filter((grant) => touchesEdge(grant.rule));
    if (rules.length === 0) return;
    const namespaces = rules.some((grant) => grant.scope === undefined) ? allNamespaces : [...new Set(rules.map((grant) => grant.scope!))];
    const context: MoveContext = {
      from,
      rules,
      ask: (attributes) => can(from, attributes),
      powerOf,
      rbac: input.rbac,
      pool,
      accountsIn,
      namespaces,
      constrainedOn,
      otherNode,
      admitsHostAccess: hostAccess,
    };
    for (const { moves: classMoves, touchedBy } of MOVE_CLASSES)
      if (rules.some((grant) => touchedBy(grant.rule))) for (const move of classMoves) yield* move(context);
  }
  const capabilityContext = { can, constrainedOn, otherNode, named: namedTargets(input.rbac, input.onlyOtherNode === true), controllers };

  const keyOf = (principal: Principal) =>
    [
      principal.kind,
      principal.user.username,
      principal.user.groups.join(','),
      principal.constrained ? `${principal.constrained.mode}:${principal.constrained.requester.username}` : '',
      principal.anyNodeToken,
      principal.ownNodeToken,
      principal.credential,
    ].join('|');
  const movesOf = new Map<string, Move[]>();
  const capabilitiesOf = new Map<string, Found[]>();
  const cached = <T>(cache: Map<string, T>, key: string, make: () => T): T => {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = make()));
    return value;
  };

  /**
   * Every start's shortest path to every capability: the identities the
   * starts reach are explored once, then a breadth-first search backwards
   * from every identity holding a capability gives each start its path.
   */
  function searchAll(starts: Start[], othersOwnNode: boolean): ReachedCapability[][] {
    const principals = new Map<string, Principal>();
    const incoming = new Map<string, [from: string, hop: Step][]>();
    const startKeys = starts.map((from) => {
      const start = startOf(from);
      const key = keyOf(start);
      principals.set(key, start);
      return key;
    });
    const queue = [...new Set(startKeys)];
    for (let at = 0; at < queue.length; at++) {
      const key = queue[at]!;
      for (const [neighbour, hop] of cached(movesOf, key, () => [...moves(principals.get(key)!)])) {
        const neighbourKey = keyOf(neighbour);
        const into = incoming.get(neighbourKey);
        if (into) into.push([key, hop]);
        else incoming.set(neighbourKey, [[key, hop]]);
        if (principals.has(neighbourKey)) continue;
        principals.set(neighbourKey, neighbour);
        queue.push(neighbourKey);
      }
    }
    const holders = new Map<Found['capability'], [key: string, grant: string][]>();
    for (const [key, principal] of principals)
      for (const found of cached(capabilitiesOf, `${key}|${othersOwnNode}`, () =>
        capabilities(principal, othersOwnNode, capabilityContext),
      ))
        holders.set(found.capability, [...(holders.get(found.capability) ?? []), [key, found.grant] as [string, string]]);
    // Per capability: for every identity, the next hop towards its nearest holder.
    const towards = new Map<Found['capability'], Map<string, { depth: number; hop: Step | null; next: string; grant: string }>>();
    for (const [capability, sources] of holders) {
      const route = new Map(sources.map(([key, grant]) => [key, { depth: 0, hop: null as Step | null, next: key, grant }]));
      let frontier = sources.map(([key]) => key);
      for (let depth = 1; depth <= MAX_DEPTH && frontier.length > 0; depth++) {
        const next: string[] = [];
        for (const key of frontier)
          for (const [from, hop] of incoming.get(key) ?? []) {
            if (route.has(from)) continue;
            route.set(from, { depth, hop, next: key, grant: route.get(key)!.grant });
            next.push(from);
          }
        frontier = next;
      }
      towards.set(capability, route);
    }
    return startKeys.map((startKey) =>
      [...towards].flatMap(([capability, route]) => {
        const step = route.get(startKey);
        if (!step) return [];
        const path: Hop[] = [];
        let key = startKey;
        for (let hop = route.get(key)!; hop.hop; hop = route.get(key)!) {
          path.push({ ...hop.hop, objects: [...objectsBehind(hop.hop.grant), ...identityOf(principals.get(hop.next)!)] });
          key = hop.next;
        }
        return [{ capability, as: principals.get(key)!.label, path, grant: step.grant, grantObjects: objectsBehind(step.grant) }];
      }),
    );
  }
  function reachable(from: Start): ReachedIdentity[] {
    const start = startOf(from);
    const found = new Map<string, ReachedIdentity & { principal: Principal }>([
      [keyOf(start), { label: start.label, user: start.user, path: [], principal: start }],
    ]);
    let frontier = [keyOf(start)];
    for (let depth = 1; depth <= MAX_DEPTH && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const key of frontier) {
        const at = found.get(key)!;
        for (const [neighbour, hop] of cached(movesOf, key, () => [...moves(at.principal)])) {
          const neighbourKey = keyOf(neighbour);
          if (found.has(neighbourKey)) continue;
          found.set(neighbourKey, { label: neighbour.label, user: neighbour.user, path: [...at.path, hop], principal: neighbour });
          next.push(neighbourKey);
        }
      }
      frontier = next;
    }
    return [...found.values()]
      .filter(({ principal }) => principal.kind === 'identity')
      .map(({ label, user, path }) => ({ label, user, path }));
  }
  return { input, searchAll, reachable };
}

/** Whether a rule names one of these resources (or resource/subresource), all resources, or any resource's subresource of the same name. */
function touchesAny(resources: string[]): (rule: { resources: string[] }) => boolean {
  const named = new Set(resources);
  const subresources = new Set(resources.flatMap((resource) => (resource.includes('/') ? [`*/${resource.split('/')[1]}`] : [])));
  return (rule) => rule.resources.some((resource) => resource === '*' || named.has(resource) || subresources.has(resource));
}

const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** The ServiceAccount a hop lands on, when it lands on one. */
function identityOf(principal: Principal): ObjectRef[] {
  const match = principal.kind === 'identity' ? SERVICE_ACCOUNT_USER.exec(principal.user.username) : null;
  return match ? [{ kind: 'ServiceAccount', namespace: match[1]!, name: match[2]! }] : [];
}
