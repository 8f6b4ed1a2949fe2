// Readiness verdicts for the viewed cluster: nodes and rules come from
// Headlamp's list hooks (cached, watched), verdicts from the shared core.
import { K8s } from '@kinvolk/headlamp-plugin/lib';
import { type ClusterReadiness, evaluateCluster, metadataOf, type NodeReadiness } from '@kubectl-readiness/shared';
import { useMemo } from 'react';
import { NodeReadinessRule } from '../resources/nodeReadinessRule';

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
 * One evaluation per cluster, shared by every cell, view and the table's sort:
 * each Readiness and Reporter security cell of a 5,000-node table calls the
 * hooks below, and evaluating there would repeat the same work per row. The
 * cells see the same node and rule objects (Headlamp's query cache), so an
 * evaluation is reused while every input is identical.
 */
interface SharedEvaluation {
  nodes: unknown[];
  rules: unknown[];
  readiness: ClusterReadiness;
  byName: Map<string, NodeReadiness>;
  objectsByName: Map<string, unknown>;
}

const evaluations = new Map<string, SharedEvaluation>();

export const sameItems = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((item, index) => item === b[index]);

function sharedEvaluation(cluster: string, nodes: unknown[], rules: unknown[]): SharedEvaluation {
  const last = evaluations.get(cluster);
  if (last && sameItems(last.nodes, nodes) && sameItems(last.rules, rules)) return last;
  const readiness = evaluateCluster(rules, nodes);
  const evaluation = {
    nodes,
    rules,
    readiness,
    byName: new Map(readiness.nodes.map((node) => [node.node, node])),
    objectsByName: new Map(nodes.map((node) => [metadataOf(node).name, node])),
  };
  evaluations.set(cluster, evaluation);
  return evaluation;
}

/** A node's readiness outside React, for the Nodes table's sort and filter, which cannot call hooks. */
export function latestReadinessOf(cluster: string, node: unknown): NodeReadiness | null {
  // Not metadataOf: the sort calls this for every comparison, and only the name is needed.
  const name = (node as { metadata?: { name?: string } } | null)?.metadata?.name ?? '';
  const shared = evaluations.get(cluster);
  return shared?.byName.get(name) ?? evaluateCluster(shared?.rules ?? [], [node]).nodes[0] ?? null;
}

function useSharedEvaluation(): { data: ReadinessData; evaluation: SharedEvaluation | null } {
  const cluster = K8s.useCluster() ?? '';
  const nodeList = K8s.ResourceClasses.Node.useList();
  const ruleList = NodeReadinessRule.useList();
  const nodes = nodeList.items;
  const rules = ruleList.items;
  const rulesStatus = ruleList.errors?.[0]?.status;
  const rulesProblem: RulesProblem = ruleList.errors && ruleList.errors.length > 0 ? problemOf(rulesStatus) : null;
  const nodeJson = useMemo(() => (nodes ?? []).map((node) => node.jsonData as unknown), [nodes]);
  const ruleJson = useMemo(() => (rules ?? []).map((rule) => rule.jsonData as unknown), [rules]);
  const evaluation = useMemo(() => (nodes ? sharedEvaluation(cluster, nodeJson, ruleJson) : null), [cluster, nodes, nodeJson, ruleJson]);
  const nodesError = nodeList.errors?.[0];
  return {
    data: {
      readiness: evaluation?.readiness ?? null,
      nodes: nodeJson,
      rules: rules ?? [],
      rulesLoaded: rules !== null || rulesProblem !== null,
      rulesProblem,
      error: nodesError ? `cannot list nodes: ${nodesError.message}` : null,
    },
    evaluation,
  };
}

export function useReadiness(): ReadinessData {
  return useSharedEvaluation().data;
}

/** The node's verdict and its Node object, looked up by name rather than by scanning every node per table row. */
export function useNodeReadiness(name: string): { node: NodeReadiness | null; object: unknown; data: ReadinessData } {
  const { data, evaluation } = useSharedEvaluation();
  return { node: evaluation?.byName.get(name) ?? null, object: evaluation?.objectsByName.get(name), data };
}
