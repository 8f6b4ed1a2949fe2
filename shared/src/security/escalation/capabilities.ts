// The readiness capabilities an identity holds: rewrite another node's
// conditions (or its own, for the reverse question), lift readiness taints,
// disrupt other nodes, change the rules or stop NRC's controller.
import { anyName, isExactly, type Claim, type LedgerEntry } from '../ledger/entry.ts';
import { readPolicyRules, type RbacObjects, type ResourceAttributes } from '../rbac.ts';
import type { Account, EscalationClass, Principal, ReachedCapability } from './model.ts';

const RULE_RESOURCE = { group: 'readiness.node.x-k8s.io', resource: 'nodereadinessrules' };
/** NodeReadinessRule's CRD: deleting it deletes every rule, rewriting its schema can make them unreadable. */
export const RULE_CRD = 'nodereadinessrules.readiness.node.x-k8s.io';
/** NRC's leader-election Lease, in its controller's namespace (its cmd/main.go's LeaderElectionID): holding it stops the controller. */
export const CONTROLLER_LEASE = 'ba65f13e.readiness.node.x-k8s.io';

export type Found = { capability: ReachedCapability['capability']; grant: string };

export interface CapabilityContext {
  /** The grant that lets a principal make this request, or null. */
  can(principal: Principal, attributes: ResourceAttributes): string | null;
  constrainedOn: boolean;
  otherNode: string;
  /** Node and rule names some grant names: each is judged, since a named grant on any of them is the capability. */
  named: NamedTargets;
  /** NRC's controller Deployments. */
  controllers: Account[];
}

export interface NamedTargets {
  nodes: string[];
  rules: string[];
}

/**
 * Every node and rule name a role's resourceNames hold. The reporter runs on
 * every node, so a grant naming any node, its own included, lets the reporter
 * on each other node write that one; a name no node has yet counts too, since
 * a node can join with it later (and a rule be created with it).
 */
export function namedTargets(rbac: RbacObjects, onlyOtherNode: boolean): NamedTargets {
  const nodes = new Set<string>();
  const rules = new Set<string>();
  for (const role of [...rbac.clusterRoles, ...rbac.roles])
    for (const rule of readPolicyRules(role)) {
      const on = (resource: string) => rule.resources.some((named) => named === '*' || named === resource);
      if (on('nodes') || on('nodes/status')) rule.resourceNames.forEach((name) => nodes.add(name));
      if (on(RULE_RESOURCE.resource)) rule.resourceNames.forEach((name) => rules.add(name));
    }
  return { nodes: onlyOtherNode ? [] : [...nodes], rules: [...rules] };
}

export function capabilities(
  principal: Principal,
  othersOwnNode: boolean,
  { can, constrainedOn, otherNode, named, controllers }: CapabilityContext,
): Found[] {
  const found: Found[] = [];
  const reach = (capability: Found['capability'], grant: string | null) => {
    if (grant) found.push({ capability, grant });
  };
  const first = (...grants: (string | null)[]) => grants.find(Boolean) ?? null;
  const status = (verb: string, name = otherNode): ResourceAttributes => ({
    verb,
    group: '',
    resource: 'nodes',
    subresource: 'status',
    name,
  });
  /** The first grant for this request on any node the search judges: the sampled other node, then every named one. */
  const onAnyNode = (request: (name: string) => ResourceAttributes) =>
    first(...[otherNode, ...named.nodes].map((name) => can(principal, request(name))));
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
      onAnyNode((name) => status('update', name)),
      onAnyNode((name) => status('patch', name)),
      principal.anyNodeToken && associated ? `${associated} (with a token bound to ${otherNode})` : null,
      asNode('arbitrary-node'),
    ),
  );
  if (othersOwnNode && (principal.ownNodeToken || principal.anyNodeToken)) reach('rewrite-own-conditions', associated);
  const rule = (verb: string): string | null =>
    first(...['any-rule', ...named.rules].map((name) => can(principal, { verb, ...RULE_RESOURCE, name })));
  // create and deletecollection carry no name, as the apiserver authorizes them.
  const unnamedRule = (verb: string): ResourceAttributes => ({ verb, ...RULE_RESOURCE });
  const crd = (verb: string): ResourceAttributes => ({
    verb,
    group: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    name: RULE_CRD,
  });
  const newRule = can(principal, unnamedRule('create'));
  /**
   * Whatever rewrites or removes a rule lifts its taints: NRC's finalizer
   * takes a deleted rule's taints off, and a rule rewritten to conditions a
   * node meets is lifted there. A new rule with the same taint key and
   * conditions every node meets lifts it too, where NRC's optional webhook
   * does not refuse the overlap.
   */
  const rulesChanged = first(
    rule('update'),
    rule('patch'),
    rule('delete'),
    can(principal, unnamedRule('deletecollection')),
    newRule,
    can(principal, crd('update')),
    can(principal, crd('patch')),
    can(principal, crd('delete')),
  );
  const node = (verb: string): string | null => onAnyNode((name) => ({ verb, group: '', resource: 'nodes', name }));
  reach('lift-readiness-taints', principal.kind === 'any-node' ? null : first(node('update'), node('patch'), rulesChanged));
  const denyingWebhook = (verb: string): ResourceAttributes => ({
    verb,
    group: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
  });
  const admission = (resource: string): string | null =>
    first(...['create', 'update', 'patch'].map((verb) => can(principal, { verb, group: 'admissionregistration.k8s.io', resource })));
  // A policy does nothing until a binding selects it: both are needed, and either may be rewritten rather than created.
  const policy = admission('validatingadmissionpolicies');
  const policyBinding = admission('validatingadmissionpolicybindings');
  const denyingPolicy = policy && policyBinding ? `${policy}; ${policyBinding}` : null;
  reach(
    'disrupt-other-nodes',
    principal.kind === 'any-node'
      ? null
      : first(
          node('update'),
          node('patch'),
          node('delete'),
          ...['create', 'update', 'patch'].map((verb) => can(principal, denyingWebhook(verb))),
          // A new rule taints whichever nodes its selector picks, and NRC keeps the taint on.
          newRule,
          denyingPolicy,
        ),
  );
  // Scaling, rewriting or deleting the controller's Deployment stops it; rewriting it also runs code as its ServiceAccount, which the workload hop follows.
  const controller = (verb: string, { namespace, name }: { namespace: string; name: string }, subresource?: string) =>
    can(principal, { verb, group: 'apps', resource: 'deployments', namespace, name, ...(subresource ? { subresource } : {}) });
  const lease = (verb: string, namespace: string): ResourceAttributes => ({
    verb,
    group: 'coordination.k8s.io',
    resource: 'leases',
    namespace,
    name: CONTROLLER_LEASE,
  });
  reach(
    'change-rules',
    first(
      rulesChanged,
      // With leader election on, whoever holds the Lease is the leader: the controller waits.
      ...controllers.flatMap(({ namespace }) => ['update', 'patch', 'delete'].map((verb) => can(principal, lease(verb, namespace)))),
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
}

/**
 * Grants that are a capability by themselves: the search finds them on the
 * spot. A node or rule write is claimed whatever names it holds, since every
 * named one is judged (namedTargets); impersonating a named node is judged
 * for the sampled one only, so named ones are not claimed.
 */
const clusterWide = (entry: LedgerEntry) => entry.namespace === null && anyName(entry);

const capabilityClaims: Claim[] = [
  {
    by: 'forge-other-node-conditions',
    covers: (entry) =>
      (entry.namespace === null && isExactly(entry, ['update', 'patch'], '', 'nodes', 'status')) ||
      (clusterWide(entry) &&
        (isExactly(entry, ['impersonate-on:arbitrary-node:update', 'impersonate-on:arbitrary-node:patch'], '', 'nodes', 'status') ||
          isExactly(entry, ['impersonate:arbitrary-node'], 'authentication.k8s.io', 'nodes'))),
  },
  {
    by: 'lift-readiness-taints / disrupt-other-nodes',
    covers: (entry) => entry.namespace === null && isExactly(entry, ['update', 'patch', 'delete'], '', 'nodes'),
  },
  {
    by: 'disrupt-other-nodes',
    covers: (entry) =>
      entry.namespace === null &&
      isExactly(entry, ['create', 'update', 'patch'], 'admissionregistration.k8s.io', 'validatingwebhookconfigurations'),
  },
  {
    by: 'change-rules / lift-readiness-taints',
    covers: (entry) =>
      entry.namespace === null && isExactly(entry, ['update', 'patch', 'delete'], RULE_RESOURCE.group, RULE_RESOURCE.resource),
  },
];

export const readinessCapabilities: EscalationClass = {
  id: 'capabilities',
  summary:
    "the end of every path: write other nodes' status, taints or existence (every name a grant names, joined or not), deny their writes with a validating webhook or admission policy, change the rules or stop NRC's controller",
  resources: [],
  moves: [],
  claims: capabilityClaims,
  proofs: [
    {
      attack: "legacy impersonation of a ServiceAccount that may patch nodes: lifts node-b's taint",
      twin: 'legacy impersonation of a ServiceAccount that may only read nodes',
    },
    {
      attack: 'legacy impersonation of a ServiceAccount that may delete nodes',
      twin: 'legacy impersonation of a ServiceAccount that may not',
    },
    {
      attack: 'legacy impersonation of a ServiceAccount that may patch nodes: cordons node-b',
      twin: 'legacy impersonation of a ServiceAccount that may only read nodes, to cordon',
    },
    { attack: "registering a validating webhook: node-b's own writes are denied", twin: 'reading validating webhooks only' },
    { attack: 'patching the rule to dry run', twin: 'reading the rules only' },
    { attack: "scaling NRC's controller to zero", twin: "reading NRC's controller Deployment only" },
    { attack: "update nodes/status named for node-c: node-a's token writes node-c", twin: 'the same named grant through a RoleBinding' },
    {
      attack: 'update nodes/status named for a node that joins later',
      twin: 'the same grant for the later node through a RoleBinding',
    },
  ],
};
