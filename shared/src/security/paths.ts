// Escalation paths: what an attacker holding a reporter's pod-bound token can
// become, hop by hop, and which readiness capabilities that gives. Attackers
// walk paths; a posture decided from the reporter's direct grants alone can
// say "constrained" while a two-step attack works. Searched over the RBAC
// objects, breadth first, so each capability comes with its shortest path.
import type { Grant, ObjectRef } from '../base/kube.ts';
import type { ChainVerdict } from './chain.ts';
import type { GateState } from '../nrc/gate.ts';
import {
  describeGrant,
  indexRbac,
  rulesOf,
  ruleAllows,
  serviceAccountUser,
  type RbacObjects,
  type ResourceAttributes,
  type UserInfo,
} from './rbac.ts';
import { asArray, asRecord, asString, metadataOf, templateSpec } from '../base/read.ts';

export type ReadinessCapability = 'forge-other-node-conditions' | 'lift-readiness-taints' | 'disrupt-other-nodes' | 'change-rules';

/** In the order the threat matrix lists them. */
export const CAPABILITY_TITLES: Record<ReadinessCapability, string> = {
  'forge-other-node-conditions': "rewrite another node's conditions",
  'lift-readiness-taints': 'lift readiness taints on any node',
  'disrupt-other-nodes': 'add taints to, cordon or delete other nodes',
  'change-rules': "change or delete NodeReadinessRules, or stop NRC's controller",
};

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

/** A hop as the graph holds it; its objects are named once a path is chosen. */
type Step = Omit<Hop, 'objects'>;

interface Principal {
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

/** Writing its own node's conditions: a reporter's job, anyone else's lie. */
export const OWN_CONDITIONS_TITLE = "rewrite its own node's conditions";

const CAPABILITY_ORDER: ReachedCapability['capability'][] = [
  'rewrite-own-conditions',
  'forge-other-node-conditions',
  'lift-readiness-taints',
  'disrupt-other-nodes',
  'change-rules',
];

const byCapability = (reached: ReachedCapability[]) =>
  reached.sort((a, b) => CAPABILITY_ORDER.indexOf(a.capability) - CAPABILITY_ORDER.indexOf(b.capability));

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
const WORKLOAD_RESOURCES = new Set(WORKLOAD_KINDS.map(([, resource]) => resource));
const SECRET_RESOURCES = new Set(['secrets']);
const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
const RULE_RESOURCE = { group: 'readiness.node.x-k8s.io', resource: 'nodereadinessrules' };
const MAX_DEPTH = 5;

type Bound = Grant & { scope: string | undefined };

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

/** Every ServiceAccount, user and group the cluster's bindings and workloads name: the identities worth becoming. */
function candidates(input: Omit<PathSearchInput, 'serviceAccount'>) {
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

/** From the reporter's pod-bound token: what one compromised node running it can do. */
export function searchEscalationPaths(input: PathSearchInput): ReachedCapability[] {
  const { namespace, name } = input.serviceAccount;
  const [reached] = graphOf(input).searchAll(
    [{ label: `ServiceAccount ${namespace}/${name} (the reporter's token)`, user: serviceAccountUser(namespace, name) }],
    false,
  );
  return byCapability(reached!);
}

type GraphInput = Omit<PathSearchInput, 'serviceAccount'>;
interface Start {
  label: string;
  user: UserInfo;
}
interface PathGraph {
  input: GraphInput;
  searchAll(starts: Start[], othersOwnNode: boolean): ReachedCapability[][];
}
const graphs = new WeakMap<RbacObjects, PathGraph>();

/**
 * One graph per cluster snapshot: every reporter's search and every subject
 * of the reverse question share its moves and capabilities, each worked out
 * once per identity.
 */
function graphOf(input: GraphInput): PathGraph {
  const cached = graphs.get(input.rbac);
  if (
    cached &&
    cached.input.gate === input.gate &&
    cached.input.otherNode === input.otherNode &&
    cached.input.workloads === input.workloads
  )
    return cached;
  const graph = buildGraph(input);
  graphs.set(input.rbac, graph);
  return graph;
}

/** Resources a rule must touch for an identity to move on from it at all. */
const EDGE_RESOURCES = new Set([
  'serviceaccounts',
  'serviceaccounts/token',
  'users',
  'groups',
  ...WORKLOAD_KINDS.map(([, resource]) => resource),
  'secrets',
  'certificatesigningrequests',
  'certificatesigningrequests/approval',
  'certificatesigningrequests/nodeclient',
  'signers',
  'nodes/proxy',
  'clusterrolebindings',
  'clusterroles',
  'mutatingwebhookconfigurations',
  'validatingwebhookconfigurations',
]);
const touchesEdge = (rule: { resources: string[] }) =>
  rule.resources.some((resource) => resource === '*' || resource.startsWith('*/') || EDGE_RESOURCES.has(resource));

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
  type Move = [Principal, Step];
  const account = (namespace: string, name: string, hop: Omit<Step, 'to'>, extra: Partial<Principal> = {}): Move => {
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
  };
  const special = (kind: 'any-node' | 'anyone', hop: Omit<Step, 'to'>): Move => {
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
  };
  const accountsIn = new Map<string, { namespace: string; name: string }[]>();
  for (const entry of pool.accounts) {
    const inNamespace = accountsIn.get(entry.namespace);
    if (inNamespace) inNamespace.push(entry);
    else accountsIn.set(entry.namespace, [entry]);
  }

  /** The ServiceAccounts a principal's rules could name: by resourceNames, when every such rule lists them. */
  const accountCandidates = (rules: Bound[]): { namespace: string; name: string }[] => {
    const onAccounts = rules.filter((grant) =>
      grant.rule.resources.some(
        (resource) => resource === '*' || resource === 'serviceaccounts' || resource === 'serviceaccounts/token' || resource === '*/token',
      ),
    );
    if (onAccounts.length === 0) return [];
    if (onAccounts.some((grant) => grant.rule.resourceNames.length === 0)) return pool.accounts;
    const names = new Set(onAccounts.flatMap((grant) => grant.rule.resourceNames));
    return pool.accounts.filter((entry) => names.has(entry.name));
  };

  function* moves(from: Principal): Generator<Move> {
    if (from.kind === 'pods' || from.kind === 'tokens') {
      // A pod runs with a token bound to the node it is put on; a legacy token is bound to none.
      const [hop, extra]: [Omit<Step, 'to'>, Partial<Principal>] =
        from.kind === 'pods'
          ? [
              { how: 'running as', grant: 'spec.serviceAccountName' },
              { anyNodeToken: true, credential: true },
            ]
          : [{ how: 'the legacy token of', grant: 'a Secret of type kubernetes.io/service-account-token' }, { credential: true }];
      for (const target of accountsIn.get(from.user.username) ?? []) yield account(target.namespace, target.name, hop, extra);
      return;
    }
    if (from.kind !== 'identity') return;
    const rules = powerOf(from.user).filter((grant) => touchesEdge(grant.rule));
    if (rules.length === 0) return;
    const ask = (attributes: ResourceAttributes) => can(from, attributes);
    const impersonates = from.credential;
    for (const { namespace, name } of accountCandidates(rules)) {
      const legacy = impersonates ? ask({ verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace, name }) : null;
      if (legacy) yield account(namespace, name, { how: 'impersonate (legacy)', grant: legacy });
      const minted = ask({ verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace, name });
      if (minted)
        yield account(
          namespace,
          name,
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
            { how: 'impersonate:serviceaccount', grant: identity },
            { constrained: { requester: from.user, mode: 'serviceaccount' } },
          );
      }
    }
    const namespaces = rules.some((grant) => grant.scope === undefined)
      ? [...accountsIn.keys()]
      : [...new Set(rules.map((grant) => grant.scope!))];
    const touches = (resources: Set<string>) =>
      rules.some((grant) => grant.rule.resources.some((resource) => resource === '*' || resources.has(resource)));
    const firstGrant = (requests: Iterable<ResourceAttributes>): string | null => {
      for (const request of requests) {
        const grant = ask(request);
        if (grant) return grant;
      }
      return null;
    };
    const namespaceStep = (kind: 'pods' | 'tokens', namespace: string, how: string, grant: string): Move => {
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
    };
    if (touches(SECRET_RESOURCES)) {
      // Counted even when names limit it: a creator picks the name of the token Secret it makes, and a legacy token's name is on its ServiceAccount.
      const names = ['any-name', ...rules.flatMap((grant) => (grant.rule.resources.includes('secrets') ? grant.rule.resourceNames : []))];
      for (const namespace of namespaces) {
        const reads = firstGrant(
          (function* () {
            for (const verb of ['list', 'watch', 'get'])
              for (const name of names) yield { verb, group: '', resource: 'secrets', namespace, name };
          })(),
        );
        if (reads) yield namespaceStep('tokens', namespace, `read Secrets in ${namespace}:`, reads);
      }
    }
    if (touches(WORKLOAD_RESOURCES))
      for (const namespace of namespaces)
        for (const [group, resource] of WORKLOAD_KINDS) {
          // Rewriting an existing workload's pod template runs pods just as well as creating one.
          const creates = firstGrant(['create', 'update', 'patch'].map((verb) => ({ verb, group, resource, namespace })));
          if (!creates) continue;
          yield namespaceStep('pods', namespace, `create ${resource} in ${namespace}, on any node (spec.nodeName):`, creates);
          break;
        }
    for (const name of impersonates ? pool.users : []) {
      const legacy = ask({ verb: 'impersonate', group: '', resource: 'users', name });
      const userInfo = constrainedOn
        ? ask({ verb: 'impersonate:user-info', group: 'authentication.k8s.io', resource: 'users', name })
        : null;
      const grant = legacy ?? userInfo;
      if (!grant) continue;
      yield [
        {
          label: `User ${name}`,
          kind: 'identity',
          user: { username: name, groups: ['system:authenticated'] },
          constrained: legacy ? null : { requester: from.user, mode: 'user-info' },
          anyNodeToken: false,
          ownNodeToken: false,
          credential: false,
        },
        { how: legacy ? 'impersonate (legacy)' : 'impersonate:user-info', to: `User ${name}`, grant },
      ];
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
          yield [
            {
              label: `Group ${name}`,
              kind: 'identity',
              user: { username: 'any user', groups: [name, 'system:authenticated'] },
              constrained: null,
              anyNodeToken: false,
              ownNodeToken: false,
              credential: false,
            },
            { how: 'impersonate a user in group (legacy)', to: `Group ${name}`, grant },
          ];
      }
    }
    const nodeUser = impersonates ? ask({ verb: 'impersonate', group: '', resource: 'users', name: `system:node:${otherNode}` }) : null;
    const nodeGroup = impersonates ? ask({ verb: 'impersonate', group: '', resource: 'groups', name: 'system:nodes' }) : null;
    if (nodeUser && nodeGroup)
      yield special('any-node', {
        how: 'impersonate (legacy, with Impersonate-Group: system:nodes)',
        grant: `${nodeUser}; ${nodeGroup}`,
      });
    const csr = [
      ask({ verb: 'create', group: 'certificates.k8s.io', resource: 'certificatesigningrequests' }),
      ask({ verb: 'update', group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval' }),
      ask({ verb: 'approve', group: 'certificates.k8s.io', resource: 'signers', name: KUBELET_CLIENT_SIGNER }),
    ];
    if (csr.every(Boolean))
      yield special('any-node', {
        how: `create and approve a ${KUBELET_CLIENT_SIGNER} certificate signing request`,
        grant: csr.join('; '),
      });
    // kube-controller-manager's csrapproving controller approves a node client CSR for whoever may create
    // certificatesigningrequests/nodeclient; the signed certificate is then read back from the CSR.
    const csrRead = ['get', 'list', 'watch']
      .map((verb) => ask({ verb, group: 'certificates.k8s.io', resource: 'certificatesigningrequests', name: 'any-csr' }))
      .find(Boolean);
    const autoApproved = [
      csr[0],
      ask({ verb: 'create', group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'nodeclient' }),
      csrRead ?? null,
    ];
    if (autoApproved.every(Boolean))
      yield special('any-node', {
        how: `create a ${KUBELET_CLIENT_SIGNER} certificate signing request, which kube-controller-manager approves for nodeclient`,
        grant: autoApproved.join('; '),
      });
    const proxy =
      ask({ verb: 'create', group: '', resource: 'nodes', subresource: 'proxy', name: otherNode }) ??
      ask({ verb: 'get', group: '', resource: 'nodes', subresource: 'proxy', name: otherNode });
    if (proxy)
      for (const { namespace, name } of pool.running)
        yield account(
          namespace,
          name,
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
      yield special('anyone', { how: 'bind itself a role with any permission', grant: (bindsClusterAdmin || escalates)! });
    const webhook = ['create', 'update', 'patch']
      .map((verb) => ask({ verb, group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' }))
      .find(Boolean);
    if (webhook) yield special('anyone', { how: 'register a mutating webhook that rewrites any write', grant: webhook });
  }

  type Found = { capability: ReachedCapability['capability']; grant: string };
  const capabilities = (principal: Principal, othersOwnNode: boolean): Found[] => {
    const found: Found[] = [];
    const reach = (capability: Found['capability'], grant: string | null) => {
      if (grant) found.push({ capability, grant });
    };
    const first = (...grants: (string | null)[]) => grants.find(Boolean) ?? null;
    const status = (verb: string): ResourceAttributes => ({ verb, group: '', resource: 'nodes', subresource: 'status', name: otherNode });
    /** Both checks of a node-impersonation mode, for a status write: the identity, then impersonate-on for update or patch. */
    const asNode = (mode: 'associated-node' | 'arbitrary-node'): string | null => {
      if (!constrainedOn || principal.kind !== 'identity' || principal.constrained) return null;
      const identity = can(principal, {
        verb: `impersonate:${mode}`,
        group: 'authentication.k8s.io',
        resource: 'nodes',
        name: mode === 'associated-node' ? '*' : otherNode,
      });
      const write = identity
        ? first(
            can(principal, { ...status('update'), verb: `impersonate-on:${mode}:update` }),
            can(principal, { ...status('patch'), verb: `impersonate-on:${mode}:patch` }),
          )
        : null;
      return identity && write ? `${identity}; ${write}` : null;
    };
    // A token bound to another node, with associated-node grants, is that node; any pod's token is its own node.
    const associated = asNode('associated-node');
    reach(
      'forge-other-node-conditions',
      first(
        can(principal, status('update')),
        can(principal, status('patch')),
        principal.anyNodeToken && associated ? `${associated} (with a token bound to ${otherNode})` : null,
        asNode('arbitrary-node'),
      ),
    );
    if (othersOwnNode && (principal.ownNodeToken || principal.anyNodeToken)) reach('rewrite-own-conditions', associated);
    const node = (verb: string): ResourceAttributes => ({ verb, group: '', resource: 'nodes', name: otherNode });
    reach(
      'lift-readiness-taints',
      principal.kind === 'any-node' ? null : first(can(principal, node('update')), can(principal, node('patch'))),
    );
    const rule = (verb: string): ResourceAttributes => ({ verb, ...RULE_RESOURCE, name: 'any-rule' });
    const denyingWebhook = (verb: string): ResourceAttributes => ({
      verb,
      group: 'admissionregistration.k8s.io',
      resource: 'validatingwebhookconfigurations',
    });
    reach(
      'disrupt-other-nodes',
      principal.kind === 'any-node'
        ? null
        : first(
            can(principal, node('update')),
            can(principal, node('patch')),
            can(principal, node('delete')),
            ...['create', 'update', 'patch'].map((verb) => can(principal, denyingWebhook(verb))),
          ),
    );
    // Scaling, rewriting or deleting the controller's Deployment stops it; rewriting it also runs code as its ServiceAccount, which the workload hop follows.
    const controller = (verb: string, { namespace, name }: { namespace: string; name: string }, subresource?: string) =>
      can(principal, { verb, group: 'apps', resource: 'deployments', namespace, name, ...(subresource ? { subresource } : {}) });
    reach(
      'change-rules',
      first(
        can(principal, rule('update')),
        can(principal, rule('patch')),
        can(principal, rule('delete')),
        ...controllers.flatMap((deployment) => [
          controller('update', deployment),
          controller('patch', deployment),
          controller('delete', deployment),
          controller('update', deployment, 'scale'),
          controller('patch', deployment, 'scale'),
        ]),
      ),
    );
    return found;
  };

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
      for (const found of cached(capabilitiesOf, `${key}|${othersOwnNode}`, () => capabilities(principal, othersOwnNode)))
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
  return { input, searchAll };
}

const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** The ServiceAccount a hop lands on, when it lands on one. */
function identityOf(principal: Principal): ObjectRef[] {
  const match = principal.kind === 'identity' ? SERVICE_ACCOUNT_USER.exec(principal.user.username) : null;
  return match ? [{ kind: 'ServiceAccount', namespace: match[1]!, name: match[2]! }] : [];
}

/** Every object a path names, hop by hop, then those behind its final grant. */
export const pathObjects = (reached: ReachedCapability): ObjectRef[] => [
  ...reached.path.flatMap((hop) => hop.objects),
  ...reached.grantObjects,
];

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
  /** Reachable exactly when expected: its own conditions yes, everything else no. */
  safe: boolean;
  /** The shortest path, when reachable; empty for a direct grant. */
  path: Hop[];
  grant: string | null;
  /** The bindings and roles behind `grant`. */
  grantObjects: ObjectRef[];
  /** One line for the matrix: the path, the direct grant, or why its own conditions are (not) reachable. */
  explanation: string;
}

function threat(
  capability: Threat['capability'],
  expected: boolean,
  found: { path: Hop[]; grant: string | null; grantObjects: ObjectRef[] } | null,
): Threat {
  const reachable = found !== null;
  const path = found?.path ?? [];
  return {
    capability,
    title: capabilityTitle(capability),
    reachable,
    expected,
    safe: reachable === expected,
    path,
    grant: found?.grant ?? null,
    grantObjects: found?.grantObjects ?? [],
    explanation: expected
      ? reachable
        ? "expected: the reporter's job"
        : 'the reporter cannot report (see its findings)'
      : reachable
        ? describePath(path) || `directly: ${found?.grant ?? ''}`
        : '',
  };
}

/**
 * What one compromised node running this reporter can do to readiness: its own
 * conditions (its job, when it can report at all), then every capability with
 * its shortest path or none.
 */
export function threatMatrix(reached: ReachedCapability[], canReport: boolean): Threat[] {
  return [
    threat('rewrite-own-conditions', true, canReport ? { path: [], grant: null, grantObjects: [] } : null),
    ...(Object.keys(CAPABILITY_TITLES) as ReadinessCapability[]).map((capability) =>
      threat(capability, false, reached.find((entry) => entry.capability === capability) ?? null),
    ),
  ];
}

export interface OtherLiar {
  /** "Group system:serviceaccounts", "ServiceAccount ns/name", "User alice". */
  subject: string;
  reached: ReachedCapability[];
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

/** Reads that hand over a credential: nodes/proxy (the kubelet API, exec included) and Secrets (legacy tokens). */
const CREDENTIAL_READS = new Set(['*', 'nodes/proxy', 'secrets']);

/** Rules that cannot start a path: reads only, of nothing that hands over a credential. */
function harmless(rule: { verbs: string[]; resources: string[] }): boolean {
  return rule.verbs.every((verb) => READ_VERBS.has(verb)) && !rule.resources.some((resource) => CREDENTIAL_READS.has(resource));
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
  // NRC's controller lifts and adds readiness taints by design: trusted like the cluster's own machinery; paths into it are still found.
  const controllers = input.workloads.filter(isReadinessController).map((workload) => {
    const spec = templateSpec(workload);
    return { namespace: metadataOf(workload).namespace, name: asString(spec['serviceAccountName']) ?? 'default' };
  });
  const reporters = new Set([...input.reporters, ...controllers].map(({ namespace, name }) => `ServiceAccount/${namespace}/${name}`));
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
  const subjects = [...starts.values()];
  const reached = graphOf(input).searchAll(subjects, true);
  return subjects.flatMap((start, index) => {
    const found = byCapability(reached[index]!);
    return found.length > 0 ? [{ subject: start.label, reached: found }] : [];
  });
}

/** Bindings the cluster makes for itself: cluster-admin, and kube-controller-manager's system: roles for system: subjects. */
function isMachinery(entry: { binding: { name: string }; role: { name: string } }): boolean {
  return entry.role.name === 'cluster-admin' || (entry.binding.name.startsWith('system:') && entry.role.name.startsWith('system:'));
}

/** On its own node, writing its conditions is the reporter's job: the decision chain answers it, not the path search. */
export const isReportersJob = (capability: ReadinessCapability, node: string, onNode: string): boolean =>
  capability === 'forge-other-node-conditions' && node === onNode;

export interface ReadinessAnswer {
  question: string;
  allowed: boolean;
  why: string;
  path: Hop[];
}

/**
 * "Can the reporter on node A do this to node B's readiness?": its job on
 * its own node by the chain's verdict, anything else by the shortest path.
 */
export function readinessAnswer(
  capability: ReadinessCapability,
  serviceAccount: { namespace: string; name: string },
  reached: ReachedCapability[],
  ownJob: ChainVerdict | null,
): ReadinessAnswer {
  if (ownJob) {
    const allowed = ownJob.allowed === true;
    return { question: OWN_CONDITIONS_TITLE, allowed, why: `${ownJob.explanation}${allowed ? " (the reporter's job)" : ''}`, path: [] };
  }
  const found = reached.find((entry) => entry.capability === capability);
  return {
    question: capabilityTitle(capability),
    allowed: found !== undefined,
    why: found
      ? `${describePath(found.path) || 'directly'}; as ${found.as}: ${found.grant}`
      : `no escalation path from ${serviceAccount.namespace}/${serviceAccount.name}'s token reaches it`,
    path: found?.path ?? [],
  };
}
