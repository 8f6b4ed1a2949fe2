// Reporter security for the viewed cluster, exactly as `kubectl readiness
// verify` computes it: the core gathers the answers through the viewer's own
// ClusterReader and folds them into the same report. One gathering per
// cluster is shared by every cell and view, and made again on demand.
import { K8s } from '@kinvolk/headlamp-plugin/lib';
import { gatherSecurityAnswers, type SecurityAnswers, type SecurityReport, securityReport } from '@kubectl-readiness/shared';
import { useCallback, useEffect, useState } from 'react';
import { clusterReader } from '../api/clusterReader';
import { type ReadinessData, sameItems } from './useReadiness';

type Pending = { answers: SecurityAnswers | null; error: string | null };
const answersByCluster = new Map<string, Pending>();
const listeners = new Set<() => void>();

/** The requests go out as soon as the nodes are known: which reporters there are does not depend on the rules. */
function gather(cluster: string, nodes: unknown[]): void {
  const pending: Pending = { answers: null, error: null };
  answersByCluster.set(cluster, pending);
  gatherSecurityAnswers(clusterReader(cluster), { nodes })
    .then((answers) => {
      pending.answers = answers;
    })
    .catch((error: unknown) => {
      pending.error = `cannot check reporter security: ${(error as Error).message}`;
    })
    .finally(() => listeners.forEach((listener) => listener()));
}

/**
 * Like the readiness evaluation, one report per cluster is shared by every
 * cell and view. It is made again when the answers or a rule change, but not
 * on every node update: a watched 5,000-node list changes many times a
 * minute, posture does not depend on node status, and "Re-check" takes the
 * current nodes into account.
 */
interface SharedReport {
  answers: SecurityAnswers;
  rules: unknown[];
  report: SecurityReport;
}
const reports = new Map<string, SharedReport>();

function sharedReport(cluster: string, answers: SecurityAnswers, rules: unknown[], nodes: unknown[]): SecurityReport {
  const last = reports.get(cluster);
  if (last && last.answers === answers && sameItems(last.rules, rules)) return last.report;
  const report = securityReport(answers, rules, nodes);
  reports.set(cluster, { answers, rules, report });
  return report;
}

export interface ReporterSecurity {
  report: SecurityReport | null;
  error: string | null;
  loading: boolean;
  /** The rules the report was made with, or null while they load. */
  rules: unknown[] | null;
  recheck: () => void;
}

/** The cluster's shared security report, for the readiness data a view already holds. */
export function useReporterSecurity(data: ReadinessData): ReporterSecurity {
  const cluster = K8s.useCluster() ?? '';
  const nodes = data.readiness ? data.nodes : null;
  const rules = data.rulesLoaded ? data.rules.map((rule) => rule.jsonData as unknown) : null;
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((version) => version + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  useEffect(() => {
    if (nodes !== null && !answersByCluster.has(cluster)) gather(cluster, nodes);
  }, [cluster, nodes]);
  const recheck = useCallback(() => {
    if (nodes !== null) {
      gather(cluster, nodes);
      listeners.forEach((listener) => listener());
    }
  }, [cluster, nodes]);
  const pending = answersByCluster.get(cluster);
  const answers = pending?.answers ?? null;
  return {
    report: answers && rules !== null && nodes !== null ? sharedReport(cluster, answers, rules, nodes) : null,
    error: pending?.error ?? null,
    loading: !pending?.error && (!answers || rules === null),
    rules,
    recheck,
  };
}
