// What the cluster itself says about constrained impersonation: its version
// and the ConstrainedImpersonation gate.
import type { Finding } from '../nrc/findings.ts';
import { gateOf, minorVersion, type ClusterFacts } from '../nrc/gate.ts';

export function clusterFindings(facts: ClusterFacts): Finding[] {
  const findings: Finding[] = [];
  const add = (finding: Omit<Finding, 'subject'>) => findings.push({ ...finding, subject: 'cluster' });
  const minor = minorVersion(facts.gitVersion);
  const gate = gateOf(facts);
  const evidence = [
    `server version ${facts.gitVersion ?? 'unknown'}`,
    ...(facts.featureMetric !== null ? [`kubernetes_feature_enabled{name="ConstrainedImpersonation"} ${facts.featureMetric}`] : []),
  ];
  if (minor === null) {
    add({
      id: 'cluster-version',
      severity: 'warn',
      title: 'Server version unknown: constrained impersonation support cannot be judged',
      evidence,
      remediation: 'Grant get on /version.',
    });
  } else if (minor < 35) {
    add({
      id: 'cluster-version',
      severity: 'fail',
      title: `Kubernetes 1.${minor} has no constrained impersonation (KEP-5284 arrives in 1.35)`,
      evidence,
      remediation: 'Upgrade to 1.36+ (beta, on by default) or 1.35 with --feature-gates=ConstrainedImpersonation=true.',
    });
  } else {
    add({
      id: 'cluster-version',
      severity: 'pass',
      title: `Kubernetes 1.${minor} supports constrained impersonation`,
      evidence,
      remediation: '',
    });
  }
  if (minor !== null && minor >= 35) {
    const stage = minor === 35 ? 'alpha, off by default' : 'beta, on by default';
    if (gate === 'enabled') {
      add({
        id: 'constrained-impersonation-gate',
        severity: 'pass',
        title: `ConstrainedImpersonation is enabled (${stage})`,
        evidence,
        remediation: '',
      });
    } else if (gate === 'disabled') {
      add({
        id: 'constrained-impersonation-gate',
        severity: 'fail',
        title: `ConstrainedImpersonation is disabled (${stage}): associated-node grants have no effect`,
        evidence,
        remediation: 'Start kube-apiserver with --feature-gates=ConstrainedImpersonation=true.',
      });
    } else {
      add({
        id: 'constrained-impersonation-gate',
        severity: 'warn',
        title: `ConstrainedImpersonation is ${stage} on 1.${minor} and could not be confirmed`,
        evidence,
        remediation: 'Grant get on /metrics so the gate can be read.',
      });
    }
  }
  add({
    id: 'impersonation-cache',
    severity: 'info',
    title: 'kube-apiserver caches granted impersonation for about 10 seconds: an RBAC change takes that long to apply',
    evidence: [],
    remediation: '',
  });
  return findings;
}
