// Deadlocks: every writer of a condition is a DaemonSet whose pod cannot run
// on the node the rule holds, because it does not tolerate a taint there or
// its node selection leaves the node out.
import { templateSpec, type NodeView } from '../../base/read.ts';
import type { Finding } from '../../nrc/findings.ts';
import { reporterWorkloadKey, type Reporter } from '../../nrc/reporters.ts';
import { describeCondition, type ConditionVerdict, type RuleVerdict } from '../evaluate.ts';
import { placePod, readPodSpec, tolerationsYaml } from '../scheduling.ts';
import { cause, workloadName } from './causes.ts';

/**
 * The writers that can run on the node (a workload other than a DaemonSet
 * runs its pods elsewhere), and, when none can, a deadlock cause for each.
 */
export function placeWriters(
  node: NodeView,
  verdict: RuleVerdict,
  condition: ConditionVerdict,
  writers: Reporter[],
  workloads: Map<string, unknown>,
): { runnable: Reporter[]; deadlocks: Finding[] } {
  const subject = `node ${node.name}`;
  const type = condition.type;
  const said = describeCondition(condition);
  const placed = writers.map((writer) => {
    const raw = workloads.get(reporterWorkloadKey(writer));
    const isDaemonSet = writer.workload.kind === 'DaemonSet';
    const template = templateSpec(raw);
    return { writer, placement: isDaemonSet ? placePod(readPodSpec(template, true), node) : null };
  });
  const runnable = placed.filter(({ placement }) => placement === null || placement.fits).map(({ writer }) => writer);
  if (runnable.length > 0) return { runnable, deadlocks: [] };
  const deadlocks = placed.map(({ writer, placement }) => {
    if (placement!.untoleratedTaints.length > 0) {
      const taints = placement!.untoleratedTaints.map((taint) => `${taint.key}:${taint.effect}`).join(', ');
      return cause(
        'reporter-deadlock',
        'fail',
        subject,
        `deadlock: the ${writer.workload.name} DaemonSet does not tolerate ${taints}, so nothing on ${node.name} can report ${type}`,
        [`${workloadName(writer)} writes ${type}`, said],
        `Add to ${workloadName(writer)}'s pod template:\n${tolerationsYaml(placement!.untoleratedTaints)}`,
      );
    }
    return cause(
      'reporter-excluded',
      'fail',
      subject,
      `deadlock: the ${writer.workload.name} DaemonSet's ${placement!.selectorMismatch}, so nothing on ${node.name} can report ${type}`,
      [`${workloadName(writer)} writes ${type}`, said],
      `Widen ${workloadName(writer)}'s nodeSelector or node affinity to cover the nodes ${verdict.rule} selects, or narrow the rule's nodeSelector.`,
    );
  });
  return { runnable, deadlocks };
}
