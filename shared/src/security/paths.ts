// Escalation paths: what an attacker holding a reporter's pod-bound token can
// become, hop by hop, and which readiness capabilities that gives. Attackers
// walk paths; a posture decided from the reporter's direct grants alone can
// say "constrained" while a two-step attack works. The search itself is in
// escalation/: graph.ts, and one file per class of hop.
import type { ObjectRef } from '../base/kube.ts';
import { asString, metadataOf, templateSpec } from '../base/read.ts';
import type { ChainVerdict } from './chain.ts';
import { graphOf } from './escalation/graph.ts';
import {
  CAPABILITY_TITLES,
  OWN_CONDITIONS_TITLE,
  capabilityTitle,
  isReadinessController,
  type Hop,
  type PathSearchInput,
  type ReachedCapability,
  type ReadinessCapability,
} from './escalation/model.ts';
import { classifyEntry, ledgersReachedFrom, unassessedOf, type IdentityLedger } from './ledger.ts';
import { expandRule } from './ledger/entry.ts';
import { indexRbac, serviceAccountUser, type UserInfo } from './rbac.ts';

const CAPABILITY_ORDER: ReachedCapability['capability'][] = [
  'rewrite-own-conditions',
  'forge-other-node-conditions',
  'lift-readiness-taints',
  'disrupt-other-nodes',
  'change-rules',
];

const byCapability = (reached: ReachedCapability[]) =>
  reached.sort((a, b) => CAPABILITY_ORDER.indexOf(a.capability) - CAPABILITY_ORDER.indexOf(b.capability));

/** From the reporter's pod-bound token: what one compromised node running it can do. */
export function searchEscalationPaths(input: PathSearchInput): ReachedCapability[] {
  const { namespace, name } = input.serviceAccount;
  const [reached] = graphOf(input).searchAll(
    [{ label: `ServiceAccount ${namespace}/${name} (the reporter's token)`, user: serviceAccountUser(namespace, name) }],
    false,
  );
  return byCapability(reached!);
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
  /**
   * When no path is found: the permissions no class walks that the subject, or
   * an identity it reaches, holds. Then "no path" is not "cannot lie".
   */
  unassessed: IdentityLedger[];
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

/** Reads that hand over a credential: nodes/proxy (the kubelet API, exec included) and Secrets (legacy tokens). */
const CREDENTIAL_READS = new Set(['*', 'nodes/proxy', 'secrets']);

/** Rules that cannot start a path: reads only, of nothing that hands over a credential. */
function harmless(rule: { verbs: string[]; resources: string[] }): boolean {
  return rule.verbs.every((verb) => READ_VERBS.has(verb)) && !rule.resources.some((resource) => CREDENTIAL_READS.has(resource));
}

/** A read the ledger does not hold inert (pods/exec, CSRs, serviceaccounts/token) starts no path but is still unassessed. */
const holdsOnlyInert = (entry: ReturnType<typeof indexRbac>[number]): boolean =>
  entry.rules.every((rule) =>
    expandRule(rule, entry.binding, entry.role, entry.scope).every((expanded) => classifyEntry(expanded).class === 'inert'),
  );

/**
 * The reverse question: every subject any binding names, other than the
 * reporters and the cluster's own machinery, that can lie about a node or lift
 * gating, with its path. Constrained grants bound to a broad group show up
 * here: then any pod on a node, not just the reporter, rewrites that node's
 * conditions. A subject with no path whose reach holds unassessed permissions
 * is listed with them, since the search cannot clear it.
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
    if ((entry.rules.every(harmless) && holdsOnlyInert(entry)) || isMachinery(entry)) continue;
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
  return subjects.flatMap((start, index): OtherLiar[] => {
    const found = byCapability(reached[index]!);
    if (found.length > 0) return [{ subject: start.label, reached: found, unassessed: [] }];
    const unassessed = unassessedOf(ledgersReachedFrom(input, start));
    return unassessed.length > 0 ? [{ subject: start.label, reached: [], unassessed }] : [];
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
  /** "unassessed" when no path is found but the token, or an identity it reaches, holds a permission no class walks. */
  answer: 'yes' | 'no' | 'unassessed';
  why: string;
  path: Hop[];
  /** The unassessed permissions, one line each, when the answer is "unassessed". */
  unassessed: string[];
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
  unassessed: IdentityLedger[] = [],
): ReadinessAnswer {
  return closedOrUnassessed(decidedAnswer(capability, serviceAccount, reached, ownJob), unassessed);
}

function decidedAnswer(
  capability: ReadinessCapability,
  serviceAccount: { namespace: string; name: string },
  reached: ReachedCapability[],
  ownJob: ChainVerdict | null,
): Omit<ReadinessAnswer, 'answer' | 'unassessed'> {
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

/** A "no" holds only when every permission on the way is accounted for; otherwise it is unassessed, not denied. */
function closedOrUnassessed(decided: Omit<ReadinessAnswer, 'answer' | 'unassessed'>, unassessed: IdentityLedger[]): ReadinessAnswer {
  if (decided.allowed) return { ...decided, answer: 'yes', unassessed: [] };
  const lines = unassessed.flatMap((ledger) =>
    ledger.entries.map(
      (entry) => `${entry.text}: ${entry.source}${ledger.via.length > 0 ? `, held by ${ledger.identity}` : ''}: ${entry.reason}`,
    ),
  );
  if (lines.length === 0) return { ...decided, answer: 'no', unassessed: [] };
  return {
    ...decided,
    answer: 'unassessed',
    why: `${decided.why}, but ${lines.length} permission(s) on the way are walked by no escalation class`,
    unassessed: lines,
  };
}
