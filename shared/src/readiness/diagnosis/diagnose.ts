// One node's causes, gathered from every file of this folder and ranked.
import { asRecord, asString, metadataOf, type NodeView } from '../../base/read.ts';
import type { Finding } from '../../nrc/findings.ts';
import { discoverReporters } from '../../nrc/reporters.ts';
import type { NodeReadiness } from '../aggregate.ts';
import {
  DEFAULT_RECONCILE_GRACE_SECONDS,
  rankCauses,
  type DiagnosisOptions,
  type NodeDiagnosis,
  type ReadinessEvidence,
} from './causes.ts';
import { conditionCauses, type SilenceExplainer } from './condition-writers.ts';
import { controllerCauses } from './controller.ts';
import { heldDurations, longestHeld } from './held.ts';

/** Every cause the objects show for one node, root cause first; `explainSilence` explains writers that run and do not write. */
export function diagnoseReadiness(
  node: NodeView,
  readiness: NodeReadiness,
  evidence: ReadinessEvidence,
  explainSilence: SilenceExplainer,
  options: DiagnosisOptions = {},
): NodeDiagnosis {
  const now = options.now ?? Date.now();
  const grace = options.reconcileGraceSeconds ?? DEFAULT_RECONCILE_GRACE_SECONDS;
  const discovery = discoverReporters(evidence.workloads ?? [], evidence.rules, evidence.configMaps ?? []);
  const workloads = new Map(
    (evidence.workloads ?? []).map((raw) => {
      const { namespace, name } = metadataOf(raw);
      return [`${asString(asRecord(raw)['kind']) ?? ''}/${namespace}/${name}`, raw] as const;
    }),
  );
  const context = {
    evidence,
    workloads,
    unresolved: discovery.reporters.filter((reporter) => reporter.unresolved !== null),
    explainSilence,
  };
  const findings: Finding[] = controllerCauses(node, readiness, evidence, now, grace);
  const seen = new Set<string>();
  for (const verdict of readiness.verdicts.filter((candidate) => candidate.state === 'held')) {
    for (const condition of verdict.conditions.filter((candidate) => !candidate.satisfied)) {
      if (seen.has(condition.type)) continue;
      seen.add(condition.type);
      const writers = discovery.reporters.filter((reporter) => reporter.conditionTypes.includes(condition.type));
      findings.push(...conditionCauses(node, verdict, condition, writers, context));
    }
  }
  return rankCauses(node.name, findings, heldDurations(node, readiness, evidence.events, now));
}

/** "held for 3h: deadlock, ..." : the line `status NODE` and Headlamp's node section lead with. */
export function rootCauseLine(diagnosis: NodeDiagnosis): string | null {
  if (!diagnosis.rootCause) return null;
  const held = longestHeld(diagnosis.held);
  return `${held ? `held for ${held}: ` : ''}${diagnosis.rootCause.title}`;
}
