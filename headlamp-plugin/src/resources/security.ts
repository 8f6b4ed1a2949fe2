// Reporter security for the viewed cluster, as `kubectl readiness verify`
// computes it: the viewer's SubjectAccessReviews answer the core's posture
// questions; without permission to create them, the RBAC objects do; without
// either, every reporter is "Unverified" with the reason. One assessment per
// cluster is shared by every cell and view, and refreshed on demand.
import { ApiProxy } from '@kinvolk/headlamp-plugin/lib';
import {
  answerPostureQuestions,
  assessReporter,
  clusterFindings,
  discoverReporters,
  featureGateFromMetrics,
  type GateState,
  type PostureQuestion,
  type PostureQuestionId,
  postureQuestions,
  rbacAnswerer,
  type RbacObjects,
  type ReporterAssessment,
  type ReviewAnswer,
  sampleNodes,
  type SubjectAccessReviewSpec,
  type Verification,
  verification,
} from '@kubectl-readiness/shared';
import { useCallback, useEffect, useState } from 'react';

export type SecuritySource = 'subject-access-reviews' | 'rbac-objects' | 'unverified';

export interface SecurityReport {
  gitVersion: string | null;
  gate: GateState;
  source: SecuritySource;
  /** Why the posture could not be checked, when source is "unverified". */
  unverifiedReason: string | null;
  assessments: ReporterAssessment[];
  verification: Verification;
  notes: string[];
}

const REVIEW_CONCURRENCY = 4;
const SUBJECT_ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

class Unreadable extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { status?: number } | null)?.status;
}

/** Never log the viewer out on a 401/403: a denied read is an answer here, not a session problem. */
function get(cluster: string, path: string): Promise<unknown> {
  return ApiProxy.request(path, { cluster, autoLogoutOnAuthError: false }, false);
}

async function getText(cluster: string, path: string): Promise<string> {
  const response = (await ApiProxy.request(path, { cluster, isJSON: false, autoLogoutOnAuthError: false }, false)) as Response;
  return response.text();
}

async function optional<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    const status = statusOf(error);
    if (status === 401 || status === 403 || status === 404) return null;
    throw error;
  }
}

async function list(cluster: string, path: string): Promise<unknown[]> {
  const body = (await get(cluster, path)) as { items?: unknown[] } | null;
  return body?.items ?? [];
}

async function readRbac(cluster: string): Promise<RbacObjects | null> {
  const kinds = ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'];
  const lists = await Promise.all(kinds.map((kind) => optional(() => list(cluster, `/apis/rbac.authorization.k8s.io/v1/${kind}`))));
  const [clusterRoles, clusterRoleBindings, roles, roleBindings] = lists;
  if (!clusterRoles || !clusterRoleBindings || !roles || !roleBindings) return null;
  return { clusterRoles, clusterRoleBindings, roles, roleBindings };
}

async function review(cluster: string, spec: SubjectAccessReviewSpec): Promise<ReviewAnswer> {
  try {
    const body = (await ApiProxy.post(
      SUBJECT_ACCESS_REVIEWS,
      { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
      false,
      { cluster, autoLogoutOnAuthError: false },
    )) as { status?: { allowed?: boolean; reason?: string } };
    const status = body.status ?? {};
    return { allowed: status.allowed === true, ...(status.reason ? { reason: status.reason } : {}) };
  } catch (error) {
    throw new Unreadable(statusOf(error) ?? 0, (error as Error).message);
  }
}

async function reviewAll(cluster: string, questions: PostureQuestion[]): Promise<Map<PostureQuestionId, ReviewAnswer>> {
  const answers = new Map<PostureQuestionId, ReviewAnswer>();
  let next = 0;
  await Promise.all(
    Array.from({ length: REVIEW_CONCURRENCY }, async () => {
      while (next < questions.length) {
        const question = questions[next++]!;
        answers.set(question.id, await review(cluster, question.review));
      }
    }),
  );
  return answers;
}

export async function assessCluster(cluster: string, nodes: unknown[], rules: unknown[]): Promise<SecurityReport> {
  const notes: string[] = [];
  // Independent reads go out together: the Reporter security column waits for them.
  const [version, metrics, daemonSets, deployments] = await Promise.all([
    optional(() => get(cluster, '/version')) as Promise<{ gitVersion?: string } | null>,
    optional(() => getText(cluster, '/metrics')),
    optional(() => list(cluster, '/apis/apps/v1/daemonsets')),
    optional(() => list(cluster, '/apis/apps/v1/deployments')),
  ]);
  if (daemonSets === null) notes.push('not allowed to list daemonsets');
  if (deployments === null) notes.push('not allowed to list deployments');
  const support = clusterFindings({
    gitVersion: version?.gitVersion ?? null,
    featureMetric: metrics === null ? null : featureGateFromMetrics(metrics),
  });
  const workloads = [
    ...(daemonSets ?? []).map((item) => ({ kind: 'DaemonSet', ...(item as object) })),
    ...(deployments ?? []).map((item) => ({ kind: 'Deployment', ...(item as object) })),
  ];
  const { reporters } = discoverReporters(workloads, rules);
  const names = sampleNodes(nodes);

  let source: SecuritySource = 'subject-access-reviews';
  let unverifiedReason: string | null = null;
  // Every assessment reads the RBAC objects, as evidence or as the fallback: read them while the reviews are out.
  const rbac = reporters.length > 0 ? readRbac(cluster) : Promise.resolve(null);
  rbac.catch(() => undefined);
  const assessments: ReporterAssessment[] = [];
  for (const reporter of reporters) {
    const questions = postureQuestions(reporter.serviceAccount, names);
    let answers: ReadonlyMap<PostureQuestionId, ReviewAnswer | undefined> = new Map();
    if (source === 'subject-access-reviews') {
      try {
        answers = await reviewAll(cluster, questions);
      } catch (error) {
        if (!(error instanceof Unreadable && (error.status === 401 || error.status === 403))) throw error;
        source = 'rbac-objects';
        notes.push('not allowed to create subjectaccessreviews: results from RBAC objects only');
      }
    }
    if (source === 'rbac-objects') {
      const objects = await rbac;
      if (objects) answers = answerPostureQuestions(questions, rbacAnswerer(objects));
      else {
        source = 'unverified';
        unverifiedReason =
          'you may not create subjectaccessreviews.authorization.k8s.io, nor list clusterroles, clusterrolebindings, roles and rolebindings';
      }
    }
    const objects = source === 'unverified' ? null : await rbac;
    assessments.push(assessReporter(reporter, { answers, ...(objects ? { rbac: objects } : {}), gate: support.gate, nodes: names }));
  }
  return {
    gitVersion: version?.gitVersion ?? null,
    gate: support.gate,
    source,
    unverifiedReason,
    assessments,
    verification: verification({ support, assessments, rules, nodes, notes }),
    notes,
  };
}

type Pending = { report: SecurityReport | null; error: string | null; promise: Promise<void> };
const assessmentsByCluster = new Map<string, Pending>();
const listeners = new Set<() => void>();

function start(cluster: string, nodes: unknown[], rules: unknown[]): Pending {
  const pending: Pending = { report: null, error: null, promise: Promise.resolve() };
  pending.promise = assessCluster(cluster, nodes, rules)
    .then((report) => {
      pending.report = report;
    })
    .catch((error: unknown) => {
      pending.error = `cannot check reporter security: ${(error as Error).message}`;
    })
    .finally(() => listeners.forEach((listener) => listener()));
  assessmentsByCluster.set(cluster, pending);
  return pending;
}

export interface SecurityState {
  report: SecurityReport | null;
  error: string | null;
  loading: boolean;
  recheck: () => void;
}

/** The cluster's shared assessment; started once nodes and rules are known. */
export function useSecurity(cluster: string, nodes: unknown[] | null, rules: unknown[] | null): SecurityState {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((version) => version + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  const ready = nodes !== null && rules !== null;
  useEffect(() => {
    if (ready && !assessmentsByCluster.has(cluster)) start(cluster, nodes, rules);
  }, [cluster, ready, nodes, rules]);
  const recheck = useCallback(() => {
    if (nodes !== null && rules !== null) {
      start(cluster, nodes, rules);
      listeners.forEach((listener) => listener());
    }
  }, [cluster, nodes, rules]);
  const pending = assessmentsByCluster.get(cluster);
  return {
    report: pending?.report ?? null,
    error: pending?.error ?? null,
    loading: !pending || (pending.report === null && pending.error === null),
    recheck,
  };
}
