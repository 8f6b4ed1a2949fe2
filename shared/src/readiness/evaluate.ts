// What a NodeReadinessRule means for one node, mirroring NRC's controller:
// missing conditions take defaultStatus (else Unknown), allOf/anyOf decide
// whether the rule is met, and the taint is found by key and effect.
import type { NodeCondition, Taint } from '../base/kube.ts';
import { readNode, type NodeView } from '../base/read.ts';
import { BOOTSTRAP_ANNOTATION_PREFIX, readRule, type ConditionPolicy, type EnforcementMode, type RuleView } from '../nrc/rule.ts';
import { matchSelector } from '../nrc/selector.ts';

export type ReadinessState =
  /** The rule's node selector does not pick this node (or is invalid). */
  | 'not-selected'
  /** Conditions met and the taint is gone: the rule lets workloads in. */
  | 'ready'
  /** Conditions not met and the taint is on: the rule keeps workloads off. */
  | 'held'
  /** Conditions met but the taint is still on: NRC has yet to remove it. */
  | 'releasing'
  /** Conditions not met but no taint: dry-run, or drift NRC has yet to fix. */
  | 'unguarded'
  /** A bootstrap-only rule this node already passed: it no longer gates it. */
  | 'bootstrap-complete';

/** The reporter rewrites an unchanged condition every 5m (HEARTBEAT_PERIOD); one check interval of margin on top. */
export const DEFAULT_STALE_AFTER_SECONDS = 6 * 60;

export interface EvaluationOptions {
  /** Milliseconds since the epoch; defaults to Date.now(). */
  now?: number;
  staleAfterSeconds?: number;
}

export interface ConditionVerdict {
  type: string;
  /** The node's own status, or null when the node does not have the condition. */
  observedStatus: string | null;
  /** What the controller compares: the observed status, else defaultStatus, else Unknown. */
  effectiveStatus: string;
  requiredStatus: string;
  defaultStatus: string | null;
  /** The effective status equals the required one. */
  satisfied: boolean;
  reason: string | null;
  message: string | null;
  lastTransitionTime: string | null;
  lastHeartbeatTime: string | null;
  heartbeatAgeSeconds: number | null;
  stale: boolean;
}

export interface TaintVerdict {
  key: string;
  effect: string;
  value: string | null;
  /** A node taint with the same key and effect exists (the controller's test). */
  present: boolean;
  /** The rule wants the taint on the node right now. */
  expected: boolean;
  /** The present taint's value when it differs from the rule's. */
  valueMismatch: string | null;
  /** Effects of node taints that share the key but not the effect: they do not count as this rule's taint. */
  otherEffects: string[];
}

export type TaintAction = 'none' | 'add-taint' | 'remove-taint';

export interface RuleVerdict {
  rule: string;
  node: string;
  state: ReadinessState;
  /** One line, for people. */
  reason: string;
  selectorError: string | null;
  policy: ConditionPolicy;
  mode: EnforcementMode;
  dryRun: boolean;
  conditionsMet: boolean;
  conditions: ConditionVerdict[];
  taint: TaintVerdict;
  bootstrapCompleted: boolean;
  /** The annotation that marked completion, when one did. */
  bootstrapAnnotation: string | null;
  /** What NRC does next for this node; for a dry-run rule, what it would do. */
  action: TaintAction;
  /** The rule's taint is on the node and keeps pods without a toleration off. */
  blocksScheduling: boolean;
}

function ageSeconds(timestamp: string | undefined, now: number): number | null {
  if (timestamp === undefined) return null;
  const parsed = Date.parse(timestamp);
  return Number.isNaN(parsed) ? null : Math.max(0, Math.round((now - parsed) / 1000));
}

export function evaluateCondition(
  requirement: RuleView['conditions'][number],
  conditions: NodeCondition[],
  options: Required<EvaluationOptions>,
): ConditionVerdict {
  const found = conditions.find((condition) => condition.type === requirement.type);
  const effectiveStatus = found?.status ?? requirement.defaultStatus ?? 'Unknown';
  const heartbeatAgeSeconds = ageSeconds(found?.lastHeartbeatTime, options.now);
  return {
    type: requirement.type,
    observedStatus: found?.status ?? null,
    effectiveStatus,
    requiredStatus: requirement.requiredStatus,
    defaultStatus: requirement.defaultStatus,
    satisfied: effectiveStatus === requirement.requiredStatus,
    reason: found?.reason ?? null,
    message: found?.message ?? null,
    lastTransitionTime: found?.lastTransitionTime ?? null,
    lastHeartbeatTime: found?.lastHeartbeatTime ?? null,
    heartbeatAgeSeconds,
    stale: heartbeatAgeSeconds !== null && heartbeatAgeSeconds > options.staleAfterSeconds,
  };
}

export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 2 * 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 2 * 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** Why one condition does or does not meet its requirement, in one phrase. */
export function describeCondition(condition: ConditionVerdict): string {
  const staleNote =
    condition.stale && condition.heartbeatAgeSeconds !== null
      ? ` (last heartbeat ${formatAge(condition.heartbeatAgeSeconds)} ago: stale)`
      : '';
  if (condition.observedStatus === null) {
    const fallback = condition.defaultStatus === null ? 'Unknown' : `defaultStatus ${condition.defaultStatus}`;
    return `${condition.type} is missing, counted as ${fallback} (required ${condition.requiredStatus})`;
  }
  const said = condition.message ? `: reporter says ${JSON.stringify(condition.message)}` : '';
  return `${condition.type} is ${condition.observedStatus} (required ${condition.requiredStatus})${said}${staleNote}`;
}

function findTaint(
  view: RuleView,
  taints: Taint[],
  conditionsMet: boolean,
): Omit<TaintVerdict, 'expected'> & { expectedIfGating: boolean } {
  const sameKey = taints.filter((taint) => taint.key === view.taint.key);
  const match = sameKey.find((taint) => taint.effect === view.taint.effect);
  const actualValue = match?.value ?? '';
  const wantedValue = view.taint.value ?? '';
  return {
    key: view.taint.key,
    effect: view.taint.effect,
    value: view.taint.value,
    present: match !== undefined,
    expectedIfGating: !conditionsMet,
    valueMismatch: match !== undefined && actualValue !== wantedValue ? actualValue : null,
    otherEffects: sameKey.filter((taint) => taint.effect !== view.taint.effect).map((taint) => taint.effect),
  };
}

/** The annotation marking this node done with a bootstrap-only rule: by UID, or the legacy by-name form. */
export function bootstrapCompletion(view: RuleView, annotations: Record<string, string>): string | null {
  const candidates = [view.uid, view.name].filter((suffix) => suffix !== '');
  for (const suffix of candidates) {
    const key = BOOTSTRAP_ANNOTATION_PREFIX + suffix;
    if (Object.prototype.hasOwnProperty.call(annotations, key)) return key;
  }
  return null;
}

function taintName(taint: { key: string; effect: string }): string {
  return `${taint.key}:${taint.effect}`;
}

function explain(
  state: ReadinessState,
  view: RuleView,
  conditions: ConditionVerdict[],
  taint: TaintVerdict,
  selectorError: string | null,
): string {
  const failing = conditions.filter((condition) => !condition.satisfied);
  const failures = failing.map(describeCondition).join('; ');
  const unmet =
    view.policy === 'anyOf' ? `none of ${conditions.length} conditions met: ${failures}` : failures || 'the rule has no conditions to meet';
  const dryRun = view.dryRun ? 'dry-run: ' : '';
  const staleMatched = conditions.filter((condition) => condition.satisfied && condition.stale);
  const staleNote = staleMatched.length > 0 ? `; but ${staleMatched.map(describeCondition).join('; ')}` : '';
  switch (state) {
    case 'not-selected':
      return selectorError
        ? `node selector is invalid, so NRC applies the rule to no node: ${selectorError}`
        : 'node selector does not match this node';
    case 'bootstrap-complete':
      return taint.present
        ? `bootstrap completed; ${taintName(taint)} is still on the node but no longer managed by this rule`
        : 'bootstrap completed; the rule no longer gates this node';
    case 'ready': {
      const met = conditions
        .filter((condition) => condition.satisfied)
        .map((condition) => `${condition.type} is ${condition.effectiveStatus}`);
      return `${dryRun}conditions met (${view.policy}: ${met.join(', ') || 'none required'})${staleNote}`;
    }
    case 'releasing':
      return view.dryRun
        ? `dry-run: conditions met, would remove ${taintName(taint)}${staleNote}`
        : `conditions met; NRC has yet to remove ${taintName(taint)}${staleNote}`;
    case 'held':
      return `${dryRun}${taintName(taint)} stays: ${unmet}`;
    case 'unguarded':
      return view.dryRun
        ? `dry-run: would add ${taintName(taint)}: ${unmet}`
        : `not met but ${taintName(taint)} is absent (NRC has yet to add it): ${unmet}`;
  }
}

function stateOf(conditionsMet: boolean, taintPresent: boolean): ReadinessState {
  if (conditionsMet) return taintPresent ? 'releasing' : 'ready';
  return taintPresent ? 'held' : 'unguarded';
}

function withDefaults(options: EvaluationOptions): Required<EvaluationOptions> {
  return { now: options.now ?? Date.now(), staleAfterSeconds: options.staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS };
}

/** Evaluates one rule against one node. Takes raw objects or views; never throws. */
export function evaluateRule(rule: unknown, node: unknown, options: EvaluationOptions = {}): RuleVerdict {
  return evaluateViews(isRuleView(rule) ? rule : readRule(rule), isNodeView(node) ? node : readNode(node), options);
}

function isRuleView(value: unknown): value is RuleView {
  return typeof value === 'object' && value !== null && Array.isArray((value as RuleView).problems);
}

function isNodeView(value: unknown): value is NodeView {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as NodeView).conditions) &&
    Array.isArray((value as NodeView).taints)
  );
}

export function evaluateViews(view: RuleView, node: NodeView, options: EvaluationOptions = {}): RuleVerdict {
  const resolved = withDefaults(options);
  const selection = matchSelector(view.nodeSelector, node.labels);
  const selectorError = selection.ok ? null : selection.error;
  const selected = selection.ok && selection.matches;
  const conditions = view.conditions.map((requirement) => evaluateCondition(requirement, node.conditions, resolved));
  const conditionsMet =
    view.policy === 'anyOf' ? conditions.some((condition) => condition.satisfied) : conditions.every((condition) => condition.satisfied);
  const { expectedIfGating, ...taintFound } = findTaint(view, node.taints, conditionsMet);
  const bootstrapAnnotation = view.mode === 'bootstrap-only' ? bootstrapCompletion(view, node.annotations) : null;
  const bootstrapCompleted = bootstrapAnnotation !== null;
  const gating = selected && !bootstrapCompleted;
  const taint: TaintVerdict = { ...taintFound, expected: gating && expectedIfGating };
  const state: ReadinessState = !selected
    ? 'not-selected'
    : bootstrapCompleted
      ? 'bootstrap-complete'
      : stateOf(conditionsMet, taint.present);
  const action: TaintAction = state === 'releasing' ? 'remove-taint' : state === 'unguarded' ? 'add-taint' : 'none';
  return {
    rule: view.name,
    node: node.name,
    state,
    reason: explain(state, view, conditions, taint, selectorError),
    selectorError,
    policy: view.policy,
    mode: view.mode,
    dryRun: view.dryRun,
    conditionsMet,
    conditions,
    taint,
    bootstrapCompleted,
    bootstrapAnnotation,
    action,
    blocksScheduling: selected && taint.present && (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute'),
  };
}
