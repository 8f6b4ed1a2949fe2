// The readiness core: pure, browser-safe functions over Kubernetes objects,
// shared by kubectl-readiness and the Headlamp plugin so both print the same
// verdicts.
export * from './kube.ts';
export * from './rule.ts';
export * from './read.ts';
export * from './selector.ts';
export * from './evaluate.ts';
export * from './aggregate.ts';
export * from './conditions.ts';
export * from './reporters.ts';
export * from './rbac.ts';
export * from './chain.ts';
export * from './posture.ts';
export * from './findings.ts';
export * from './remediation.ts';
export * from './verification.ts';
export * from './describe.ts';
