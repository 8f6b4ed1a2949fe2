// Findings about a reporter's workload: how its pod template makes it act
// (IMPERSONATE_NODE, NODE_NAME) and which token it carries.
import type { Finding } from '../nrc/findings.ts';
import type { Reporter } from '../nrc/reporters.ts';
import type { PostureVerdict } from './posture.ts';

export function addWorkloadFindings(reporter: Reporter, verdict: PostureVerdict, add: (finding: Omit<Finding, 'subject'>) => void): void {
  const workload = `${reporter.workload.kind} ${reporter.workload.namespace}/${reporter.workload.name} container ${reporter.container}`;
  if (!reporter.impersonatesNode && verdict.posture !== 'broad') {
    add({
      id: 'impersonate-node-env',
      severity: 'fail',
      title: 'IMPERSONATE_NODE is not "true": the reporter acts as its ServiceAccount, which constrained RBAC denies',
      evidence: [workload],
      remediation: 'Set env IMPERSONATE_NODE=true on the reporter container (see the env patch).',
    });
  } else if (reporter.impersonatesNode && !verdict.canReport && verdict.posture !== 'unverified') {
    add({
      id: 'impersonate-node-env',
      severity: 'fail',
      title: 'IMPERSONATE_NODE=true but the grants or the ConstrainedImpersonation gate it needs are missing: every status write is denied',
      evidence: [workload],
      remediation: 'Apply the constrained impersonation roles from the remediation YAML.',
    });
  } else if (reporter.impersonatesNode) {
    add({ id: 'impersonate-node-env', severity: 'pass', title: 'IMPERSONATE_NODE=true', evidence: [workload], remediation: '' });
  }
  if (!reporter.nodeNameFromSpec) {
    add({
      id: 'node-name-from-spec',
      severity: 'warn',
      title: 'NODE_NAME does not come from spec.nodeName: the reporter may name a node it does not run on',
      evidence: [workload],
      remediation: 'Set NODE_NAME with valueFrom.fieldRef.fieldPath: spec.nodeName.',
    });
  }
  if (!reporter.projectedToken || reporter.secretVolumes.length > 0) {
    add({
      id: 'projected-token',
      severity: 'warn',
      title: 'The reporter may use a legacy or unbound token: associated-node needs a pod-bound token carrying the node name',
      evidence: [
        ...(reporter.projectedToken ? [] : ['automountServiceAccountToken: false']),
        ...reporter.secretVolumes.map((name) => `Secret volume ${name}`),
      ],
      remediation: 'Use the projected ServiceAccount token the kubelet mounts; remove Secret-based tokens.',
    });
  }
}
