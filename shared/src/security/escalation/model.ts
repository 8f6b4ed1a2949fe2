// What the escalation search works with: the readiness capabilities it looks
// for, the principals an attacker can become, and the hops between them. Each
// class of hop is one file of this folder; graph.ts walks them in its order.
import type { Grant, ObjectRef } from '../../base/kube.ts';
import { asArray, asRecord, asString, templateSpec } from '../../base/read.ts';
import type { GateState } from '../../nrc/gate.ts';
import type { Claim } from '../ledger/entry.ts';
import { serviceAccountUser, type RbacObjects, type ResourceAttributes, type UserInfo } from '../rbac.ts';

export type ReadinessCapability = 'forge-other-node-conditions' | 'lift-readiness-taints' | 'disrupt-other-nodes' | 'change-rules';

/** In the order the threat matrix lists them. */
export const CAPABILITY_TITLES: Record<ReadinessCapability, string> = {
  'forge-other-node-conditions': "rewrite another node's conditions",
  'lift-readiness-taints': 'lift readiness taints on any node',
  'disrupt-other-nodes': 'add taints to, cordon or delete other nodes',
  'change-rules': "change or delete NodeReadinessRules, or stop NRC's controller",
};

/** Writing its own node's conditions: a reporter's job, anyone else's lie. */
export const OWN_CONDITIONS_TITLE = "rewrite its own node's conditions";

export function capabilityTitle(capability: ReadinessCapability | 'rewrite-own-conditions'): string {
  return capability === 'rewrite-own-conditions' ? OWN_CONDITIONS_TITLE : CAPABILITY_TITLES[capability];
}

export interface Hop {
  /** How the attacker moves on: "impersonate", "mint a token for", ... */
  how: string;
  /** Who it becomes. */
  to: string;
  /** The binding, role and rule that allow it. */
  grant: string;
  /** The bindings and roles behind `grant`, then the ServiceAccount it becomes: what a UI links to. */
  objects: ObjectRef[];
}

export interface ReachedCapability {
  capability: ReadinessCapability | 'rewrite-own-conditions';
  /** Who does it, at the end of the path. */
  as: string;
  path: Hop[];
  /** The grant that allows the final action. */
  grant: string;
  /** The bindings and roles behind `grant`. */
  grantObjects: ObjectRef[];
}

export interface PathSearchInput {
  rbac: RbacObjects;
  serviceAccount: { namespace: string; name: string };
  gate: GateState;
  /** Workloads (DaemonSets, Deployments, ...): whose tokens pods on the nodes carry. */
  workloads: unknown[];
  /** Any node other than the reporter's own, for node-name-bound questions. */
  otherNode: string;
  /**
   * Judge node-named grants for otherNode alone, as can-i does when asked
   * about one node; otherwise every node a grant names counts as another node.
   */
  onlyOtherNode?: boolean;
  /**
   * The Namespace objects, whose labels set each one's Pod Security level;
   * absent when they could not be read, and then every namespace is taken at
   * the apiserver's default level, privileged.
   */
  namespaces?: unknown[] | null;
}

/** NRC's controller is the Deployment running its image: `<registry>/node-readiness-controller:<tag>`. */
export function isReadinessController(workload: unknown): boolean {
  const record = asRecord(workload);
  if (record['kind'] !== 'Deployment') return false;
  const containers = asArray(templateSpec(record)['containers']);
  return containers.some((container) => {
    const image = asString(asRecord(container)['image']) ?? '';
    return /(^|\/)node-readiness-controller(:|@|$)/.test(image);
  });
}

/** A hop as the graph holds it; its objects are named once a path is chosen. */
export type Step = Omit<Hop, 'objects'>;

export interface Principal {
  label: string;
  /**
   * "pods": any pod the attacker makes in one namespace; "tokens": the legacy
   * token Secrets it reads in one. Each is one step towards every
   * ServiceAccount there, so a namespace's accounts are linked once, not once
   * per identity that reaches them.
   */
  kind: 'identity' | 'pods' | 'tokens' | 'any-node' | 'anyone';
  user: UserInfo;
  /** A constrained-impersonation hop: every request also needs impersonate-on:<mode>:<verb> for the requester. */
  constrained: { requester: UserInfo; mode: 'serviceaccount' | 'user-info' } | null;
  /** The attacker picks the node its token is bound to: a minted token, a pod it creates or execs into. */
  anyNodeToken: boolean;
  /** Its token is bound to the node its pod runs on, as a kubelet projects it; a legacy token Secret's is bound to none. */
  ownNodeToken: boolean;
  /**
   * The attacker holds this identity's own token. An impersonated identity has
   * none: a request carries one set of impersonation headers, so it cannot
   * impersonate again; it can still mint, create and bind.
   */
  credential: boolean;
}

export type Move = [Principal, Step];
export type Bound = Grant & { scope: string | undefined };
export interface Account {
  namespace: string;
  name: string;
}

/** The identities worth becoming: every ServiceAccount, user and group the bindings and workloads name. */
export interface Pool {
  accounts: Account[];
  users: string[];
  groups: string[];
  /** The ServiceAccounts the workloads' pods run as. */
  running: Account[];
}

/** What a class of hop sees of the identity it moves on from. */
export interface MoveContext {
  from: Principal;
  /** Its rules that touch any resource a hop needs. */
  rules: Bound[];
  /** The grant that lets it make this request, or null. */
  ask(attributes: ResourceAttributes): string | null;
  /** Every rule bound to a user, for hops that look at the shape of a grant. */
  powerOf(user: UserInfo): Bound[];
  /** The cluster's RBAC objects, for hops that bind or rewrite them. */
  rbac: RbacObjects;
  pool: Pool;
  accountsIn: Map<string, Account[]>;
  /** The namespaces its rules reach: every namespace, for a cluster-wide rule. */
  namespaces: string[];
  constrainedOn: boolean;
  otherNode: string;
  /** Whether Pod Security admits a privileged or hostPath pod in a namespace, by its labels as read. */
  admitsHostAccess(namespace: string): boolean;
}

/** Becoming a ServiceAccount. */
export function toAccount(namespace: string, name: string, hop: Omit<Step, 'to'>, extra: Partial<Principal> = {}): Move {
  const label = `ServiceAccount ${namespace}/${name}`;
  const principal: Principal = {
    label,
    kind: 'identity',
    user: serviceAccountUser(namespace, name),
    constrained: null,
    anyNodeToken: false,
    ownNodeToken: false,
    credential: false,
    ...extra,
  };
  return [principal, { ...hop, to: label }];
}

/** Becoming any node, or anyone at all. */
export function toSpecial(kind: 'any-node' | 'anyone', hop: Omit<Step, 'to'>): Move {
  const label = kind === 'anyone' ? 'cluster-admin equivalent' : 'any node (system:node:*)';
  const principal: Principal = {
    label,
    kind,
    user: { username: label, groups: [] },
    constrained: null,
    anyNodeToken: false,
    ownNodeToken: false,
    credential: kind === 'any-node',
  };
  return [principal, { ...hop, to: label }];
}

/** Reaching a namespace's pods or its legacy token Secrets: one step short of each of its ServiceAccounts. */
export function toNamespace(kind: 'pods' | 'tokens', namespace: string, how: string, grant: string): Move {
  const label = kind === 'pods' ? `a pod in ${namespace}` : `legacy token Secrets in ${namespace}`;
  const principal: Principal = {
    label,
    kind,
    user: { username: namespace, groups: [] },
    constrained: null,
    anyNodeToken: kind === 'pods',
    ownNodeToken: false,
    credential: false,
  };
  return [principal, { how, to: label, grant }];
}

/** Whether any of these rules names one of the resources, or all of them. */
export function touches(rules: Bound[], resources: Set<string>): boolean {
  return rules.some((grant) => grant.rule.resources.some((resource) => resource === '*' || resources.has(resource)));
}

/** The first request granted, and its grant. */
export function firstGrant(ask: MoveContext['ask'], requests: Iterable<ResourceAttributes>): string | null {
  for (const request of requests) {
    const grant = ask(request);
    if (grant) return grant;
  }
  return null;
}

/** A real attack in test/e2e that works, and its nearest variant that truly fails: the names of both tests. */
export interface Proof {
  attack: string;
  twin: string;
}

/** One class of the catalogue: what it walks, what it accounts for in the ledger, and where it is proven. */
export interface EscalationClass {
  /** Its file in this folder. */
  id: string;
  /** One line for docs/escalation.md: the grants it follows and what they yield. */
  summary: string;
  /** The resources (or resource/subresource) its moves look at: the engine offers it an identity's rules only when one touches them. */
  resources: string[];
  /** Hops from an identity; empty for a class that only yields capabilities. */
  moves: ((context: MoveContext) => Iterable<Move>)[];
  /** The ledger entries whose every effect on readiness it walks. */
  claims: Claim[];
  proofs: Proof[];
}
