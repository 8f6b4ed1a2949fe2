// Verdicts over many nodes and rules: per node (which rules apply, can
// workloads land) and per rule (how many nodes it holds, releases, ...).
import type { Taint } from '../base/kube.ts';
import { evaluateViews, type EvaluationOptions, type ReadinessState, type RuleVerdict } from './evaluate.ts';
import { asRecord, asArray, asString, readNode, type NodeView } from '../base/read.ts';
import { READINESS_TAINT_PREFIX, readRule, type NodeFailure, type RuleView } from '../nrc/rule.ts';

export interface NodeReadiness {
  node: string;
  /** Verdicts of the rules whose selector picks this node. */
  verdicts: RuleVerdict[];
  /** Readiness taints on the node with an effect that keeps pods off. */
  blockingTaints: Taint[];
  /** Readiness taints that no rule selecting this node owns: leftovers of a deleted or changed rule. */
  unmanagedTaints: Taint[];
  /** No readiness taint keeps pods off this node. */
  schedulable: boolean;
  /** Short label shared by the CLI's table and Headlamp's column. */
  label: string;
}

const BLOCKING_EFFECTS = new Set(['NoSchedule', 'NoExecute']);

export function readinessLabel(verdicts: RuleVerdict[]): string {
  if (verdicts.length === 0) return 'no rules';
  const held = verdicts.filter((verdict) => verdict.state === 'held');
  if (held.length === 1) return `held by ${held[0]!.rule}`;
  if (held.length > 1) return `held by ${held.length}/${verdicts.length} rules`;
  if (verdicts.some((verdict) => verdict.state === 'releasing')) return 'releasing';
  const unguarded = verdicts.filter((verdict) => verdict.state === 'unguarded');
  if (unguarded.some((verdict) => !verdict.dryRun)) return 'unguarded';
  return 'ready';
}

/**
 * What keeps a node from being ready, as "type=status" (or "=missing"), once
 * per condition type: the failing conditions of the rules that gate it. Shared
 * by the CLI's table and Headlamp's tooltip.
 */
export function failingConditions(node: NodeReadiness): string[] {
  const failing = node.verdicts.flatMap((verdict) =>
    verdict.state === 'held' || verdict.state === 'unguarded' ? verdict.conditions.filter((condition) => !condition.satisfied) : [],
  );
  return [...new Set(failing.map((condition) => `${condition.type}=${condition.observedStatus ?? 'missing'}`))];
}

/** Condition types whose last heartbeat on this node is stale, once each. */
export function staleConditions(node: NodeReadiness): string[] {
  return [
    ...new Set(
      node.verdicts.flatMap((verdict) => verdict.conditions.filter((condition) => condition.stale).map((condition) => condition.type)),
    ),
  ];
}

export function nodeReadiness(node: NodeView, verdicts: RuleVerdict[]): NodeReadiness {
  const applying = verdicts.filter((verdict) => verdict.state !== 'not-selected');
  const readinessTaints = node.taints.filter((taint) => taint.key.startsWith(READINESS_TAINT_PREFIX));
  const owned = (taint: Taint): boolean =>
    applying.some((verdict) => verdict.taint.key === taint.key && verdict.taint.effect === taint.effect);
  const blockingTaints = readinessTaints.filter((taint) => BLOCKING_EFFECTS.has(taint.effect));
  return {
    node: node.name,
    verdicts: applying,
    blockingTaints,
    unmanagedTaints: readinessTaints.filter((taint) => !owned(taint)),
    schedulable: blockingTaints.length === 0,
    label: readinessLabel(applying),
  };
}

export type CountedState = Exclude<ReadinessState, 'not-selected'>;

export interface RuleSummary {
  rule: string;
  mode: RuleView['mode'];
  policy: RuleView['policy'];
  dryRun: boolean;
  taint: RuleView['taint'];
  conditions: RuleView['conditions'];
  problems: string[];
  selectorError: string | null;
  /** Nodes the selector picks. */
  selected: number;
  counts: Record<CountedState, number>;
  nodes: Record<CountedState, string[]>;
  /** What the controller does next, or would do for a dry-run rule. */
  taintsToAdd: number;
  taintsToRemove: number;
  /** Failures the controller itself reported in status.failedNodes. */
  failedNodes: NodeFailure[];
}

function emptyCounts<T>(make: () => T): Record<CountedState, T> {
  return { ready: make(), held: make(), releasing: make(), unguarded: make(), 'bootstrap-complete': make() };
}

function readFailedNodes(rule: unknown): NodeFailure[] {
  return asArray(asRecord(asRecord(rule)['status'])['failedNodes']).flatMap((raw) => {
    const failure = asRecord(raw);
    const nodeName = asString(failure['nodeName']);
    if (nodeName === undefined) return [];
    return [
      {
        nodeName,
        reason: asString(failure['reason']) ?? '',
        message: asString(failure['message']) ?? '',
        lastEvaluationTime: asString(failure['lastEvaluationTime']) ?? '',
      },
    ];
  });
}

export function summarizeRule(view: RuleView, verdicts: RuleVerdict[], failedNodes: NodeFailure[] = []): RuleSummary {
  const counts = emptyCounts(() => 0);
  const nodes = emptyCounts<string[]>(() => []);
  let selectorError: string | null = null;
  for (const verdict of verdicts) {
    selectorError ??= verdict.selectorError;
    if (verdict.state === 'not-selected') continue;
    counts[verdict.state] += 1;
    nodes[verdict.state].push(verdict.node);
  }
  return {
    rule: view.name,
    mode: view.mode,
    policy: view.policy,
    dryRun: view.dryRun,
    taint: view.taint,
    conditions: view.conditions,
    problems: view.problems,
    selectorError,
    selected: Object.values(counts).reduce((sum, count) => sum + count, 0),
    counts,
    nodes,
    taintsToAdd: verdicts.filter((verdict) => verdict.action === 'add-taint').length,
    taintsToRemove: verdicts.filter((verdict) => verdict.action === 'remove-taint').length,
    failedNodes,
  };
}

export interface ClusterReadiness {
  nodes: NodeReadiness[];
  rules: RuleSummary[];
}

/** Evaluates every rule against every node once, and folds the verdicts both ways. */
export function evaluateCluster(rules: unknown[], nodes: unknown[], options: EvaluationOptions = {}): ClusterReadiness {
  const now = options.now ?? Date.now();
  const resolved = { ...options, now };
  const ruleViews = rules.map(readRule);
  const perRule = ruleViews.map((): RuleVerdict[] => []);
  const nodeResults = nodes.map((raw) => {
    const view = readNode(raw);
    const verdicts = ruleViews.map((rule, index) => {
      const verdict = evaluateViews(rule, view, resolved);
      perRule[index]!.push(verdict);
      return verdict;
    });
    return nodeReadiness(view, verdicts);
  });
  return {
    nodes: nodeResults,
    rules: ruleViews.map((view, index) => summarizeRule(view, perRule[index]!, readFailedNodes(rules[index]))),
  };
}
