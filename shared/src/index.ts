// The core: pure, browser-safe functions over Kubernetes objects, shared by
// kubectl-readiness and the Headlamp plugin so both print the same verdicts.
// Its folders are layers, each importing only those below it:
//   base/      Kubernetes objects as read, and the ClusterReader port
//   nrc/       NRC's objects as we read them: rules, selectors, reporters, findings, the cluster's gate
//   readiness/ "why is this node not accepting workloads?": evaluation, aggregation, diagnosis
//   security/  "can one compromised node lie about the others?": RBAC, decision chain, posture, escalation
//   reports/   what composes both: the gatherers, verify's report, a node's diagnosis with its reporters' writes
export * from './base/kube.ts';
export * from './base/read.ts';
export * from './base/reader.ts';
export * from './base/releases.ts';

export * from './nrc/rule.ts';
export * from './nrc/selector.ts';
export * from './nrc/reporters.ts';
export * from './nrc/findings.ts';
export * from './nrc/gate.ts';

export * from './readiness/evaluate.ts';
export * from './readiness/aggregate.ts';
export * from './readiness/conditions.ts';
export * from './readiness/describe.ts';
export * from './readiness/scheduling.ts';
export * from './readiness/configuration.ts';
export * from './readiness/coverage-findings.ts';
export {
  CAUSE_ORDER,
  DEFAULT_RECONCILE_GRACE_SECONDS,
  type CauseId,
  type DiagnosisOptions,
  type NodeDiagnosis,
} from './readiness/diagnosis/causes.ts';
export { isSilent } from './readiness/diagnosis/condition-writers.ts';
export { isControllerWorkload, unavailableControllers, unobservedRules } from './readiness/diagnosis/controller.ts';
export { podTrouble } from './readiness/diagnosis/reporter-pods.ts';
export { rootCauseLine } from './readiness/diagnosis/diagnose.ts';
export * from './readiness/diagnosis/held.ts';
export * from './readiness/diagnosis/blockers.ts';

export * from './security/reviews.ts';
export * from './security/rbac.ts';
export * from './security/authorizers.ts';
export * from './security/admission.ts';
export * from './security/chain.ts';
export * from './security/reporter-writes.ts';
export * from './security/posture.ts';
export * from './security/paths.ts';
export * from './security/ledger.ts';
export {
  CAPABILITY_TITLES,
  OWN_CONDITIONS_TITLE,
  capabilityTitle,
  isReadinessController,
  type Hop,
  type PathSearchInput,
  type ReachedCapability,
  type ReadinessCapability,
} from './security/escalation/model.ts';
export * from './security/reporter-findings.ts';
export * from './security/cluster-findings.ts';
export * from './security/remediation.ts';

export * from './reports/node-diagnosis.ts';
export * from './reports/gather-diagnosis.ts';
export * from './reports/verification.ts';
export * from './reports/manifests.ts';
export * from './reports/gather.ts';
export * from './reports/release.ts';
