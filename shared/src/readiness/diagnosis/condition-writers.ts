// Causes for one unmet condition of a held rule, from what its writers are:
// none at all, none that can run on the node, none with a healthy pod there,
// or writers that run and say it is not met. Writers that run and have gone
// silent are explained by the caller, which knows whether the apiserver takes
// their writes.
import type { NodeView } from '../../base/read.ts';
import type { Finding } from '../../nrc/findings.ts';
import type { Reporter } from '../../nrc/reporters.ts';
import { describeCondition, type ConditionVerdict, type RuleVerdict } from '../evaluate.ts';
import { cause, workloadName, type ReadinessEvidence } from './causes.ts';
import { reporterPodCauses } from './reporter-pods.ts';
import { placeWriters } from './reporter-placement.ts';

/** Its reporter has not written it, or has stopped heartbeating it: whether the apiserver takes the reporter's writes matters. */
export function isSilent(condition: ConditionVerdict): boolean {
  return condition.observedStatus === null || condition.stale;
}

/** The causes for a silent condition whose writers can run on the node and whose pods, where known, are healthy. */
export type SilenceExplainer = (node: NodeView, condition: ConditionVerdict, writers: Reporter[]) => Finding[];

export interface WriterContext {
  evidence: ReadinessEvidence;
  /** The workloads by reporterWorkloadKey, for their pod templates. */
  workloads: Map<string, unknown>;
  /** Reporters some of whose condition types could not be read: one of them may write it. */
  unresolved: Reporter[];
  explainSilence: SilenceExplainer;
}

export function conditionCauses(
  node: NodeView,
  verdict: RuleVerdict,
  condition: ConditionVerdict,
  writers: Reporter[],
  context: WriterContext,
): Finding[] {
  if (writers.length === 0) return unwrittenCauses(node, verdict, condition, context);
  const { runnable, deadlocks } = placeWriters(node, verdict, condition, writers, context.workloads);
  if (runnable.length === 0) return deadlocks;
  const podCauses = reporterPodCauses(node.name, condition, runnable, context.evidence);
  if (podCauses) return podCauses;
  if (isSilent(condition)) return context.explainSilence(node, condition, runnable);
  const writerNames = runnable.map(workloadName).join(', ');
  return [
    cause(
      'condition-not-met',
      'info',
      `node ${node.name}`,
      `${verdict.rule} holds ${node.name}: ${describeCondition(condition)}`,
      [`written by ${writerNames}`],
      '',
    ),
  ];
}

function unwrittenCauses(node: NodeView, verdict: RuleVerdict, condition: ConditionVerdict, context: WriterContext): Finding[] {
  const subject = `node ${node.name}`;
  const type = condition.type;
  const said = describeCondition(condition);
  if (context.evidence.workloads === null)
    return [
      cause(
        'condition-unwritten',
        'warn',
        subject,
        `${type} is not met and its writer is unknown: DaemonSets and Deployments could not be listed`,
        [said],
        'Grant list on daemonsets and deployments to see which workload reports it.',
      ),
    ];
  const unsure = context.unresolved.map((reporter) => `${workloadName(reporter)}: ${reporter.unresolved}`);
  return [
    cause(
      'condition-unwritten',
      unsure.length > 0 ? 'warn' : 'fail',
      subject,
      `no workload writes ${type}, so ${verdict.rule} holds ${node.name} until something does`,
      [said, ...unsure.map((line) => `could not read what this writes: ${line}`)],
      `Deploy a reporter for ${type} (NRC's readiness-condition-reporter with CONDITION_TYPE=${type}, or a Node Problem Detector config) that tolerates ${verdict.taint.key}:${verdict.taint.effect}, or fix the rule's condition type.`,
    ),
  ];
}
