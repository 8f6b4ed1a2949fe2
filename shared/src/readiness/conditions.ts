// Condition queries over many nodes. They back NRC's secure-reporting check "the
// condition should appear on every node", done for every rule at once.
import { bootstrapCompletion, evaluateCondition, DEFAULT_STALE_AFTER_SECONDS, type EvaluationOptions } from './evaluate.ts';
import { readRule } from '../nrc/rule.ts';
import { readNode, type NodeView } from '../base/read.ts';
import { matchSelector } from '../nrc/selector.ts';

export interface ConditionQuery {
  type: string;
  /** When given, nodes whose condition is present but at another status are listed as off-status. */
  requiredStatus?: string;
}

export interface ConditionReport {
  type: string;
  requiredStatus: string | null;
  /** Nodes the query looked at. */
  checked: number;
  missing: string[];
  stale: string[];
  offStatus: string[];
}

export function queryCondition(nodes: NodeView[], query: ConditionQuery, options: EvaluationOptions = {}): ConditionReport {
  const resolved = { now: options.now ?? Date.now(), staleAfterSeconds: options.staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS };
  const report: ConditionReport = {
    type: query.type,
    requiredStatus: query.requiredStatus ?? null,
    checked: nodes.length,
    missing: [],
    stale: [],
    offStatus: [],
  };
  const requirement = { type: query.type, requiredStatus: query.requiredStatus ?? '', defaultStatus: null };
  for (const node of nodes) {
    const verdict = evaluateCondition(requirement, node.conditions, resolved);
    if (verdict.observedStatus === null) report.missing.push(node.name);
    else {
      if (verdict.stale) report.stale.push(node.name);
      if (query.requiredStatus !== undefined && !verdict.satisfied) report.offStatus.push(node.name);
    }
  }
  return report;
}

export interface RuleConditionCoverage extends ConditionReport {
  rule: string;
}

/**
 * For each rule and each of its conditions, which targeted nodes lack it, carry
 * a stale heartbeat, or sit at another status. A node is targeted when the
 * rule's selector picks it and a bootstrap-only rule has not completed on it.
 */
export function conditionCoverage(rules: unknown[], nodes: unknown[], options: EvaluationOptions = {}): RuleConditionCoverage[] {
  const nodeViews = nodes.map(readNode);
  return rules.map(readRule).flatMap((rule) => {
    const targeted = nodeViews.filter((node) => {
      const selection = matchSelector(rule.nodeSelector, node.labels);
      if (!selection.ok || !selection.matches) return false;
      return rule.mode !== 'bootstrap-only' || bootstrapCompletion(rule, node.annotations) === null;
    });
    return rule.conditions.map((condition) => ({
      rule: rule.name,
      ...queryCondition(targeted, { type: condition.type, requiredStatus: condition.requiredStatus }, options),
    }));
  });
}
