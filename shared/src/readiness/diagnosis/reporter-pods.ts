// Causes in a reporter's pods: the DaemonSet's pod for the node is missing
// (and the DaemonSet controller's refusal, when it said why), or is there and
// not running.
import { asArray, asRecord, asString, metadataOf } from '../../base/read.ts';
import type { Finding } from '../../nrc/findings.ts';
import type { Reporter } from '../../nrc/reporters.ts';
import { describeCondition, type ConditionVerdict } from '../evaluate.ts';
import { cause, workloadName, type ReadinessEvidence } from './causes.ts';

/** The DaemonSet controller's latest "Error creating: …" for this workload, e.g. an admission policy refusing its pod. */
function newestFailedCreate(events: unknown[], writer: Reporter): string | null {
  const mine = events.map(asRecord).filter((event) => {
    const regarding = asRecord(event['involvedObject']);
    return (
      asString(event['reason']) === 'FailedCreate' &&
      asString(regarding['kind']) === writer.workload.kind &&
      asString(regarding['namespace']) === writer.workload.namespace &&
      asString(regarding['name']) === writer.workload.name
    );
  });
  const when = (event: Record<string, unknown>) =>
    Date.parse(
      asString(event['lastTimestamp']) ?? asString(event['eventTime']) ?? asString(asRecord(event['metadata'])['creationTimestamp']) ?? '',
    ) || 0;
  const newest = mine.sort((a, b) => when(b) - when(a))[0];
  // client-go's event correlator prefixes repeated messages with "(combined from similar events): ".
  return newest ? (asString(newest['message']) ?? '').replace(/^(\(combined from similar events\): )?Error creating: /, '') : null;
}

/**
 * The pod is bound to the node, or is a daemon pod the scheduler has yet to
 * bind there: the DaemonSet controller names its node in a matchFields term.
 */
function podForNode(pod: unknown, node: string): boolean {
  const spec = asRecord(asRecord(pod)['spec']);
  const bound = asString(spec['nodeName']);
  if (bound) return bound === node;
  const terms = asArray(
    asRecord(asRecord(asRecord(spec['affinity'])['nodeAffinity'])['requiredDuringSchedulingIgnoredDuringExecution'])['nodeSelectorTerms'],
  );
  return terms.some((term) =>
    asArray(asRecord(term)['matchFields'])
      .map(asRecord)
      .some((field) => field['key'] === 'metadata.name' && asArray(field['values']).includes(node)),
  );
}

/** The reporter workload's pod for this node. */
export function isReporterPodOn(pod: unknown, reporter: Reporter, node: string): boolean {
  const { namespace } = metadataOf(pod);
  if (namespace !== reporter.workload.namespace || !podForNode(pod, node)) return false;
  return asArray(asRecord(asRecord(pod)['metadata'])['ownerReferences']).some((raw) => {
    const owner = asRecord(raw);
    return owner['kind'] === reporter.workload.kind && owner['name'] === reporter.workload.name;
  });
}

/** Why a pod is not doing its work, or null when it runs and is ready. */
export function podTrouble(pod: unknown): string | null {
  const status = asRecord(asRecord(pod)['status']);
  const phase = asString(status['phase']) ?? 'Unknown';
  const waiting = asArray(status['containerStatuses'])
    .map((raw) => asRecord(raw))
    .map((container) => ({
      name: asString(container['name']) ?? '',
      reason: asString(asRecord(asRecord(container['state'])['waiting'])['reason']),
      restarts: typeof container['restartCount'] === 'number' ? container['restartCount'] : 0,
      ready: container['ready'] === true,
    }));
  const stuck = waiting.find((container) => container.reason !== undefined);
  if (stuck) return `container ${stuck.name} is waiting: ${stuck.reason} (${stuck.restarts} restarts)`;
  if (phase === 'Pending') {
    const scheduled = asArray(status['conditions'])
      .map(asRecord)
      .find((condition) => condition['type'] === 'PodScheduled' && condition['status'] === 'False');
    const why = scheduled ? (asString(scheduled['message']) ?? asString(scheduled['reason'])) : undefined;
    return `Pending${why ? `: ${why}` : ''}`;
  }
  if (phase !== 'Running') return phase;
  const unready = waiting.find((container) => !container.ready);
  return unready ? `container ${unready.name} is not ready (${unready.restarts} restarts)` : null;
}

/**
 * When every writer is a DaemonSet and none has a healthy pod on the node: a
 * cause per pod, missing or not running. Null when a pod is healthy, a writer
 * is not a DaemonSet, or the pods were not read.
 */
export function reporterPodCauses(
  node: string,
  condition: ConditionVerdict,
  writers: Reporter[],
  evidence: Pick<ReadinessEvidence, 'pods' | 'workloadEvents'>,
): Finding[] | null {
  if (evidence.pods === null) return null;
  const subject = `node ${node}`;
  const type = condition.type;
  const said = describeCondition(condition);
  const daemonSets = writers.filter((writer) => writer.workload.kind === 'DaemonSet');
  const pods = daemonSets.map((writer) => ({ writer, pod: evidence.pods!.find((pod) => isReporterPodOn(pod, writer, node)) }));
  const healthy = pods.some(({ pod }) => pod !== undefined && podTrouble(pod) === null);
  if (daemonSets.length === 0 || healthy || writers.length !== daemonSets.length) return null;
  return pods.map(({ writer, pod }) => {
    if (pod === undefined) {
      const refused = newestFailedCreate(evidence.workloadEvents ?? [], writer);
      return cause(
        'reporter-pod-missing',
        'fail',
        subject,
        refused
          ? `the ${writer.workload.name} DaemonSet cannot create its pod on ${node}, so ${type} is not reported: ${refused}`
          : `the ${writer.workload.name} DaemonSet should run a pod on ${node} but none is there, so ${type} is not reported`,
        [`${workloadName(writer)} writes ${type}; its pod template fits the node`, said],
        refused
          ? `Change ${workloadName(writer)}'s pod template, or the policy the message names, so the pod is admitted; the DaemonSet controller then creates it (kubectl -n ${writer.workload.namespace} describe daemonset ${writer.workload.name} lists each refusal).`
          : `Check ${workloadName(writer)}'s status and events (kubectl -n ${writer.workload.namespace} describe daemonset ${writer.workload.name}).`,
      );
    }
    const trouble = podTrouble(pod)!;
    return cause(
      'reporter-pod-unhealthy',
      'fail',
      subject,
      `the ${writer.workload.name} pod on ${node} is not running: ${trouble}`,
      [`pod ${metadataOf(pod).namespace}/${metadataOf(pod).name}`, said],
      `kubectl -n ${metadataOf(pod).namespace} describe pod ${metadataOf(pod).name}`,
    );
  });
}
