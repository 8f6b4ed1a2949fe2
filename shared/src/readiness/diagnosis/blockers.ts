// Which (rule, condition) pairs hold the most nodes: the cluster-wide view of
// what blocks readiness.
import type { NodeReadiness } from '../aggregate.ts';
import type { HeldDuration } from './held.ts';

export interface Blocker {
  rule: string;
  condition: string;
  /** Held nodes on which this condition is one the rule still waits for. */
  nodes: string[];
  /** The longest this rule has held one of those nodes, where a taint's timeAdded or NRC's events tell. */
  longestHold: HeldDuration | null;
}

/**
 * Which (rule, condition) pairs hold the most nodes, counted as NRC's
 * node_readiness_blocked_nodes{rule,condition} counts them: each unmet
 * condition of each node a rule holds (taint on, conditions not met).
 * `held` (from heldByNode) gives each pair its longest hold.
 */
export function blockers(nodes: NodeReadiness[], held: Map<string, HeldDuration[]> = new Map()): Blocker[] {
  const found = new Map<string, Blocker>();
  for (const node of nodes) {
    for (const verdict of node.verdicts) {
      if (verdict.state !== 'held') continue;
      const hold = held.get(node.node)?.find((candidate) => candidate.rule === verdict.rule) ?? null;
      for (const condition of verdict.conditions.filter((candidate) => !candidate.satisfied)) {
        const key = `${verdict.rule}\u0000${condition.type}`;
        const entry = found.get(key) ?? { rule: verdict.rule, condition: condition.type, nodes: [], longestHold: null };
        entry.nodes.push(node.node);
        if (hold && (!entry.longestHold || hold.seconds > entry.longestHold.seconds)) entry.longestHold = hold;
        found.set(key, entry);
      }
    }
  }
  return [...found.values()].sort(
    (a, b) => b.nodes.length - a.nodes.length || a.rule.localeCompare(b.rule) || a.condition.localeCompare(b.condition),
  );
}
