// A node's diagnosis with the reporters' writes in it: for a condition whose
// writers run on the node and do not write it, whether the apiserver takes
// their writes (NRC's reporter's requests through the decision chain) tells a
// refused write from a stopped or idle reporter.
import { metadataOf, type NodeView } from '../base/read.ts';
import type { Finding } from '../nrc/findings.ts';
import { reporterWorkloadKey, type Reporter } from '../nrc/reporters.ts';
import type { NodeReadiness } from '../readiness/aggregate.ts';
import { cause, workloadName, type DiagnosisOptions, type NodeDiagnosis, type ReadinessEvidence } from '../readiness/diagnosis/causes.ts';
import { diagnoseReadiness } from '../readiness/diagnosis/diagnose.ts';
import { isReporterPodOn } from '../readiness/diagnosis/reporter-pods.ts';
import { describeCondition, formatAge, type ConditionVerdict } from '../readiness/evaluate.ts';
import { remediationFor } from '../security/remediation.ts';
import type { ReporterWrites } from '../security/reporter-writes.ts';

export interface DiagnosisEvidence extends ReadinessEvidence {
  /** Whether the apiserver would take each reporter's writes on this node, for the conditions it has stopped writing. */
  reporterWrites?: ReporterWrites[];
}

/** Every cause we can see for one node, root cause first. */
export function diagnoseNode(
  node: NodeView,
  readiness: NodeReadiness,
  evidence: DiagnosisEvidence,
  options: DiagnosisOptions = {},
): NodeDiagnosis {
  const explainSilence = (silent: NodeView, condition: ConditionVerdict, writers: Reporter[]) =>
    silentWriterCauses(silent, condition, writers, evidence);
  return diagnoseReadiness(node, readiness, evidence, explainSilence, options);
}

/** Writers that run on the node and have not written the condition: their writes are refused, they stopped, or they do not write. */
function silentWriterCauses(node: NodeView, condition: ConditionVerdict, writers: Reporter[], evidence: DiagnosisEvidence): Finding[] {
  const subject = `node ${node.name}`;
  const type = condition.type;
  const said = describeCondition(condition);
  const writerNames = writers.map(workloadName).join(', ');
  const silence = condition.stale ? `has not been written for ${formatAge(condition.heartbeatAgeSeconds ?? 0)}` : 'is missing';
  const writes = writers.map((writer) => ({
    writer,
    writes: evidence.reporterWrites?.find((check) => check.workload === reporterWorkloadKey(writer) && check.node === node.name),
  }));
  if (writes.every(({ writes }) => writes?.allowed === false)) {
    return writes.map(({ writer, writes }) =>
      cause(
        'reporter-write-refused',
        'fail',
        subject,
        `${type} ${silence}: the apiserver refuses the ${writer.workload.name} reporter's writes on ${node.name}: ${writes!.explanation}`,
        [said, ...decisiveSteps(writes!)],
        writeRemedy(writer, writes!),
      ),
    );
  }
  if (condition.stale) {
    return [
      cause(
        'reporter-stale',
        'warn',
        subject,
        `${type} ${silence}: its reporter stopped`,
        [said, `written by ${writerNames}`],
        `Check the logs of ${writerNames}'s pod on ${node.name}.`,
      ),
    ];
  }
  const allowed = writes.every(({ writes }) => writes?.allowed === true);
  const pods = writers.flatMap((writer) => evidence.pods?.filter((pod) => isReporterPodOn(pod, writer, node.name)) ?? []);
  return [
    cause(
      'reporter-not-writing',
      'warn',
      subject,
      allowed
        ? `${type} is missing although ${writerNames} can run on ${node.name} and the apiserver would take its writes`
        : `${type} is missing although ${writerNames} can run on ${node.name}: its writes may be refused`,
      [said, ...writes.flatMap(({ writes }) => (writes ? [writes.explanation] : []))],
      allowed
        ? `Read its pod's logs${pods.map((pod) => ` (kubectl -n ${metadataOf(pod).namespace} logs ${metadataOf(pod).name})`).join('')}: it runs, may write, and does not.`
        : 'Run kubectl readiness verify to check what its ServiceAccount may write, and read its pod logs.',
    ),
  ];
}

/** The reviews that decided a refused write, as evidence. */
function decisiveSteps(writes: ReporterWrites): string[] {
  const refused = writes.verdicts.find(({ verdict }) => verdict.allowed === false);
  return (refused?.verdict.steps ?? [])
    .filter((step) => step.decisive && step.answer)
    .map(
      (step) => `${step.summary}: ${step.answer!.allowed ? 'allowed' : 'denied'}${step.answer!.reason ? ` (${step.answer!.reason})` : ''}`,
    );
}

/** Its own node only: the hardened RBAC, and IMPERSONATE_NODE when it acts as itself; without the gate, the broad grant is all there is. */
function writeRemedy(writer: Reporter, writes: ReporterWrites): string {
  const { namespace, name } = writer.serviceAccount;
  if (writes.gate === 'disabled')
    return `The ConstrainedImpersonation gate is off, so ServiceAccount ${namespace}/${name} can only be granted get on nodes and update on nodes/status for every node; turn the gate on (the default from Kubernetes 1.36) to limit it to its own node.`;
  const fix = remediationFor(writer);
  return [
    `Grant ServiceAccount ${namespace}/${name} its own node only (kubectl apply -f):`,
    fix.rbacYaml.trimEnd(),
    ...(writer.impersonatesNode
      ? []
      : [`Then make it act as its node (${fix.patchCommand}) with reporter-env-patch.yaml:`, fix.workloadPatchYaml.trimEnd()]),
  ].join('\n');
}
