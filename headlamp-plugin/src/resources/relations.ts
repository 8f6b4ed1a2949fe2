// Edges in Headlamp's resource map: node → the rule that gates it (labelled
// with the rule's verdict, e.g. "held"), and rule → the DaemonSet whose
// reporter writes one of its conditions. Headlamp 0.45 calls a relation's
// predicate for every pair of objects from its two sources, so each answer is
// kept per pair of objects and recomputed only when Headlamp replaces one.
import { discoverReporters, evaluateViews, readNode, readRule, RULE_GROUP, RULE_KIND } from '@kubectl-readiness/shared';

interface MapNode {
  kubeObject?: { jsonData?: unknown; cluster?: string };
}

export interface ReadinessRelation {
  id: string;
  fromSource: string;
  toSource: string;
  label: string;
  predicate: (from: MapNode, to: MapNode) => boolean;
  edgeAttributes?: (from: MapNode, to: MapNode) => { label: string };
}

/** Headlamp's source ids: the kind, prefixed by its group; custom resources by "crd-" as well. */
export const NODE_SOURCE = 'Node';
export const RULE_SOURCE = `crd-${RULE_GROUP}/${RULE_KIND}`;
export const DAEMONSET_SOURCE = 'apps/DaemonSet';

function pairCache<T>(compute: (a: object, b: object) => T) {
  const byFirst = new WeakMap<object, WeakMap<object, T>>();
  return (a: object, b: object): T => {
    let bySecond = byFirst.get(a);
    if (!bySecond) byFirst.set(a, (bySecond = new WeakMap()));
    if (!bySecond.has(b)) bySecond.set(b, compute(a, b));
    return bySecond.get(b)!;
  };
}

const verdictOf = pairCache((node, rule) => evaluateViews(readRule(rule), readNode(node)).state);
const feeds = pairCache((rule, workload) =>
  discoverReporters([workload], [rule]).reporters.some((reporter) => reporter.feedsRules.length > 0),
);

/** Both objects as JSON, from one cluster; null when either is missing. */
function objectsOf(from: MapNode, to: MapNode): [object, object] | null {
  const a = from.kubeObject?.jsonData;
  const b = to.kubeObject?.jsonData;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return null;
  return from.kubeObject?.cluster === to.kubeObject?.cluster ? [a, b] : null;
}

export const nodeGatedByRule: ReadinessRelation = {
  id: 'headlamp-readiness.node-rule',
  fromSource: NODE_SOURCE,
  toSource: RULE_SOURCE,
  label: 'gated by',
  predicate: (from, to) => {
    const pair = objectsOf(from, to);
    return pair !== null && verdictOf(...pair) !== 'not-selected';
  },
  edgeAttributes: (from, to) => {
    const pair = objectsOf(from, to);
    return { label: pair ? verdictOf(...pair) : 'gated by' };
  },
};

export const ruleFedByReporter: ReadinessRelation = {
  id: 'headlamp-readiness.rule-reporter',
  fromSource: RULE_SOURCE,
  toSource: DAEMONSET_SOURCE,
  label: 'condition written by',
  predicate: (from, to) => {
    const pair = objectsOf(from, to);
    return pair !== null && feeds(...pair);
  },
};
