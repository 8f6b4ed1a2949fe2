// Readiness verdicts for the viewed cluster: nodes and rules come from
// Headlamp's list hooks (cached, watched), verdicts from the shared core.
import { K8s } from '@kinvolk/headlamp-plugin/lib';
import { type ClusterReadiness, evaluateCluster, type NodeReadiness } from '@kubectl-readiness/shared';
import { useMemo } from 'react';
import { NodeReadinessRule } from './nodeReadinessRule';

/** Why rules could not be read, or null when they were. */
export type RulesProblem = 'not-installed' | 'forbidden' | 'error' | null;

export interface ReadinessData {
  readiness: ClusterReadiness | null;
  nodes: unknown[];
  rules: NodeReadinessRule[];
  rulesLoaded: boolean;
  rulesProblem: RulesProblem;
  /** One line for an error that stops the view, e.g. nodes cannot be listed. */
  error: string | null;
}

function problemOf(status: number | undefined): RulesProblem {
  if (status === 404) return 'not-installed';
  if (status === 401 || status === 403) return 'forbidden';
  return 'error';
}

/**
 * The latest rules per cluster, for code that runs outside React: the Nodes
 * table's sort function, which cannot call hooks.
 */
const latestRules = new Map<string, unknown[]>();

export function latestRulesFor(cluster: string): unknown[] {
  return latestRules.get(cluster) ?? [];
}

export function useReadiness(): ReadinessData {
  const cluster = K8s.useCluster() ?? '';
  const nodeList = K8s.ResourceClasses.Node.useList();
  const ruleList = NodeReadinessRule.useList();
  const nodes = nodeList.items;
  const rules = ruleList.items;
  const rulesStatus = ruleList.errors?.[0]?.status;
  const rulesProblem: RulesProblem = ruleList.errors && ruleList.errors.length > 0 ? problemOf(rulesStatus) : null;
  const nodeJson = useMemo(() => (nodes ?? []).map((node) => node.jsonData as unknown), [nodes]);
  const ruleJson = useMemo(() => (rules ?? []).map((rule) => rule.jsonData as unknown), [rules]);
  const readiness = useMemo(() => {
    if (!nodes) return null;
    latestRules.set(cluster, ruleJson);
    return evaluateCluster(ruleJson, nodeJson);
  }, [cluster, nodes, nodeJson, ruleJson]);
  const nodesError = nodeList.errors?.[0];
  return {
    readiness,
    nodes: nodeJson,
    rules: rules ?? [],
    rulesLoaded: rules !== null || rulesProblem !== null,
    rulesProblem,
    error: nodesError ? `cannot list nodes: ${nodesError.message}` : null,
  };
}

export function useNodeReadiness(name: string): { node: NodeReadiness | null; data: ReadinessData } {
  const data = useReadiness();
  const node = data.readiness?.nodes.find((entry) => entry.node === name) ?? null;
  return { node, data };
}
