// Escalation paths: what an attacker holding a reporter's pod-bound token can
// become, hop by hop, and which readiness capabilities that gives. Attackers
// walk paths; a posture decided from the reporter's direct grants alone can
// say "constrained" while a two-step attack works. Searched over the RBAC
// objects, breadth first, so each capability comes with its shortest path.
import type { GateState } from './gate.ts';
import {
  describeGrant,
  indexRbac,
  rulesOf,
  ruleAllows,
  serviceAccountUser,
  type Grant,
  type RbacObjects,
  type ResourceAttributes,
  type UserInfo,
} from './rbac.ts';
import { asArray, asRecord, asString, metadataOf } from '../read.ts';

export type ReadinessCapability = 'forge-other-node-conditions' | 'lift-readiness-taints' | 'delete-other-nodes' | 'change-rules';

/** In the order the threat matrix lists them. */
export const CAPABILITY_TITLES: Record<ReadinessCapability, string> = {
  'forge-other-node-conditions': "rewrite another node's conditions",
  'lift-readiness-taints': 'lift readiness taints on any node',
  'delete-other-nodes': 'delete other nodes',
  'change-rules': 'change or delete NodeReadinessRules (lift gating cluster-wide)',
};

export interface Hop {
  /** How the attacker moves on: "impersonate", "mint a token for", ... */
  how: string;
  /** Who it becomes. */
  to: string;
  /** The binding, role and rule that allow it. */
  grant: string;
}

interface Principal {
  label: string;
  kind: 'identity' | 'any-node' | 'anyone';
  user: UserInfo;
  /** A constrained-impersonation hop: every request also needs impersonate-on:<mode>:<verb> for the requester. */
  constrained: { requester: UserInfo; mode: 'serviceaccount' | 'user-info' } | null;
  /** The attacker picks the node its token is bound to: a minted token, a pod it creates or execs into. */
  anyNodeToken: boolean;
  /**
   * The attacker holds this identity's own token. An impersonated identity has
   * none: a request carries one set of impersonation headers, so it cannot
   * impersonate again; it can still mint, create and bind.
   */
  credential: boolean;
  path: Hop[];
}

/** Writing its own node's conditions: a reporter's job, anyone else's lie. */
export const OWN_CONDITIONS_TITLE = "rewrite its own node's conditions";

export function capabilityTitle(capability: ReadinessCapability | 'rewrite-own-conditions'): string {
  return capability === 'rewrite-own-conditions' ? OWN_CONDITIONS_TITLE : CAPABILITY_TITLES[capability];
}

export interface ReachedCapability {
  capability: ReadinessCapability | 'rewrite-own-conditions';
  /** Who does it, at the end of the path. */
  as: string;
  path: Hop[];
  /** The grant that allows the final action. */
  grant: string;
}

export interface PathSearchInput {
  rbac: RbacObjects;
  serviceAccount: { namespace: string; name: string };
  gate: GateState;
  /** Workloads (DaemonSets, Deployments, ...): whose tokens pods on the nodes carry. */
  workloads: unknown[];
  /** Any node other than the reporter's own, for node-name-bound questions. */
  otherNode: string;
}

const WORKLOAD_KINDS: [group: string, resource: string][] = [
  ['', 'pods'],
  ['apps', 'deployments'],
  ['apps', 'daemonsets'],
  ['apps', 'statefulsets'],
  ['apps', 'replicasets'],
  ['batch', 'jobs'],
  ['batch', 'cronjobs'],
  ['', 'replicationcontrollers'],
];
const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
const RULE_RESOURCE = { group: 'readiness.node.x-k8s.io', resource: 'nodereadinessrules' };
const MAX_DEPTH = 4;

type Bound = Grant & { scope: string | undefined };

/** Every ServiceAccount, user and group the cluster's bindings and workloads name: the identities worth becoming. */
function candidates(input: PathSearchInput) {
  const accounts = new Map<string, { namespace: string; name: string }>();
  const users = new Set<string>();
  const groups = new Set<string>();
  const addAccount = (namespace: string, name: string) => accounts.set(`${namespace}/${name}`, { namespace, name });
  addAccount(input.serviceAccount.namespace, input.serviceAccount.name);
  for (const binding of [...input.rbac.clusterRoleBindings, ...input.rbac.roleBindings]) {
    const bindingNamespace = metadataOf(binding).namespace;
    for (const raw of asArray(asRecord(binding)['subjects'])) {
      const subject = asRecord(raw);
      const name = asString(subject['name']) ?? '';
      if (subject['kind'] === 'ServiceAccount') addAccount(asString(subject['namespace']) ?? bindingNamespace, name);
      else if (subject['kind'] === 'User') users.add(name);
      else if (subject['kind'] === 'Group') groups.add(name);
    }
  }
  const running: { namespace: string; name: string }[] = [];
  for (const workload of input.workloads) {
    const { namespace } = metadataOf(workload);
    const spec = asRecord(asRecord(asRecord(asRecord(workload)['spec'])['template'])['spec']);
    const name = asString(spec['serviceAccountName']) ?? asString(spec['serviceAccount']) ?? 'default';
    addAccount(namespace, name);
    running.push({ namespace, name });
  }
  return { accounts: [...accounts.values()], users: [...users], groups: [...groups], running };
}

/** From the reporter's pod-bound token: what one compromised node running it can do. */
export function searchEscalationPaths(input: PathSearchInput): ReachedCapability[] {
  const { namespace, name } = input.serviceAccount;
  return search(
    input,
    { label: `ServiceAccount ${namespace}/${name} (the reporter's token)`, user: serviceAccountUser(namespace, name) },
    false,
  );
}

function search(input: PathSearchInput, from: { label: string; user: UserInfo }, othersOwnNode: boolean): ReachedCapability[] {
  const index = indexRbac(input.rbac);
  const power = new Map<string, Bound[]>();
  const powerOf = (user: UserInfo): Bound[] => {
    const key = `${user.username}|${user.groups.join(',')}`;
    let rules = power.get(key);
    if (!rules) power.set(key, (rules = rulesOf(index, user)));
    return rules;
  };
  const grantOf = (user: UserInfo, attributes: ResourceAttributes): Bound | undefined =>
    powerOf(user).find(
      (grant) => (grant.scope === undefined || grant.scope === (attributes.namespace ?? '')) && ruleAllows(grant.rule, attributes),
    );
  const constrainedOn = input.gate !== 'disabled';

  /** The grant that lets principal P make this request, or null. */
  const can = (principal: Principal, attributes: ResourceAttributes): string | null => {
    if (principal.kind === 'anyone') return 'cluster-admin equivalent';
    if (principal.kind === 'any-node') {
      // The Node authorizer lets a node write Node objects; NodeRestriction limits it to its own status and spec, never taints.
      const ownStatus = attributes.group === '' && attributes.resource === 'nodes' && attributes.subresource === 'status';
      return ownStatus && ['update', 'patch'].includes(attributes.verb) ? 'as that node: NodeRestriction allows its own status' : null;
    }
    const own = grantOf(principal.user, attributes);
    if (!own) return null;
    if (!principal.constrained) return describeGrant(own);
    const { requester, mode } = principal.constrained;
    const through = grantOf(requester, { ...attributes, verb: `impersonate-on:${mode}:${attributes.verb}` });
    return through ? `${describeGrant(through)}; then ${describeGrant(own)}` : null;
  };

  const pool = candidates(input);
  const otherNode = input.otherNode;
  const start: Principal = {
    label: from.label,
    kind: 'identity',
    user: from.user,
    constrained: null,
    anyNodeToken: false,
    credential: true,
    path: [],
  };
  const account = (namespace: string, name: string, from: Principal, hop: Omit<Hop, 'to'>, extra: Partial<Principal> = {}): Principal => {
    const label = `ServiceAccount ${namespace}/${name}`;
    return {
      label,
      kind: 'identity',
      user: serviceAccountUser(namespace, name),
      constrained: null,
      anyNodeToken: false,
      credential: false,
      path: [...from.path, { ...hop, to: label }],
      ...extra,
    };
  };
  const special = (kind: 'any-node' | 'anyone', from: Principal, hop: Omit<Hop, 'to'>): Principal => {
    const label = kind === 'anyone' ? 'cluster-admin equivalent' : 'any node (system:node:*)';
    return {
      label,
      kind,
      user: { username: label, groups: [] },
      constrained: null,
      anyNodeToken: false,
      credential: kind === 'any-node',
      path: [...from.path, { ...hop, to: label }],
    };
  };

  function* edges(from: Principal): Generator<Principal> {
    if (from.kind !== 'identity') return;
    const ask = (attributes: ResourceAttributes) => can(from, attributes);
    const impersonates = from.credential;
    for (const { namespace, name } of pool.accounts) {
      const legacy = impersonates ? ask({ verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace, name }) : null;
      if (legacy) yield account(namespace, name, from, { how: 'impersonate (legacy)', grant: legacy });
      const minted = ask({ verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace, name });
      if (minted)
        yield account(
          namespace,
          name,
          from,
          { how: 'mint a token, bound to any node, for', grant: minted },
          { anyNodeToken: true, credential: true },
        );
      if (constrainedOn && impersonates) {
        const identity = ask({
          verb: 'impersonate:serviceaccount',
          group: 'authentication.k8s.io',
          resource: 'serviceaccounts',
          namespace,
          name,
        });
        if (identity)
          yield account(
            namespace,
            name,
            from,
            { how: 'impersonate:serviceaccount', grant: identity },
            { constrained: { requester: from.user, mode: 'serviceaccount' } },
          );
      }
    }
    for (const namespace of new Set(pool.accounts.map((entry) => entry.namespace))) {
      for (const [group, resource] of WORKLOAD_KINDS) {
        const creates = ask({ verb: 'create', group, resource, namespace });
        if (!creates) continue;
        for (const target of pool.accounts.filter((entry) => entry.namespace === namespace))
          yield account(
            target.namespace,
            target.name,
            from,
            { how: `create ${resource} in ${namespace} (any spec.nodeName) running as`, grant: creates },
            { anyNodeToken: true, credential: true },
          );
        break;
      }
    }
    for (const name of impersonates ? pool.users : []) {
      const legacy = ask({ verb: 'impersonate', group: '', resource: 'users', name });
      const userInfo = constrainedOn
        ? ask({ verb: 'impersonate:user-info', group: 'authentication.k8s.io', resource: 'users', name })
        : null;
      const grant = legacy ?? userInfo;
      if (!grant) continue;
      yield {
        label: `User ${name}`,
        kind: 'identity',
        user: { username: name, groups: ['system:authenticated'] },
        constrained: legacy ? null : { requester: from.user, mode: 'user-info' },
        anyNodeToken: false,
        credential: false,
        path: [...from.path, { how: legacy ? 'impersonate (legacy)' : 'impersonate:user-info', to: `User ${name}`, grant }],
      };
    }
    // Impersonate-Group needs an Impersonate-User too: any user name will do.
    const anyUser =
      impersonates &&
      powerOf(from.user).some(
        (grant) =>
          grant.scope === undefined &&
          grant.rule.resourceNames.length === 0 &&
          ruleAllows(grant.rule, { verb: 'impersonate', group: '', resource: 'users' }),
      );
    if (anyUser) {
      for (const name of pool.groups) {
        const grant = ask({ verb: 'impersonate', group: '', resource: 'groups', name });
        if (grant)
          yield {
            label: `Group ${name}`,
            kind: 'identity',
            user: { username: 'any user', groups: [name, 'system:authenticated'] },
            constrained: null,
            anyNodeToken: false,
            credential: false,
            path: [...from.path, { how: 'impersonate a user in group (legacy)', to: `Group ${name}`, grant }],
          };
      }
    }
    const nodeUser = impersonates ? ask({ verb: 'impersonate', group: '', resource: 'users', name: `system:node:${otherNode}` }) : null;
    const nodeGroup = impersonates ? ask({ verb: 'impersonate', group: '', resource: 'groups', name: 'system:nodes' }) : null;
    if (nodeUser && nodeGroup)
      yield special('any-node', from, {
        how: 'impersonate (legacy, with Impersonate-Group: system:nodes)',
        grant: `${nodeUser}; ${nodeGroup}`,
      });
    const csr = [
      ask({ verb: 'create', group: 'certificates.k8s.io', resource: 'certificatesigningrequests' }),
      ask({ verb: 'update', group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval' }),
      ask({ verb: 'approve', group: 'certificates.k8s.io', resource: 'signers', name: KUBELET_CLIENT_SIGNER }),
    ];
    if (csr.every(Boolean))
      yield special('any-node', from, {
        how: `create and approve a ${KUBELET_CLIENT_SIGNER} certificate signing request`,
        grant: csr.join('; '),
      });
    const proxy =
      ask({ verb: 'create', group: '', resource: 'nodes', subresource: 'proxy', name: otherNode }) ??
      ask({ verb: 'get', group: '', resource: 'nodes', subresource: 'proxy', name: otherNode });
    if (proxy)
      for (const { namespace, name } of pool.running)
        yield account(
          namespace,
          name,
          from,
          { how: 'exec through nodes/proxy into a pod on any node, taking the token of', grant: proxy },
          { anyNodeToken: true, credential: true },
        );
    const bindsClusterAdmin =
      ask({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' }) &&
      ask({ verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'cluster-admin' });
    const escalates =
      ask({ verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' }) &&
      ask({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' }) &&
      ask({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' });
    if (bindsClusterAdmin || escalates)
      yield special('anyone', from, { how: 'bind itself a role with any permission', grant: (bindsClusterAdmin || escalates)! });
    const webhook = ['create', 'update', 'patch']
      .map((verb) => ask({ verb, group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' }))
      .find(Boolean);
    if (webhook) yield special('anyone', from, { how: 'register a mutating webhook that rewrites any write', grant: webhook });
  }

  const capabilities = (principal: Principal): ReachedCapability[] => {
    const found: ReachedCapability[] = [];
    const reach = (capability: ReachedCapability['capability'], grant: string | null) => {
      if (grant) found.push({ capability, as: principal.label, path: principal.path, grant });
    };
    const first = (...grants: (string | null)[]) => grants.find(Boolean) ?? null;
    const status = (verb: string): ResourceAttributes => ({ verb, group: '', resource: 'nodes', subresource: 'status', name: otherNode });
    let forge = first(can(principal, status('update')), can(principal, status('patch')));
    if (!forge && principal.kind === 'identity' && !principal.constrained) {
      // A token bound to another node, with the reporter's own associated-node grants, is that node.
      const associated =
        principal.anyNodeToken && constrainedOn
          ? can(principal, { verb: 'impersonate:associated-node', group: 'authentication.k8s.io', resource: 'nodes', name: '*' })
          : null;
      const associatedWrite = associated
        ? first(
            can(principal, { ...status('update'), verb: 'impersonate-on:associated-node:update' }),
            can(principal, { ...status('patch'), verb: 'impersonate-on:associated-node:patch' }),
          )
        : null;
      const arbitrary = constrainedOn
        ? can(principal, { verb: 'impersonate:arbitrary-node', group: 'authentication.k8s.io', resource: 'nodes', name: otherNode })
        : null;
      const arbitraryWrite = arbitrary
        ? first(
            can(principal, { ...status('update'), verb: 'impersonate-on:arbitrary-node:update' }),
            can(principal, { ...status('patch'), verb: 'impersonate-on:arbitrary-node:patch' }),
          )
        : null;
      forge =
        associated && associatedWrite
          ? `${associated}; ${associatedWrite} (with a token bound to ${otherNode})`
          : arbitrary && arbitraryWrite
            ? `${arbitrary}; ${arbitraryWrite}`
            : null;
    }
    reach('forge-other-node-conditions', forge);
    if (othersOwnNode && principal.kind === 'identity' && !principal.constrained && constrainedOn) {
      // Any pod whose token this is runs on some node, and its token carries that node's name.
      const identity = can(principal, {
        verb: 'impersonate:associated-node',
        group: 'authentication.k8s.io',
        resource: 'nodes',
        name: '*',
      });
      const write = identity
        ? first(
            can(principal, { ...status('update'), verb: 'impersonate-on:associated-node:update' }),
            can(principal, { ...status('patch'), verb: 'impersonate-on:associated-node:patch' }),
          )
        : null;
      reach('rewrite-own-conditions', identity && write ? `${identity}; ${write}` : null);
    }
    const node = (verb: string): ResourceAttributes => ({ verb, group: '', resource: 'nodes', name: otherNode });
    reach(
      'lift-readiness-taints',
      principal.kind === 'any-node' ? null : first(can(principal, node('update')), can(principal, node('patch'))),
    );
    const rule = (verb: string): ResourceAttributes => ({ verb, ...RULE_RESOURCE, name: 'any-rule' });
    reach('delete-other-nodes', principal.kind === 'any-node' ? null : can(principal, node('delete')));
    reach('change-rules', first(can(principal, rule('update')), can(principal, rule('patch')), can(principal, rule('delete'))));
    return found;
  };

  const seen = new Set<string>();
  const keyOf = (principal: Principal) =>
    `${principal.kind}|${principal.user.username}|${principal.user.groups.join(',')}|${principal.constrained?.mode ?? ''}|${principal.anyNodeToken}`;
  const reached = new Map<ReachedCapability['capability'], ReachedCapability>();
  let frontier = [start];
  seen.add(keyOf(start));
  for (let depth = 0; depth <= MAX_DEPTH && frontier.length > 0; depth++) {
    const next: Principal[] = [];
    for (const principal of frontier) {
      for (const found of capabilities(principal)) if (!reached.has(found.capability)) reached.set(found.capability, found);
      if (depth === MAX_DEPTH) continue;
      for (const neighbour of edges(principal)) {
        const key = keyOf(neighbour);
        if (seen.has(key)) continue;
        seen.add(key);
        next.push(neighbour);
      }
    }
    frontier = next;
  }
  return [...reached.values()];
}

/** "impersonate (legacy) → ServiceAccount kube-system/x", hop by hop. */
export function describePath(path: Hop[]): string {
  return path.map((hop) => `${hop.how} ${hop.to}`).join(' → ');
}

export interface Threat {
  capability: ReadinessCapability | 'rewrite-own-conditions';
  title: string;
  reachable: boolean;
  /** The reporter's job, not a threat: writing its own node's conditions. */
  expected: boolean;
  /** The shortest path, when reachable; empty for a direct grant. */
  path: Hop[];
  grant: string | null;
}

/**
 * What one compromised node running this reporter can do to readiness: its own
 * conditions (its job, when it can report at all), then every capability with
 * its shortest path or none.
 */
export function threatMatrix(reached: ReachedCapability[], canReport: boolean): Threat[] {
  const own: Threat = {
    capability: 'rewrite-own-conditions',
    title: OWN_CONDITIONS_TITLE,
    reachable: canReport,
    expected: true,
    path: [],
    grant: null,
  };
  return [
    own,
    ...(Object.keys(CAPABILITY_TITLES) as ReadinessCapability[]).map((capability): Threat => {
      const found = reached.find((entry) => entry.capability === capability);
      return {
        capability,
        title: CAPABILITY_TITLES[capability],
        reachable: found !== undefined,
        expected: false,
        path: found?.path ?? [],
        grant: found?.grant ?? null,
      };
    }),
  ];
}

export interface OtherLiar {
  /** "Group system:serviceaccounts", "ServiceAccount ns/name", "User alice". */
  subject: string;
  reached: ReachedCapability[];
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

/** Rules that cannot start a path: reads only, and not of nodes/proxy (the kubelet API, exec included). */
function harmless(rule: { verbs: string[]; resources: string[] }): boolean {
  return (
    rule.verbs.every((verb) => READ_VERBS.has(verb)) && !rule.resources.some((resource) => resource === '*' || resource === 'nodes/proxy')
  );
}

/**
 * The reverse question: every subject any binding names, other than the
 * reporters and the cluster's own machinery, that can lie about a node or lift
 * gating, with its path. Constrained grants bound to a broad group show up
 * here: then any pod on a node, not just the reporter, rewrites that node's
 * conditions.
 */
export function whoElseCanLie(
  input: Omit<PathSearchInput, 'serviceAccount'> & { reporters: { namespace: string; name: string }[] },
): OtherLiar[] {
  const reporters = new Set(input.reporters.map(({ namespace, name }) => `ServiceAccount/${namespace}/${name}`));
  const starts = new Map<string, { label: string; user: UserInfo }>();
  for (const entry of indexRbac(input.rbac)) {
    if (entry.rules.every(harmless) || isMachinery(entry)) continue;
    for (const subject of entry.subjects) {
      const key = `${subject.kind}/${subject.namespace ? `${subject.namespace}/` : ''}${subject.name}`;
      if (reporters.has(key) || starts.has(key) || subject.name === 'system:masters') continue;
      if (subject.kind === 'ServiceAccount' && subject.namespace)
        starts.set(key, {
          label: `ServiceAccount ${subject.namespace}/${subject.name}`,
          user: serviceAccountUser(subject.namespace, subject.name),
        });
      else if (subject.kind === 'Group')
        starts.set(key, {
          label: `Group ${subject.name}`,
          user: { username: `a member of ${subject.name}`, groups: [subject.name, 'system:authenticated'] },
        });
      else if (subject.kind === 'User')
        starts.set(key, { label: `User ${subject.name}`, user: { username: subject.name, groups: ['system:authenticated'] } });
    }
  }
  const serviceAccount = input.reporters[0] ?? { namespace: '', name: '' };
  return [...starts.values()].flatMap((start) => {
    const reached = search({ ...input, serviceAccount }, start, true);
    return reached.length > 0 ? [{ subject: start.label, reached }] : [];
  });
}

/** Bindings the cluster makes for itself: cluster-admin, and kube-controller-manager's system: roles for system: subjects. */
function isMachinery(entry: { binding: { name: string }; role: { name: string } }): boolean {
  return entry.role.name === 'cluster-admin' || (entry.binding.name.startsWith('system:') && entry.role.name.startsWith('system:'));
}
