// Findings: stable ids, a severity, a one-line title, the evidence (the
// binding and role, or the review answer) and a remediation. The CLI's
// `verify` and Headlamp's Security view print exactly these.
import type { ObjectRef } from '../base/kube.ts';

export type Severity = 'pass' | 'info' | 'warn' | 'fail';
export const SEVERITY_ORDER: readonly Severity[] = ['fail', 'warn', 'info', 'pass'];

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  /** What the finding is about: a reporter's ServiceAccount, or "cluster". */
  subject: string;
  evidence: string[];
  remediation: string;
  /** The objects behind it, first the one to change: where a report on manifests points. */
  objects?: ObjectRef[];
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
}

/** Identifies "the same finding" across two reports: its id, subject and title. */
const findingKey = (finding: Pick<Finding, 'id' | 'subject' | 'title'>) => `${finding.id}\u0000${finding.subject}\u0000${finding.title}`;

/**
 * The findings that are new since `baseline`, or worse than they were there:
 * what a pull request should be judged on. Passes are never news.
 */
export function newOrWorse(findings: Finding[], baseline: Pick<Finding, 'id' | 'subject' | 'title' | 'severity'>[]): Finding[] {
  const before = new Map(baseline.map((finding) => [findingKey(finding), finding.severity]));
  const rank = (severity: Severity) => SEVERITY_ORDER.length - SEVERITY_ORDER.indexOf(severity);
  return findings.filter((finding) => {
    if (finding.severity === 'pass') return false;
    const previous = before.get(findingKey(finding));
    return previous === undefined || rank(finding.severity) > rank(previous);
  });
}

/** Whether any finding is at or above `threshold`: what makes verify exit 1. */
export function failsAt(findings: Finding[], threshold: 'fail' | 'warn'): boolean {
  return findings.some((finding) => finding.severity === 'fail' || (threshold === 'warn' && finding.severity === 'warn'));
}

/** "2 fail, 1 warn, 0 info, 5 pass". */
export function countFindings(findings: Finding[]): string {
  return SEVERITY_ORDER.map((severity) => `${findings.filter((finding) => finding.severity === severity).length} ${severity}`).join(', ');
}
