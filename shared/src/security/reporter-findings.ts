// A reporter's assessment: its posture and the findings about its
// ServiceAccount and workload, each with the grants or review answers behind it.
import type { Grant } from '../base/kube.ts';
import type { ReviewAnswer } from '../base/reader.ts';
import { rbacAnswerer } from './authorizers.ts';
import { sortFindings, type Finding } from '../nrc/findings.ts';
import type { GateState } from '../nrc/gate.ts';
import { capabilityTitle, type ReachedCapability } from './escalation/model.ts';
import { describePath, pathObjects, searchEscalationPaths, threatMatrix, type Threat } from './paths.ts';
import { classifyPosture, postureQuestions, type PostureQuestion, type PostureQuestionId, type PostureVerdict } from './posture.ts';
import { describeGrant, type RbacObjects } from './rbac.ts';
import { reachedLedgers, unassessedOf, type IdentityLedger } from './ledger.ts';
import { addRbacWalkFindings } from './rbac-walk-findings.ts';
import { addWorkloadFindings } from './workload-findings.ts';
import type { Reporter } from '../nrc/reporters.ts';

/**
 * The evidence for an answer: the review's verdict, and the bindings and roles
 * behind it whenever RBAC objects are at hand (from the fallback's own answer,
 * or by walking RBAC for the same question when the apiserver answered).
 */
function answerEvidence(
  question: PostureQuestion,
  answer: ReviewAnswer | undefined,
  provenance: ((question: PostureQuestion) => ReviewAnswer) | null,
): string[] {
  if (!answer) return [`${question.summary}: not answered`];
  const grants = answer.grants ?? (provenance ? provenance(question).grants : undefined) ?? [];
  const review = answer.grants
    ? []
    : [`SubjectAccessReview "${question.summary}": ${answer.allowed ? 'allowed' : 'denied'}${answer.reason ? ` (${answer.reason})` : ''}`];
  return [...grants.map(describeGrant), ...review];
}

export interface ReporterAssessment extends PostureVerdict {
  reporter: Reporter;
  /** What one compromised node running it can do to readiness; null when the RBAC objects could not be read. */
  threats: Threat[] | null;
  findings: Finding[];
  /** The bindings behind the reporter's node-writing power, to delete once the hardened RBAC is in place. */
  bindingsToRemove: string[];
  /** Every permission of the reporter's token and of each identity it reaches, classed; null when the RBAC objects could not be read. */
  ledger: IdentityLedger[] | null;
}

/** The questions whose grants give a reporter power over other nodes. */
const OVER_BROAD: PostureQuestionId[] = [
  'direct-update-status',
  'direct-patch-status',
  'direct-update-node',
  'direct-patch-node',
  'legacy-users',
  'legacy-groups',
  'arbitrary-identity',
  'arbitrary-update-status',
  'arbitrary-patch-status',
];

function bindingName(grant: Grant): string {
  return `${grant.binding.kind} ${grant.binding.namespace ? `${grant.binding.namespace}/` : ''}${grant.binding.name}`;
}

export interface AssessOptions {
  /** Answers to postureQuestions(), from the apiserver or rbacAnswerer. */
  answers: ReadonlyMap<PostureQuestionId, ReviewAnswer | undefined>;
  /** RBAC objects, when readable: enable the walk for wildcards, ineffective resourceNames and escalation paths. */
  rbac?: RbacObjects;
  /** Node names for the questions; any two distinct names will do. */
  nodes?: { ownNode: string; otherNode: string };
  gate?: GateState;
  /** The cluster's workloads: pods on the nodes carry their ServiceAccounts' tokens, a path for whoever reaches them. */
  workloads?: unknown[];
  /** The Namespace objects, whose labels set Pod Security; absent when not read (every namespace at the default, privileged). */
  namespaces?: unknown[] | null;
}

export function assessReporter(reporter: Reporter, options: AssessOptions): ReporterAssessment {
  const sa = reporter.serviceAccount;
  const subject = `${sa.namespace}/${sa.name}`;
  const nodes = options.nodes ?? { ownNode: 'node-a', otherNode: 'node-b' };
  const questions = new Map(postureQuestions(sa, nodes).map((question) => [question.id, question]));
  const summaries = new Map([...questions].map(([id, question]) => [id, question.summary]));
  const provenance = options.rbac ? rbacAnswerer(options.rbac) : null;
  const { answers } = options;
  const classified = classifyPosture({ impersonatesNode: reporter.impersonatesNode, gate: options.gate ?? 'unknown' }, answers);
  const search = options.rbac
    ? {
        rbac: options.rbac,
        serviceAccount: sa,
        gate: options.gate ?? 'unknown',
        workloads: options.workloads ?? [],
        otherNode: nodes.otherNode,
        namespaces: options.namespaces ?? null,
      }
    : null;
  const reached = search ? searchEscalationPaths(search) : null;
  const allowed = (id: PostureQuestionId) => answers.get(id)?.allowed === true;
  const writesNodes = allowed('direct-update-node') || allowed('direct-patch-node');
  const statusQuestions: PostureQuestionId[] = [
    'direct-update-status',
    'direct-patch-status',
    'arbitrary-update-status',
    'arbitrary-patch-status',
  ];
  const writesStatus = statusQuestions.some(allowed);
  const escalations = (reached ?? []).filter((entry) => isEscalation(entry, writesNodes, writesStatus));
  const ledger = search ? reachedLedgers(search) : null;
  const unassessed = ledger ? unassessedOf(ledger) : null;
  const verdict = withUnassessed(withEscalations(classified, escalations), unassessed);
  /** The evidence for the allowed questions, and the bindings and roles behind it. */
  const proof = (...ids: PostureQuestionId[]) => {
    const shown = ids.filter(allowed);
    const grants = shown.flatMap((id) => answers.get(id)?.grants ?? (provenance ? provenance(questions.get(id)!).grants : undefined) ?? []);
    return {
      evidence: shown.flatMap((id) => answerEvidence(questions.get(id)!, answers.get(id), provenance)),
      objects: grants.flatMap((grant) => [grant.binding, grant.role]),
    };
  };
  const findings: Finding[] = [];
  // Every reporter finding is about its workload too: where a manifest-based report points when no grant is behind it.
  const add = (finding: Omit<Finding, 'subject'>) =>
    findings.push({ ...finding, subject, objects: [...(finding.objects ?? []), reporter.workload] });
  const rbacOnly = [...answers.values()].some((answer) => answer?.grants !== undefined);

  const directWrite: PostureQuestionId[] = ['direct-update-status', 'direct-patch-status', 'direct-update-node', 'direct-patch-node'];
  if (directWrite.some(allowed)) {
    add({
      id: 'direct-node-write',
      severity: 'fail',
      title: 'The ServiceAccount can write any node or node status directly: one compromised node can lie about every other',
      ...proof(...directWrite),
      remediation: 'Remove the node and nodes/status grants; grant the constrained impersonation roles instead (see the remediation YAML).',
    });
  } else if (directWrite.every((id) => answers.get(id) !== undefined)) {
    add({ id: 'direct-node-write', severity: 'pass', title: 'No direct write on nodes or nodes/status', evidence: [], remediation: '' });
  }
  if (allowed('direct-get-node')) {
    add({
      id: 'direct-node-read',
      severity: reporter.impersonatesNode ? 'warn' : 'info',
      title: 'The ServiceAccount can read every node directly',
      ...proof('direct-get-node'),
      remediation: 'A reporter that impersonates its node needs no direct read on nodes; remove it.',
    });
  }

  const constrained: PostureQuestionId[] = ['associated-identity', 'associated-get', 'associated-update-status'];
  if (constrained.every(allowed)) {
    add({
      id: 'constrained-grants',
      severity: 'pass',
      title: 'Constrained impersonation grants are present (associated-node: get, update status)',
      ...proof(...constrained),
      remediation: '',
    });
  } else if (reporter.impersonatesNode) {
    add({
      id: 'constrained-grants',
      severity: 'fail',
      title: `Constrained impersonation grants are missing: ${constrained.filter((id) => !allowed(id)).join(', ')}`,
      evidence: constrained
        .filter((id) => !allowed(id))
        .map((id) => `${summaries.get(id)}: ${answers.get(id) ? 'denied' : 'not answered'}`),
      remediation: 'Apply the node impersonator and constrained status roles from the remediation YAML.',
    });
  }

  const legacy: PostureQuestionId[] = ['legacy-users', 'legacy-groups', 'legacy-serviceaccounts', 'legacy-uids', 'legacy-userextras'];
  if (legacy.some(allowed)) {
    add({
      id: 'legacy-impersonation',
      severity: 'fail',
      title:
        'Legacy impersonate is granted: the ServiceAccount can become other identities, including any node with Impersonate-Group: system:nodes',
      ...proof(...legacy),
      remediation: 'Remove the impersonate verb on users, groups, serviceaccounts, uids and userextras; KEP-5284 verbs replace it.',
    });
  }
  if (allowed('arbitrary-identity')) {
    add({
      id: 'arbitrary-node-impersonation',
      severity: 'fail',
      title: 'impersonate:arbitrary-node is granted: the ServiceAccount can act as any node, not only its own',
      ...proof('arbitrary-identity', 'arbitrary-update-status', 'arbitrary-patch-status'),
      remediation: 'Use impersonate:associated-node, which binds the reporter to the node its pod runs on.',
    });
  }
  for (const [id, mode] of [
    ['serviceaccount-identity', 'serviceaccount'],
    ['user-info-identity', 'user-info'],
  ] as const) {
    if (allowed(id)) {
      add({
        id: `${mode}-impersonation`,
        severity: 'fail',
        title: `impersonate:${mode} is granted: a reporter never needs to act as another ${mode === 'serviceaccount' ? 'ServiceAccount' : 'user'}`,
        ...proof(id),
        remediation: `Remove impersonate:${mode} from the reporter's roles.`,
      });
    }
  }
  if (verdict.extraVerbs.length > 0) {
    add({
      id: 'extra-impersonate-on-verbs',
      severity: 'warn',
      title: `impersonate-on:associated-node grants more than the reporter uses (get nodes, update nodes/status): ${verdict.extraVerbs.join(', ')}`,
      ...proof(...verdict.extraVerbs),
      remediation:
        'Keep only impersonate-on:associated-node:get on nodes and impersonate-on:associated-node:update on nodes/status (add :patch only if the reporter patches).',
    });
  }

  for (const escalation of escalations) {
    add({
      id: 'escalation-path',
      severity: 'fail',
      title: `One compromised node can ${capabilityTitle(escalation.capability)}: ${escalation.path.length > 0 ? describePath(escalation.path) : 'directly'}`,
      evidence: [...escalation.path.map((hop) => `${hop.how} ${hop.to}: ${hop.grant}`), `as ${escalation.as}: ${escalation.grant}`],
      objects: pathObjects(escalation),
      remediation:
        escalation.path.length > 0
          ? `Remove the grant behind the first hop (${escalation.path[0]!.how} ${escalation.path[0]!.to}); a reporter needs none of these.`
          : 'Remove the grant: a reporter never needs it.',
    });
  }
  // Once a worse posture is proven, what the identities beyond the token hold changes nothing: only the token's own are listed.
  const listed = verdict.posture === 'unassessed' ? unassessed : unassessed?.filter((ledger) => ledger.via.length === 0);
  if (listed === null || listed === undefined || listed.length > 0) add(unassessedFinding(listed ?? null));
  addWorkloadFindings(reporter, verdict, add);
  if (options.rbac) addRbacWalkFindings(reporter, options.rbac, add);
  else
    add({
      id: 'rbac-walk',
      severity: 'warn',
      title:
        'RBAC objects were not readable: escalation paths (impersonation, token minting, pod creation, role binding, ...) were not searched',
      evidence: [],
      remediation: 'Grant list on clusterroles, clusterrolebindings, roles and rolebindings to run them.',
    });
  if (rbacOnly) {
    add({
      id: 'answers-from-rbac',
      severity: 'info',
      title: 'Results from RBAC objects only: SubjectAccessReviews were not available, so webhooks and other authorizers are not reflected',
      evidence: [],
      remediation: 'Grant create on subjectaccessreviews for authoritative answers.',
    });
  }
  const broadGrants = OVER_BROAD.filter(allowed).flatMap(
    (id) => answers.get(id)?.grants ?? (provenance ? (provenance(questions.get(id)!).grants ?? []) : []),
  );
  return {
    reporter,
    ...verdict,
    threats: reached ? threatMatrix(reached, classified.canReport) : null,
    findings: sortFindings(findings),
    bindingsToRemove: [...new Set(broadGrants.map(bindingName))],
    ledger,
  };
}

/**
 * Constrained means every permission is accounted for: a permission no class
 * walks, held by the token or by any identity it reaches, or a ledger that
 * could not be read at all, leaves the reporter unassessed instead.
 */
function withUnassessed(verdict: PostureVerdict, unassessed: IdentityLedger[] | null): PostureVerdict {
  if (verdict.posture !== 'constrained' || (unassessed !== null && unassessed.length === 0)) return verdict;
  const reason =
    unassessed === null
      ? "the RBAC objects could not be read, so the token's permissions are not known in full"
      : `${unassessed.reduce((count, ledger) => count + ledger.entries.length, 0)} permission(s) that no escalation class walks and the allow-list does not hold harmless`;
  return {
    ...verdict,
    posture: 'unassessed',
    reasons: [reason, ...verdict.reasons.filter((line) => !line.startsWith('only its own node'))],
  };
}

function unassessedFinding(unassessed: IdentityLedger[] | null): Omit<Finding, 'subject'> {
  if (unassessed === null)
    return {
      id: 'unassessed-permissions',
      severity: 'fail',
      title: "RBAC objects were not readable: the token's permissions are not known in full, so it cannot be called Constrained",
      evidence: [],
      remediation: 'Grant list on clusterroles, clusterrolebindings, roles and rolebindings so every permission can be classed.',
    };
  const entries = unassessed.flatMap((ledger) => ledger.entries.map((entry) => ({ ledger, entry })));
  return {
    id: 'unassessed-permissions',
    severity: 'fail',
    title: `${entries.length} permission(s) no escalation class walks: the reporter cannot be proven Constrained`,
    evidence: entries.map(
      ({ ledger, entry }) =>
        `${entry.text}: ${entry.source}${ledger.via.length > 0 ? `, held by ${ledger.identity} (${ledger.via.join(' → ')})` : ''}: ${entry.reason}`,
    ),
    objects: entries.flatMap(({ entry }) => [entry.binding, entry.role]),
    remediation: 'Remove the permissions a reporter does not need; a reporter needs only the constrained impersonation grants.',
  };
}

/**
 * Paths the direct postures do not already name: any hop at all, a direct
 * grant on the rules, or a direct disruption other than writing nodes (node
 * writes are "broad" already; deleting nodes or a denying webhook are not).
 */
/**
 * A direct grant is an escalation unless a posture question already reports
 * it: writing the sampled node covers lifting and disrupting, writing its
 * status covers forging; a grant named for another node is asked by none.
 */
function isEscalation(reached: ReachedCapability, writesNodes: boolean, writesStatus: boolean): boolean {
  return (
    reached.path.length > 0 ||
    reached.capability === 'change-rules' ||
    ((reached.capability === 'disrupt-other-nodes' || reached.capability === 'lift-readiness-taints') && !writesNodes) ||
    (reached.capability === 'forge-other-node-conditions' && !writesStatus)
  );
}

const OUTRANKS_ESCALATION = new Set<PostureVerdict['posture']>(['broad', 'legacy-impersonation', 'arbitrary-node']);

function withEscalations(verdict: PostureVerdict, escalations: ReachedCapability[]): PostureVerdict {
  if (escalations.length === 0 || OUTRANKS_ESCALATION.has(verdict.posture)) return verdict;
  const reasons = escalations.map(
    (reached) => `a compromised node can ${capabilityTitle(reached.capability)} through ${describePath(reached.path) || 'a direct grant'}`,
  );
  return {
    ...verdict,
    posture: 'escalation',
    reasons: [...reasons, ...verdict.reasons.filter((reason) => !reason.startsWith('only its own node'))],
  };
}
