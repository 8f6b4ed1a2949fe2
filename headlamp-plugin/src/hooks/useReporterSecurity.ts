// Reporter security for the viewed cluster, exactly as `kubectl readiness
// verify` computes it: the core gathers the answers through the viewer's own
// ClusterReader and folds them into the same report. One gathering per
// cluster is shared by every cell and view, and made again on demand.
import { K8s } from '@kinvolk/headlamp-plugin/lib';
import {
  assessReporters,
  gatherSecurityAnswers,
  type ReporterAssessment,
  type SecurityAnswers,
  type SecurityReport,
  securityReport,
} from '@kubectl-readiness/shared';
import { useCallback } from 'react';
import { clusterReader } from '../api/clusterReader';
import { useNotified } from './useNotified';
import { type ReadinessData, type RuleData, sameItems, useRules } from './useReadiness';

type Pending = { answers: SecurityAnswers | null; error: string | null };

/**
 * Reviews handed to the browser at once. It keeps six in flight itself and
 * sends the next as a connection frees, while a pool of our own would send
 * each next one only when the page's main thread is free, which Headlamp's
 * table holds for seconds at a time on a 5,000-node cluster (25 reviews went
 * out in seven waves 3-4 s apart there).
 */
const REVIEWS_HANDED_TO_THE_BROWSER = 64;
const answersByCluster = new Map<string, Pending>();
const listeners = new Set<() => void>();

/**
 * The requests go out at once: which reporters there are does not depend on
 * the rules, and the core reads the two sample nodes itself, so no caller
 * needs the whole node list.
 */
function gather(cluster: string): void {
  const pending: Pending = { answers: null, error: null };
  answersByCluster.set(cluster, pending);
  gatherSecurityAnswers(clusterReader(cluster), { concurrency: REVIEWS_HANDED_TO_THE_BROWSER })
    .then((answers) => {
      pending.answers = answers;
    })
    .catch((error: unknown) => {
      pending.error = `cannot check reporter security: ${(error as Error).message}`;
    })
    .finally(() => listeners.forEach((listener) => listener()));
}

/** Starts the cluster's gathering unless one is under way or done: a view's or a cell's first render, never before the Nodes table has rows. */
function startSecurityCheck(cluster: string): void {
  if (!answersByCluster.has(cluster)) gather(cluster);
}

/** The cluster's answers, gathered on first use and shared; re-renders the caller when they arrive. */
function useSecurityAnswers(): { pending: Pending | undefined; recheck: () => void } {
  const cluster = K8s.useCluster() ?? '';
  useNotified(listeners, cluster, true, () => startSecurityCheck(cluster));
  const recheck = useCallback(() => {
    gather(cluster);
    listeners.forEach((listener) => listener());
  }, [cluster]);
  return { pending: answersByCluster.get(cluster), recheck };
}

/**
 * Made again when the answers or a rule change, but not on every node update:
 * a watched 5,000-node list changes many times a minute, posture does not
 * depend on node status, and "Re-check" gathers anew.
 */
interface Shared<T> {
  answers: SecurityAnswers;
  rules: unknown[];
  value: T;
}

function sharedBy<T, Rest extends unknown[]>(make: (answers: SecurityAnswers, rules: unknown[], ...rest: Rest) => T) {
  const byCluster = new Map<string, Shared<T>>();
  return (cluster: string, answers: SecurityAnswers, rules: unknown[], ...rest: Rest): T => {
    const last = byCluster.get(cluster);
    if (last && last.answers === answers && sameItems(last.rules, rules)) return last.value;
    const value = make(answers, rules, ...rest);
    byCluster.set(cluster, { answers, rules, value });
    return value;
  };
}

const sharedAssessments = sharedBy(assessReporters);
const sharedReport = sharedBy((answers, rules, nodes: unknown[]) => securityReport(answers, rules, nodes));

export interface ReporterAssessments {
  assessments: ReporterAssessment[] | null;
  unverifiedReason: string | null;
  error: string | null;
  loading: boolean;
  rules: RuleData;
}

/** Each reporter's posture, for a table cell or a node's page: no node list needed. */
export function useReporterAssessments(): ReporterAssessments {
  const cluster = K8s.useCluster() ?? '';
  const rules = useRules();
  const { pending } = useSecurityAnswers();
  const answers = pending?.answers ?? null;
  return {
    assessments: answers && rules.rulesLoaded ? sharedAssessments(cluster, answers, rules.ruleJson) : null,
    unverifiedReason: answers?.unverifiedReason ?? null,
    error: pending?.error ?? null,
    loading: !pending?.error && (!answers || !rules.rulesLoaded),
    rules,
  };
}

export interface ReporterSecurity {
  report: SecurityReport | null;
  error: string | null;
  loading: boolean;
  recheck: () => void;
}

/** The whole report with its findings, for the Security view, which holds every node for the coverage findings. */
export function useReporterSecurity(data: ReadinessData): ReporterSecurity {
  const cluster = K8s.useCluster() ?? '';
  const { pending, recheck } = useSecurityAnswers();
  const answers = pending?.answers ?? null;
  const ready = answers && data.rulesLoaded && data.readiness;
  return {
    report: ready ? sharedReport(cluster, answers, data.ruleJson, data.nodes) : null,
    error: pending?.error ?? null,
    loading: !pending?.error && !ready,
    recheck,
  };
}
