// Readiness verdicts for the viewed cluster: nodes and rules come from
// Headlamp's list hooks (cached, watched), verdicts from the shared core.
import { K8s } from '@kinvolk/headlamp-plugin/lib';
import { type ClusterReadiness, evaluateCluster, type NodeReadiness, RULES_API_PATH } from '@kubectl-readiness/shared';
import { useEffect, useMemo } from 'react';
import { clusterReader } from '../api/clusterReader';
import { NodeReadinessRule, type NodeReadinessRuleObject } from '../resources/nodeReadinessRule';
import { useNotified } from './useNotified';

/** Why rules could not be read, or null when they were. */
export type RulesProblem = 'not-installed' | 'forbidden' | 'error' | null;

function problemOf(status: number | undefined): RulesProblem {
  if (status === 404) return 'not-installed';
  if (status === 401 || status === 403) return 'forbidden';
  return 'error';
}

export interface RuleData {
  rules: NodeReadinessRule[];
  /** The rules' objects, the same ones Headlamp's cache holds. */
  ruleJson: unknown[];
  rulesLoaded: boolean;
  rulesProblem: RulesProblem;
}

/** The latest rules each cluster's views and cells saw, for the table's sort, which cannot call hooks. */
const latestRules = new Map<string, unknown[]>();

/**
 * Rules read as the Nodes table is set up, seconds before its rows: the first
 * rows then show their verdicts at once instead of after each cell's list
 * request. Used only until Headlamp's watched list has loaded, and replaced
 * by each table's own read, so it never shows rules older than the table.
 */
interface PrefetchedRules {
  readAt: number;
  rules: NodeReadinessRule[] | null;
  problem: RulesProblem;
}
const prefetched = new Map<string, PrefetchedRules>();
const prefetchListeners = new Set<() => void>();
/** Headlamp runs a table's column processors several times while it sets the table up: one read serves them all. */
const PREFETCH_REUSE_MS = 10_000;

/** How many mounted components hold each cluster's watched rule list: while one does, reading the rules ahead again is a second copy. */
const watchers = new Map<string, number>();

export function prefetchRules(cluster: string): void {
  if ((watchers.get(cluster) ?? 0) > 0) return;
  const last = prefetched.get(cluster);
  if (last && Date.now() - last.readAt < PREFETCH_REUSE_MS) return;
  const entry: PrefetchedRules = { readAt: Date.now(), rules: null, problem: null };
  prefetched.set(cluster, entry);
  clusterReader(cluster)
    .list(RULES_API_PATH)
    .then((result) => {
      if (result.ok) entry.rules = result.value.map((rule) => new NodeReadinessRule(rule as NodeReadinessRuleObject));
      else entry.problem = problemOf(result.status);
    })
    .catch(() => {
      entry.problem = 'error';
    })
    .finally(() => prefetchListeners.forEach((listener) => listener()));
}

function usePrefetchedRules(cluster: string, needed: boolean): PrefetchedRules | undefined {
  useNotified(prefetchListeners, cluster, needed);
  return needed ? prefetched.get(cluster) : undefined;
}

/** The rules alone: a rule list is short, while a second observer of a 5,000-node list per table cell is what slowed real Headlamp. */
export function useRules(): RuleData {
  const cluster = K8s.useCluster() ?? '';
  const ruleList = NodeReadinessRule.useList();
  const listProblem: RulesProblem = ruleList.errors && ruleList.errors.length > 0 ? problemOf(ruleList.errors[0]?.status) : null;
  const listed = ruleList.items !== null || listProblem !== null;
  useEffect(() => {
    if (!listed) return undefined;
    watchers.set(cluster, (watchers.get(cluster) ?? 0) + 1);
    return () => {
      watchers.set(cluster, (watchers.get(cluster) ?? 1) - 1);
    };
  }, [cluster, listed]);
  const early = usePrefetchedRules(cluster, !listed);
  const rules = listed ? ruleList.items : (early?.rules ?? null);
  const rulesProblem = listed ? listProblem : (early?.problem ?? null);
  const ruleJson = useMemo(() => (rules ?? []).map((rule) => rule.jsonData as unknown), [rules]);
  if (rules) latestRules.set(cluster, ruleJson);
  return { rules: rules ?? [], ruleJson, rulesLoaded: rules !== null || rulesProblem !== null, rulesProblem };
}

export interface ReadinessData extends RuleData {
  readiness: ClusterReadiness | null;
  nodes: unknown[];
  /** One line for an error that stops the view, e.g. nodes cannot be listed. */
  error: string | null;
}

export const sameItems = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((item, index) => item === b[index]);

/**
 * A node's verdict, kept while the node object and the rules stay the same:
 * a table re-renders its cells, and sorts call this once per comparison.
 * Headlamp replaces a node's object when it changes, so identity is enough.
 */
const verdicts = new WeakMap<object, { rules: unknown[]; readiness: NodeReadiness }>();

function readinessOf(rules: unknown[], node: object): NodeReadiness {
  const last = verdicts.get(node);
  if (last && sameItems(last.rules, rules)) return last.readiness;
  const readiness = evaluateCluster(rules, [node]).nodes[0]!;
  verdicts.set(node, { rules, readiness });
  return readiness;
}

/** A node's readiness outside React, for the Nodes table's sort and filter. */
export function latestReadinessOf(cluster: string, node: unknown): NodeReadiness | null {
  if (typeof node !== 'object' || node === null) return null;
  return readinessOf(latestRules.get(cluster) ?? [], node);
}

/** One node's verdict, from the node object the caller already holds (a table row, a details page). */
export function useNodeVerdict(node: unknown): { node: NodeReadiness | null; rules: RuleData } {
  const rules = useRules();
  const readiness = typeof node === 'object' && node !== null && rules.rulesLoaded ? readinessOf(rules.ruleJson, node) : null;
  return { node: readiness, rules };
}

/**
 * Views over the whole cluster share one evaluation: the Rules list, a rule's
 * page and the Security view see the same node and rule objects (Headlamp's
 * query cache), so an evaluation is reused while every input is identical.
 */
interface SharedEvaluation {
  nodes: unknown[];
  rules: unknown[];
  readiness: ClusterReadiness;
}

const evaluations = new Map<string, SharedEvaluation>();

function sharedEvaluation(cluster: string, nodes: unknown[], rules: unknown[]): ClusterReadiness {
  const last = evaluations.get(cluster);
  if (last && sameItems(last.nodes, nodes) && sameItems(last.rules, rules)) return last.readiness;
  const readiness = evaluateCluster(rules, nodes);
  evaluations.set(cluster, { nodes, rules, readiness });
  return readiness;
}

export function useReadiness(): ReadinessData {
  const cluster = K8s.useCluster() ?? '';
  const nodeList = K8s.ResourceClasses.Node.useList();
  const rules = useRules();
  const ruleJson = rules.ruleJson;
  const nodes = nodeList.items;
  const nodeJson = useMemo(() => (nodes ?? []).map((node) => node.jsonData as unknown), [nodes]);
  const readiness = useMemo(() => (nodes ? sharedEvaluation(cluster, nodeJson, ruleJson) : null), [cluster, nodes, nodeJson, ruleJson]);
  const nodesError = nodeList.errors?.[0];
  return { ...rules, readiness, nodes: nodeJson, error: nodesError ? `cannot list nodes: ${nodesError.message}` : null };
}
