// The verify report as one fold over what was gathered: the CLI and Headlamp
// both call it, so they print the same findings with the same ids and texts.
import { asArray, metadataOf, readConditions } from '../base/read.ts';
import type { EvaluationOptions } from '../readiness/evaluate.ts';
import { clusterFindings } from '../security/cluster-findings.ts';
import { coverageFindings } from '../readiness/coverage-findings.ts';
import { countFindings, failsAt, sortFindings, type Finding } from '../nrc/findings.ts';
import type { ClusterFacts, GateState } from '../nrc/gate.ts';
import { capabilityTitle } from '../security/escalation/model.ts';
import { describePath, pathObjects, whoElseCanLie, type OtherLiar } from '../security/paths.ts';
import type { RbacObjects } from '../security/rbac.ts';
import type { ReporterAssessment } from '../security/reporter-findings.ts';
import { POSTURE_ORDER, POSTURE_TITLES, worstPosture, type Posture } from '../security/posture.ts';
import { remediationFor, type Remediation } from '../security/remediation.ts';
import type { Reporter } from '../nrc/reporters.ts';
import { configurationFindings, type ConfigurationEvidence } from '../readiness/configuration.ts';
import { readRule } from '../nrc/rule.ts';
import { matchSelector } from '../nrc/selector.ts';

export interface VerificationInput {
  facts: ClusterFacts;
  assessments: ReporterAssessment[];
  rules: unknown[];
  nodes: unknown[];
  /** One-line notes about reads that failed, e.g. "not allowed to list daemonsets". */
  notes: string[];
  options?: EvaluationOptions;
  /** What the configuration findings (deadlocks, NRC's controller, autoscalers) are decided from. */
  configuration?: ConfigurationEvidence;
  /** With the RBAC objects, the reverse question is asked too: who else can lie about a node. */
  paths?: { rbac: RbacObjects; workloads: unknown[]; gate: GateState; otherNode: string; namespaces: unknown[] | null };
}

export interface Verification {
  findings: Finding[];
  remediations: { reporter: Reporter; remediation: Remediation }[];
  /** "2 fail, 1 warn, 0 info, 5 pass". */
  counts: string;
  passed: boolean;
}

export function verification(input: VerificationInput): Verification {
  const noReporters: Finding[] =
    input.assessments.length === 0
      ? [
          {
            id: 'reporters',
            severity: 'warn',
            title: 'No reporter workloads found',
            subject: 'cluster',
            evidence: input.notes,
            remediation: 'Name one with --reporter NAMESPACE/SERVICEACCOUNT.',
          },
        ]
      : [];
  const findings = sortFindings([
    ...clusterFindings(input.facts),
    ...input.assessments.flatMap((assessment) => assessment.findings),
    ...coverageFindings(input.rules, input.nodes, input.options),
    ...(input.configuration ? configurationFindings(input.configuration) : []),
    ...(input.paths ? otherLiarFindings(input.paths, input.assessments) : []),
    ...noReporters,
  ]);
  // An unassessed reporter already holds the constrained grants: what to remove is in its unassessed-permissions finding.
  const remediations = input.assessments
    .filter((assessment) => assessment.posture !== 'constrained' && assessment.posture !== 'unassessed')
    .map((assessment) => ({
      reporter: assessment.reporter,
      remediation: remediationFor(assessment.reporter, assessment.bindingsToRemove),
    }));
  return { findings, remediations, counts: countFindings(findings), passed: !failsAt(findings, 'fail') };
}

/** Subjects other than the reporters that can forge a node's readiness or lift gating, each with its shortest path. */
function otherLiarFindings(paths: NonNullable<VerificationInput['paths']>, assessments: ReporterAssessment[]): Finding[] {
  const reporters = assessments.map((assessment) => assessment.reporter.serviceAccount);
  return whoElseCanLie({ ...paths, reporters }).map((liar) =>
    liar.reached.length > 0 ? provenLiarFinding(liar) : unassessedOtherFinding(liar),
  );
}

function provenLiarFinding({ subject, reached }: OtherLiar): Finding {
  return {
    id: 'others-can-lie',
    severity: 'fail',
    title: `${subject}, not a reporter, can ${reached.map((entry) => capabilityTitle(entry.capability)).join(', ')}`,
    subject: 'cluster',
    evidence: reached.map(
      (entry) => `${capabilityTitle(entry.capability)}: ${describePath(entry.path) || 'directly'}; as ${entry.as}: ${entry.grant}`,
    ),
    objects: reached.flatMap(pathObjects),
    remediation: `Remove these grants from ${subject}: only a node's own reporter should write its conditions, and only administrators change rules.`,
  };
}

/** A large operator role can hold hundreds of entries: the finding shows the first ones and counts the rest. */
const UNASSESSED_SHOWN = 10;

/**
 * No path found, but the search does not walk everything the subject can do:
 * a warning, not a fail, because no lie is proven; and not silence, because
 * "no path" here is not "cannot lie".
 */
function unassessedOtherFinding({ subject, unassessed }: OtherLiar): Finding {
  const entries = unassessed.flatMap((ledger) => ledger.entries.map((entry) => ({ ledger, entry })));
  const shown = entries.slice(0, UNASSESSED_SHOWN);
  const more = entries.length - shown.length;
  return {
    id: 'others-unassessed',
    severity: 'warn',
    title: `${subject}, not a reporter, holds ${entries.length} permission(s) no escalation class walks: whether it can lie about a node is not assessed`,
    subject: 'cluster',
    evidence: [
      ...shown.map(
        ({ ledger, entry }) =>
          `${entry.text}: ${entry.source}${ledger.via.length > 0 ? `, held by ${ledger.identity} (${ledger.via.join(' → ')})` : ''}: ${entry.reason}`,
      ),
      ...(more > 0 ? [`and ${more} more`] : []),
    ],
    objects: [...new Map(shown.flatMap(({ entry }) => [entry.binding, entry.role]).map((ref) => [JSON.stringify(ref), ref])).values()],
    remediation: `Review these grants of ${subject}: remove those it does not need, or check by hand that none lets it write a node's conditions, lift its taints or change the rules.`,
  };
}

/**
 * The reporters that write to a node: those whose condition types the node
 * carries or a rule selecting it requires. A DaemonSet reporter whose types
 * could not be read is assumed to run everywhere, which is a DaemonSet's default.
 */
export function reportersForNode<T extends { reporter: Reporter }>(assessed: T[], node: unknown, rules: unknown[]): T[] {
  const labels = metadataOf(node).labels;
  const present = readConditions(asArray((node as { status?: { conditions?: unknown } } | null)?.status?.conditions)).map(
    (condition) => condition.type,
  );
  const required = rules.flatMap((rule) => {
    const view = readRule(rule);
    const selected = matchSelector(view.nodeSelector, labels);
    return selected.ok && selected.matches ? view.conditions.map((condition) => condition.type) : [];
  });
  const types = new Set([...present, ...required]);
  return assessed.filter(
    ({ reporter }) =>
      reporter.conditionTypes.some((type) => types.has(type)) ||
      (reporter.conditionTypes.length === 0 && reporter.workload.kind === 'DaemonSet'),
  );
}

/** Worst posture first; "No reporters" when none writes to the node. */
export function nodePosture(postures: Posture[]): { posture: Posture | null; title: string; others: Posture[] } {
  const worst = worstPosture(postures);
  const others = [...new Set(postures)]
    .filter((posture) => posture !== worst)
    .sort((a, b) => POSTURE_ORDER.indexOf(a) - POSTURE_ORDER.indexOf(b));
  return { posture: worst, title: worst ? POSTURE_TITLES[worst] : 'No reporters', others };
}
