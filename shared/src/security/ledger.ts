// The permission ledger: every RBAC permission an identity holds, each
// classed as inert (on the reviewed allow-list), modelled (claimed by an
// escalation class or capability, whose walk decides) or unassessed. A
// reporter is Constrained only when no identity its token reaches holds an
// unassessed permission: what the search does not know is not read as harmless.
import { CATALOGUE } from './escalation/catalogue.ts';
import { graphOf } from './escalation/graph.ts';
import { boundRoleRules } from './escalation/role-binding.ts';
import type { PathSearchInput } from './escalation/model.ts';
import { describeEntry, describeSource, expandRule, type Claim, type LedgerEntry } from './ledger/entry.ts';
import { inertReason } from './ledger/inert.ts';
import { unassessedWhy } from './ledger/why.ts';
import { indexRbac, rulesOf, serviceAccountUser, type RbacObjects, type UserInfo } from './rbac.ts';

export type { LedgerEntry } from './ledger/entry.ts';
export { INERT_ROWS } from './ledger/inert.ts';

/** Every claim of the catalogue's classes: workload writes and nodes/proxy are walked as hops but claim nothing yet. */
const CLAIMS: Claim[] = CATALOGUE.flatMap((entry) => entry.claims);

export type LedgerClass = 'inert' | 'modelled' | 'unassessed';

export interface ClassedEntry extends LedgerEntry {
  class: LedgerClass;
  /** inert: the allow-list's reason; modelled: the claiming class; unassessed: why it could matter. */
  reason: string;
  /** "get /version", "create pods in team-a". */
  text: string;
  /** "ClusterRoleBinding x → ClusterRole y". */
  source: string;
}

export function classifyEntry(entry: LedgerEntry): ClassedEntry {
  const shown = { ...entry, text: describeEntry(entry), source: describeSource(entry) };
  const inert = inertReason(entry);
  if (inert !== null) return { ...shown, class: 'inert', reason: inert };
  const claim = CLAIMS.find((candidate) => candidate.covers(entry));
  if (claim) return { ...shown, class: 'modelled', reason: `walked by ${claim.by}` };
  return { ...shown, class: 'unassessed', reason: unassessedWhy(entry) };
}

const ledgers = new WeakMap<RbacObjects, Map<string, ClassedEntry[]>>();

/**
 * Every permission bound to `user` (its name and its groups), expanded and
 * classed, duplicates once; worked out once per identity and snapshot, since
 * the reverse question reaches a namespace's accounts from each of its subjects.
 */
export function ledgerOf(rbac: RbacObjects, user: UserInfo): ClassedEntry[] {
  let known = ledgers.get(rbac);
  if (!known) ledgers.set(rbac, (known = new Map()));
  const key = `${user.username}\n${user.groups.join('\n')}`;
  let entries = known.get(key);
  if (!entries) known.set(key, (entries = classedLedger(rbac, user)));
  return entries;
}

function classedLedger(rbac: RbacObjects, user: UserInfo): ClassedEntry[] {
  const seen = new Set<string>();
  const entries: ClassedEntry[] = [];
  // An identity the search made by binding itself roles holds their rules too.
  for (const grant of [...rulesOf(indexRbac(rbac), user), ...boundRoleRules(rbac, user)])
    for (const entry of expandRule(grant.rule, grant.binding, grant.role, grant.scope)) {
      const key = JSON.stringify(entry);
      if (seen.has(key)) continue;
      seen.add(key);
      entries.push(classifyEntry(entry));
    }
  return entries;
}

export interface IdentityLedger {
  /** "ServiceAccount kube-system/cni-reporter (the reporter's token)". */
  identity: string;
  /** How the reporter's token reaches it; empty for the token itself. */
  via: string[];
  entries: ClassedEntry[];
}

/** The reporter's own ledger, then that of every identity its token reaches, so a step's unassessed power counts too. */
export function reachedLedgers(input: PathSearchInput): IdentityLedger[] {
  const { namespace, name } = input.serviceAccount;
  return ledgersReachedFrom(input, {
    label: `ServiceAccount ${namespace}/${name} (the reporter's token)`,
    user: serviceAccountUser(namespace, name),
  });
}

/** Any start's own ledger, then that of every identity it reaches: the reverse question asks it of every bound subject. */
export function ledgersReachedFrom(
  input: Omit<PathSearchInput, 'serviceAccount'>,
  start: { label: string; user: UserInfo },
): IdentityLedger[] {
  return graphOf(input)
    .reachable(start)
    .map((identity) => ({
      identity: identity.label,
      via: identity.path.map((hop) => `${hop.how} ${hop.to}`),
      entries: ledgerOf(input.rbac, identity.user),
    }));
}

/** Unassessed entries, identity by identity, with the identities that hold none left out. */
export function unassessedOf(ledgers: IdentityLedger[]): IdentityLedger[] {
  return ledgers
    .map((ledger) => ({ ...ledger, entries: ledger.entries.filter((entry) => entry.class === 'unassessed') }))
    .filter((ledger) => ledger.entries.length > 0);
}
