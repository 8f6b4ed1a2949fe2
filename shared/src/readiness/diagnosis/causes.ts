// "Why is this node not ready?" when nothing says why: the reporter that would
// write a condition cannot run on the node the rule holds (a deadlock), its
// pod is missing or broken there, nothing writes the condition at all, or NRC
// itself is not acting. Each cause is a finding, made in this folder's file
// for its kind; the first by CAUSE_ORDER is the node's root cause, which
// `status NODE` and Headlamp's node section lead with.
import type { Finding } from '../../nrc/findings.ts';
import type { Reporter } from '../../nrc/reporters.ts';
import type { HeldDuration } from './held.ts';

/** How long the taint may disagree with the conditions before NRC counts as not acting: many reconciles, well past a watch's delay. */
export const DEFAULT_RECONCILE_GRACE_SECONDS = 60;

/** What the readiness causes are decided from: the cluster's objects around one node. */
export interface ReadinessEvidence {
  /** Raw rules, for generations and NRC's own status. */
  rules: unknown[];
  /** DaemonSets and Deployments, each with its kind; null when they could not be listed. */
  workloads: unknown[] | null;
  /** ConfigMaps, for Node Problem Detector's condition types. */
  configMaps?: unknown[];
  /** Pods bound to this node, and pods not yet bound anywhere; null when they were not read. */
  pods: unknown[] | null;
  /** The node's events; null when they were not read. */
  events: unknown[] | null;
  /** The DaemonSet controller's FailedCreate events in the reporters' namespaces: why a daemon pod is missing. */
  workloadEvents?: unknown[];
}

export interface DiagnosisOptions {
  now?: number;
  reconcileGraceSeconds?: number;
}

export interface NodeDiagnosis {
  node: string;
  /** The finding that explains the node first; null when no rule holds it and NRC agrees. */
  rootCause: Finding | null;
  /** Every finding, root cause first. */
  findings: Finding[];
  /** For each rule that holds the node, since when, when that is known. */
  held: HeldDuration[];
}

/** Which cause explains a node first: NRC not acting beats anything a reporter does, a deadlock beats a broken pod. */
export const CAUSE_ORDER = [
  'controller-not-acting',
  'reporter-deadlock',
  'reporter-excluded',
  'condition-unwritten',
  'reporter-pod-missing',
  'reporter-pod-unhealthy',
  'reporter-write-refused',
  'reporter-stale',
  'reporter-not-writing',
  'condition-not-met',
  'controller-unavailable',
  'rule-not-observed',
  'controller-pending',
] as const;

export type CauseId = (typeof CAUSE_ORDER)[number];

export function cause(
  id: CauseId,
  severity: Finding['severity'],
  subject: string,
  title: string,
  evidence: string[],
  remediation: string,
): Finding {
  return { id, severity, title, subject, evidence, remediation };
}

/** "DaemonSet kube-system/cni-reporter", as the causes name a reporter. */
export function workloadName(reporter: Reporter): string {
  return `${reporter.workload.kind} ${reporter.workload.namespace}/${reporter.workload.name}`;
}

/** The causes in CAUSE_ORDER, the first that is not a pass leading. */
export function rankCauses(node: string, findings: Finding[], held: HeldDuration[]): NodeDiagnosis {
  const ordered = [...findings].sort((a, b) => CAUSE_ORDER.indexOf(a.id as CauseId) - CAUSE_ORDER.indexOf(b.id as CauseId));
  const rootCause = ordered.find((finding) => finding.severity !== 'pass') ?? null;
  return { node, rootCause, findings: ordered, held };
}
