// The core: pure, browser-safe functions over Kubernetes objects, shared by
// kubectl-readiness and the Headlamp plugin so both print the same verdicts.
// readiness/ answers "why is this node not accepting workloads?";
// security/ answers "can one compromised node lie about the others?".
export * from './kube.ts';
export * from './read.ts';
export * from './reader.ts';

export * from './readiness/rule.ts';
export * from './readiness/selector.ts';
export * from './readiness/evaluate.ts';
export * from './readiness/aggregate.ts';
export * from './readiness/conditions.ts';
export * from './readiness/describe.ts';
export * from './readiness/scheduling.ts';
export * from './readiness/diagnosis.ts';
export * from './readiness/configuration.ts';
export * from './readiness/gather-diagnosis.ts';

export * from './security/reviews.ts';
export * from './security/gate.ts';
export * from './security/rbac.ts';
export * from './security/authorizers.ts';
export * from './security/admission.ts';
export * from './security/chain.ts';
export * from './security/reporters.ts';
export * from './security/reporter-writes.ts';
export * from './security/posture.ts';
export * from './security/paths.ts';
export * from './security/findings.ts';
export * from './security/reporter-findings.ts';
export * from './security/cluster-findings.ts';
export * from './security/coverage-findings.ts';
export * from './security/remediation.ts';
export * from './security/verification.ts';
export * from './security/manifests.ts';
export * from './security/gather.ts';
