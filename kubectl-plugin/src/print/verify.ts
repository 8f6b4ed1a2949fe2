// How `verify` looks: the findings table with a summary and the remediation
// YAML, JUnit for CI, or the versioned report for -o json|yaml.
import {
  POSTURE_TITLES,
  describeReleaseFacts,
  type Finding,
  type IdentityLedger,
  type ReporterAssessment,
  type SecurityReport,
  type Verification,
} from '@kubectl-readiness/shared';
import type { Io } from '../io.ts';
import { inert, junit, report, serializeChunks, table, type OutputFormat, type Painter } from '../render.ts';

const SOURCE_NOTE: Partial<Record<SecurityReport['source'], string>> = {
  rbac: ' (from RBAC objects only)',
  manifests: ' (from manifests, not from a cluster)',
};

const SEVERITY_PAINT = { fail: ['FAIL', 'red'], warn: ['WARN', 'yellow'], info: ['INFO', 'gray'], pass: ['PASS', 'green'] } as const;

function paintSeverity(severity: Finding['severity'], paint: Painter): string {
  const [label, colour] = SEVERITY_PAINT[severity];
  return paint(label, colour);
}

/** `shown`: the report's verification, or the part of it a baseline leaves to judge. */
export function printVerifyReport(security: SecurityReport, shown: Verification, output: OutputFormat, remediation: boolean, io: Io): void {
  const { findings, remediations, counts, passed } = shown;
  if (output === 'junit') {
    io.out(junit('kubectl-readiness verify', findings));
    return;
  }
  if (output === 'json' || output === 'yaml') {
    for (const chunk of serializeChunks(
      report('VerifyReport', {
        generatedAt: new Date().toISOString(),
        source: security.source,
        cluster: { gitVersion: security.gitVersion, constrainedImpersonation: security.gate },
        release: security.release,
        reporters: security.assessments.map((assessment) => ({
          ...assessment.reporter,
          posture: assessment.posture,
          reasons: assessment.reasons,
          threats: assessment.threats,
          ledger: assessment.ledger?.map((ledger) => ledgerForJson(ledger, assessment.posture === 'unassessed')) ?? null,
        })),
        findings,
        remediation: remediation
          ? remediations.map((entry) => ({ serviceAccount: entry.reporter.serviceAccount, ...entry.remediation }))
          : [],
        passed,
        notes: security.notes,
      }),
      output,
    ))
      io.out(chunk);
    return;
  }
  const wide = output === 'wide';
  const rows = findings.map((finding) => [
    paintSeverity(finding.severity, io.paint),
    finding.id,
    finding.subject,
    inert(finding.title),
    ...(wide ? [inert(finding.evidence.join(' | '))] : []),
  ]);
  io.out(table(['SEVERITY', 'ID', 'SUBJECT', 'TITLE', ...(wide ? ['EVIDENCE'] : [])], rows));
  const postures = security.assessments.map(
    ({ reporter, posture }) => `${reporter.serviceAccount.namespace}/${reporter.serviceAccount.name}: ${POSTURE_TITLES[posture]}`,
  );
  io.out(`\nSummary: ${counts}${SOURCE_NOTE[security.source] ?? ''}.${postures.length > 0 ? ` Reporters: ${postures.join('; ')}.` : ''}\n`);
  io.out(`Release: ${inert(describeReleaseFacts(security.release))}.\n`);
  for (const assessment of security.assessments) printThreats(assessment, io);
  if (!remediation) return;
  for (const { reporter, remediation: fix } of remediations) {
    io.out(`\n# Remediation for ${reporter.serviceAccount.namespace}/${reporter.serviceAccount.name}\n${fix.rbacYaml}`);
    if (reporter.container) io.out(`---\n# reporter-env-patch.yaml, then: ${fix.patchCommand}\n${fix.workloadPatchYaml}`);
  }
}

/** The threat matrix: what one compromised node running the reporter can do to readiness, each with its shortest path. */
function printThreats({ reporter, threats }: ReporterAssessment, io: Io): void {
  const account = `${reporter.serviceAccount.namespace}/${reporter.serviceAccount.name}`;
  if (threats === null) {
    io.out(`\nThreats from a compromised node running ${account}: not searched (the RBAC objects could not be read)\n`);
    return;
  }
  const rows = threats.map((threat) => [
    threat.title,
    io.paint(threat.reachable ? 'yes' : 'no', threat.safe ? 'green' : 'red'),
    inert(threat.explanation),
  ]);
  io.out(`\nThreats from a compromised node running ${account}:\n`);
  io.out(table(['CAPABILITY', 'REACHABLE', 'PATH'], rows));
}

/**
 * The token's own ledger in full; for each identity it reaches, counts by
 * class, and the unassessed entries when they are what the verdict rests on:
 * a reporter that reaches kube-system's controllers would otherwise list
 * thousands of their entries.
 */
function ledgerForJson({ identity, via, entries }: IdentityLedger, verdictIsUnassessed: boolean) {
  const shown = via.length === 0 ? entries : verdictIsUnassessed ? entries.filter((entry) => entry.class === 'unassessed') : [];
  const counts = { inert: 0, modelled: 0, unassessed: 0 };
  for (const entry of entries) counts[entry.class] += 1;
  return {
    identity,
    via,
    counts,
    // The text and source lines are for people; the fields they are made of are what JSON carries.
    entries: shown.map((entry) => ({
      verb: entry.verb,
      apiGroup: entry.apiGroup,
      resource: entry.resource,
      subresource: entry.subresource,
      namespace: entry.namespace,
      resourceNames: entry.resourceNames,
      ...(entry.nonResourceURL !== undefined ? { nonResourceURL: entry.nonResourceURL } : {}),
      class: entry.class,
      reason: entry.reason,
      binding: entry.binding,
      role: entry.role,
    })),
  };
}
