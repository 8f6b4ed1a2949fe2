// Findings: stable ids, a severity, a one-line title, the evidence (the
// binding and role, or the review answer) and a remediation. The CLI's
// `verify` and Headlamp's Security view print exactly these.
import type { ObjectRef } from './rbac.ts';

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
