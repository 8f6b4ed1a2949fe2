// Causes that are NRC's own: its controller not acting on a node, not running,
// or behind on a rule's latest spec.
import { asArray, asRecord, asString, imageIs, metadataOf, templateSpec, type NodeView } from '../../base/read.ts';
import type { Finding } from '../../nrc/findings.ts';
import type { NodeReadiness } from '../aggregate.ts';
import { formatAge, type RuleVerdict } from '../evaluate.ts';
import { cause, type ReadinessEvidence } from './causes.ts';

function ruleGeneration(rule: unknown): { generation: number | null; observed: number | null } {
  const metadata = asRecord(asRecord(rule)['metadata']);
  const status = asRecord(asRecord(rule)['status']);
  return {
    generation: typeof metadata['generation'] === 'number' ? metadata['generation'] : null,
    observed: typeof status['observedGeneration'] === 'number' ? status['observedGeneration'] : null,
  };
}

/** NRC's controller Deployment: the image named node-readiness-controller (its reporter's image is node-readiness-reporter). */
export function isControllerWorkload(workload: unknown): boolean {
  return (
    asRecord(workload)['kind'] === 'Deployment' &&
    asArray(templateSpec(workload)['containers']).some((container) =>
      imageIs(asString(asRecord(container)['image']) ?? '', 'node-readiness-controller'),
    )
  );
}

/** NRC's Deployments that have no available replica. */
export function unavailableControllers(workloads: unknown[]): string[] {
  return workloads.filter(isControllerWorkload).flatMap((deployment) => {
    // The apiserver always serves a status; a manifest (verify -f) has none, and says nothing about availability.
    if (asRecord(deployment)['status'] === undefined) return [];
    const available = asRecord(asRecord(deployment)['status'])['availableReplicas'];
    const { namespace, name } = metadataOf(deployment);
    return typeof available === 'number' && available > 0 ? [] : [`Deployment ${namespace}/${name} has no available replica`];
  });
}

/** Rules whose latest spec NRC has not processed yet. */
export function unobservedRules(rules: unknown[]): { rule: string; generation: number; observed: number | null }[] {
  return rules.flatMap((rule) => {
    const { generation, observed } = ruleGeneration(rule);
    return generation !== null && (observed === null || observed < generation)
      ? [{ rule: metadataOf(rule).name, generation, observed }]
      : [];
  });
}

/** Since when the rule's conditions have said what they say now: the latest transition among them. */
function settledSince(verdict: RuleVerdict): number | null {
  const times = verdict.conditions.map((condition) => Date.parse(condition.lastTransitionTime ?? '')).filter((time) => !Number.isNaN(time));
  return times.length > 0 ? Math.max(...times) : null;
}

/** NRC's own causes: the taint disagrees with the conditions, its controller is down, or a rule's latest spec is unprocessed. */
export function controllerCauses(
  node: NodeView,
  readiness: NodeReadiness,
  evidence: Pick<ReadinessEvidence, 'rules' | 'workloads'>,
  now: number,
  grace: number,
): Finding[] {
  const subject = `node ${node.name}`;
  const down = evidence.workloads === null ? [] : unavailableControllers(evidence.workloads);
  const unobserved = unobservedRules(evidence.rules);
  const findings: Finding[] = [];
  for (const verdict of readiness.verdicts) {
    if (verdict.dryRun || (verdict.state !== 'releasing' && verdict.state !== 'unguarded')) continue;
    const since = settledSince(verdict);
    const waited = since === null ? null : Math.max(0, Math.round((now - since) / 1000));
    const action = verdict.state === 'releasing' ? 'remove' : 'add';
    const taint = `${verdict.taint.key}:${verdict.taint.effect}`;
    const evidenceLines = [
      verdict.reason,
      ...(waited === null ? [] : [`the conditions have said so for ${formatAge(waited)}`]),
      ...down,
      ...unobserved
        .filter((entry) => entry.rule === verdict.rule)
        .map((entry) => `rule generation ${entry.generation}, NRC observed ${entry.observed ?? 'none'}`),
    ];
    if (waited !== null && waited <= grace) {
      findings.push(
        cause(
          'controller-pending',
          'info',
          subject,
          `NRC has yet to ${action} ${taint} (${formatAge(waited)} since the conditions changed)`,
          evidenceLines,
          '',
        ),
      );
    } else {
      findings.push(
        cause(
          'controller-not-acting',
          'fail',
          subject,
          `the controller is not acting: ${verdict.rule}'s conditions are ${verdict.conditionsMet ? 'met' : 'not met'}${waited === null ? '' : ` for ${formatAge(waited)}`} but ${taint} is ${verdict.state === 'releasing' ? 'still on' : 'missing'}`,
          evidenceLines,
          down.length > 0
            ? "Bring NRC's controller Deployment back (kubectl describe deployment; check its pods and events)."
            : "Check NRC's controller: its pod, logs and leader election (it may be running without a lease, or crash-looping).",
        ),
      );
    }
  }
  for (const line of down)
    findings.push(
      cause(
        'controller-unavailable',
        'fail',
        subject,
        `NRC's controller is not running: ${line}`,
        [],
        "Check the Deployment's pods and events.",
      ),
    );
  for (const entry of unobserved.filter((item) => readiness.verdicts.some((verdict) => verdict.rule === item.rule)))
    findings.push(
      cause(
        'rule-not-observed',
        'warn',
        subject,
        `NRC has not processed rule ${entry.rule}'s latest spec (generation ${entry.generation}, observed ${entry.observed ?? 'none'})`,
        [],
        'A lagging observedGeneration means the controller is down or failing on this rule: check its logs.',
      ),
    );
  return findings;
}
