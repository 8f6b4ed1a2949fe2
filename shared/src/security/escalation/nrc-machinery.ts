// NRC's own machinery: the rules (a new one, or all of them at once), their
// CRD, and the controller's leader-election Lease. Each is a capability the
// search checks at the end of a path (capabilities.ts); this class is where
// their ledger entries are claimed and their real attacks are named.
import { anyName, isExactly, type Claim, type LedgerEntry } from '../ledger/entry.ts';
import { CONTROLLER_LEASE, RULE_CRD } from './capabilities.ts';
import type { EscalationClass } from './model.ts';

const RULES_GROUP = 'readiness.node.x-k8s.io';
const clusterWide = (entry: LedgerEntry) => entry.namespace === null && anyName(entry);

/**
 * create and deletecollection carry no name when the apiserver authorizes
 * them, so only unnamed cluster-wide grants count (a RoleBinding's are inert:
 * rules are cluster-scoped). Not claimed: nodereadinessrules/status (read
 * for diagnosis only, its own finding), creating CRDs and writing any other
 * CRD (other controllers' APIs), and leases other than NRC's.
 */
const machineryClaims: Claim[] = [
  {
    by: 'change-rules / lift-readiness-taints',
    covers: (entry) => clusterWide(entry) && isExactly(entry, ['deletecollection'], RULES_GROUP, 'nodereadinessrules'),
  },
  {
    by: 'disrupt-other-nodes / lift-readiness-taints / change-rules',
    covers: (entry) => clusterWide(entry) && isExactly(entry, ['create'], RULES_GROUP, 'nodereadinessrules'),
  },
  {
    // Only grants naming NodeReadinessRule's CRD alone: other CRDs define other controllers' APIs (a CNI's, say), which no class walks.
    by: 'change-rules / lift-readiness-taints',
    covers: (entry) =>
      entry.namespace === null &&
      entry.resourceNames !== null &&
      entry.resourceNames.every((name) => name === RULE_CRD) &&
      isExactly(entry, ['update', 'patch', 'delete'], 'apiextensions.k8s.io', 'customresourcedefinitions'),
  },
  {
    // Named for NRC's Lease alone; in a namespace where no controller runs, the Lease steers nothing.
    by: 'change-rules',
    covers: (entry) =>
      entry.resourceNames !== null &&
      entry.resourceNames.every((name) => name === CONTROLLER_LEASE) &&
      isExactly(entry, ['update', 'patch', 'delete'], 'coordination.k8s.io', 'leases'),
  },
];

export const nrcMachinery: EscalationClass = {
  id: 'nrc-machinery',
  summary:
    "create a NodeReadinessRule (taints any node, NRC keeps it on), deletecollection the rules (NRC's finalizer lifts their taints), rewrite or delete their CRD, or hold NRC's leader-election Lease",
  resources: [],
  moves: [],
  claims: machineryClaims,
  proofs: [
    { attack: 'creating a rule that taints node-b: the controller taints it', twin: 'creating rules through a RoleBinding only' },
    {
      attack: "deleting every rule at once: NRC's finalizer lifts node-b's taint",
      twin: 'deletecollection on rules through a RoleBinding only',
    },
    {
      attack: "deleting NodeReadinessRule's CRD: every rule goes, and NRC's finalizer lifts node-b's taint",
      twin: 'deleting that CRD through a RoleBinding only',
    },
    { attack: "holding NRC's leader Lease: the controller stops", twin: 'the same Lease grant where no controller runs' },
  ],
};
