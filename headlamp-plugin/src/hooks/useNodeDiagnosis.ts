// The node's root cause, as `kubectl readiness status NODE` finds it: the core
// gathers the reporter workloads, the pods on the node and its events through
// the viewer's ClusterReader and diagnoses the node. Gathered again only when
// the node's readiness changes, not on every heartbeat.
import { K8s } from '@kinvolk/headlamp-plugin/lib';
import { diagnoseNodeInCluster, failingConditions, type NodeDiagnosis, type NodeReadiness } from '@kubectl-readiness/shared';
import { useEffect, useState } from 'react';
import { clusterReader } from '../api/clusterReader';

export function useNodeDiagnosis(object: unknown, node: NodeReadiness | null, rules: unknown[]): NodeDiagnosis | null {
  const cluster = K8s.useCluster() ?? '';
  const [diagnosis, setDiagnosis] = useState<NodeDiagnosis | null>(null);
  const changed = node ? `${node.node}|${node.label}|${failingConditions(node).join(',')}|${rules.length}` : '';
  useEffect(() => {
    if (!node) return;
    let current = true;
    diagnoseNodeInCluster(clusterReader(cluster), object, node, rules)
      .then((found) => {
        if (current) setDiagnosis(found.diagnosis);
      })
      .catch(() => {
        // Unreachable or failing: the section still shows the verdicts it has.
        if (current) setDiagnosis(null);
      });
    return () => {
      current = false;
    };
    // Keyed on what decides the diagnosis; the node object itself changes with every heartbeat.
  }, [cluster, changed]);
  return diagnosis;
}
