// How long nodes have been held, as `kubectl readiness status` finds it: the
// taint's timeAdded, else NRC's taint events. One cluster-wide read of NRC's
// node events serves every cell of the Nodes table and the Blockers view; a
// watch per cell would put one observer per row.
import { K8s } from '@kinvolk/headlamp-plugin/lib';
import {
  gatherTaintEvents,
  type HeldDuration,
  heldDurations,
  type NodeReadiness,
  readNode,
  taintEventsByNode,
} from '@kubectl-readiness/shared';
import { clusterReader } from '../api/clusterReader';
import { useNotified } from './useNotified';

interface TaintEvents {
  readAt: number;
  /** Null until read, or when the events cannot be read: only the taints' timeAdded is used then. */
  byNode: Map<string, unknown[]> | null;
}

const eventsByCluster = new Map<string, TaintEvents>();
const listeners = new Set<() => void>();
/** NRC writes an event when it taints or releases a node; a minute-old read misses at most the newest holds' start. */
const REREAD_AFTER_MS = 60_000;

/** Reads the cluster's taint events unless a recent read exists or is under way: on a cell's or view's first render. */
function startTaintEventRead(cluster: string): void {
  const last = eventsByCluster.get(cluster);
  if (last && Date.now() - last.readAt < REREAD_AFTER_MS) return;
  const entry: TaintEvents = { readAt: Date.now(), byNode: last?.byNode ?? null };
  eventsByCluster.set(cluster, entry);
  gatherTaintEvents(clusterReader(cluster))
    .then(({ events }) => {
      entry.byNode = events === null ? null : taintEventsByNode(events);
    })
    .catch(() => {
      // Unreachable: the durations the taints carry still show.
    })
    .finally(() => listeners.forEach((listener) => listener()));
}

/** A function giving a node's held durations; re-renders the caller when the events arrive. */
export function useHeldDurations(): (object: unknown, node: NodeReadiness) => HeldDuration[] {
  const cluster = K8s.useCluster() ?? '';
  useNotified(listeners, cluster, true, () => startTaintEventRead(cluster));
  const byNode = eventsByCluster.get(cluster)?.byNode ?? null;
  return (object, node) =>
    node.schedulable ? [] : heldDurations(readNode(object), node, byNode ? (byNode.get(node.node) ?? []) : null, Date.now());
}
