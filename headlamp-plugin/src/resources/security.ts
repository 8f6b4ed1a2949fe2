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
import { sameItems } from './readiness';

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

/** A browser opens at most six HTTP/1.1 connections to one host. */
const REVIEW_CONCURRENCY = 6;
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

/**
 * Every reporter's questions share one pool: a round per reporter would wait
 * for each reporter's slowest review in turn. The first refusal stops the
 * pool, since the viewer may then create no reviews at all.
 */
async function reviewAll(cluster: string, questions: PostureQuestion[]): Promise<Map<PostureQuestion, ReviewAnswer>> {
  const answers = new Map<PostureQuestion, ReviewAnswer>();
  let next = 0;
  let refused = false;
  await Promise.all(
    Array.from({ length: REVIEW_CONCURRENCY }, async () => {
      while (next < questions.length && !refused) {
        const question = questions[next++]!;
        try {
          answers.set(question, await review(cluster, question.review));
        } catch (error) {
          refused = true;
          throw error;
        }
      }
    }),
  );
  return answers;
}

/**
 * What the cluster answered, before any rule is known. Reporters are found
 * from their workloads alone, so every request can go out as soon as the node
 * list has arrived, while the rules are still on their way; rules only
 * label the reporters and add coverage findings, in securityReport.
 */
export interface SecurityEvidence {
  gitVersion: string | null;
  support: ReturnType<typeof clusterFindings>;
  workloads: unknown[];
  nodes: ReturnType<typeof sampleNodes>;
  source: SecuritySource;
  unverifiedReason: string | null;
  /** Per ServiceAccount ("namespace/name"): reporters sharing one are asked once. */
  answers: Map<string, ReadonlyMap<PostureQuestionId, ReviewAnswer | undefined>>;
  rbac: RbacObjects | null;
  notes: string[];
}

const accountKey = ({ namespace, name }: { namespace: string; name: string }) => `${namespace}/${name}`;

export async function gatherEvidence(cluster: string, nodes: ReturnType<typeof sampleNodes>): Promise<SecurityEvidence> {
  const notes: string[] = [];
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
  const accounts = new Map(
    discoverReporters(workloads, []).reporters.map(({ serviceAccount }) => [accountKey(serviceAccount), serviceAccount]),
  );

  let source: SecuritySource = 'subject-access-reviews';
  let unverifiedReason: string | null = null;
  // Every assessment reads the RBAC objects, as evidence or as the fallback: read them while the reviews are out.
  const rbac = accounts.size > 0 ? readRbac(cluster) : Promise.resolve(null);
  rbac.catch(() => undefined);
  const questionsByAccount = new Map([...accounts].map(([key, account]) => [key, postureQuestions(account, nodes)]));
  let reviewed = new Map<PostureQuestion, ReviewAnswer>();
  if (accounts.size > 0) {
    try {
      reviewed = await reviewAll(cluster, [...questionsByAccount.values()].flat());
    } catch (error) {
      if (!(error instanceof Unreadable && (error.status === 401 || error.status === 403))) throw error;
      source = 'rbac-objects';
      notes.push('not allowed to create subjectaccessreviews: results from RBAC objects only');
    }
  }
  const objects = await rbac;
  if (source === 'rbac-objects' && !objects) {
    source = 'unverified';
    unverifiedReason =
      'you may not create subjectaccessreviews.authorization.k8s.io, nor list clusterroles, clusterrolebindings, roles and rolebindings';
  }
  const answerAll = (questions: PostureQuestion[]): ReadonlyMap<PostureQuestionId, ReviewAnswer | undefined> => {
    if (source === 'subject-access-reviews') return new Map(questions.map((question) => [question.id, reviewed.get(question)]));
    if (source === 'rbac-objects') return answerPostureQuestions(questions, rbacAnswerer(objects!));
    return new Map();
  };
  return {
    gitVersion: version?.gitVersion ?? null,
    support,
    workloads,
    nodes,
    source,
    unverifiedReason,
    answers: new Map([...questionsByAccount].map(([key, questions]) => [key, answerAll(questions)])),
    rbac: objects,
    notes,
  };
}

/** The report `kubectl readiness verify` would print, from the evidence and the current rules and nodes. */
export function securityReport(evidence: SecurityEvidence, rules: unknown[], nodes: unknown[]): SecurityReport {
  const { reporters } = discoverReporters(evidence.workloads, rules);
  const assessments = reporters.map((reporter) =>
    assessReporter(reporter, {
      answers: evidence.answers.get(accountKey(reporter.serviceAccount)) ?? new Map(),
      ...(evidence.rbac ? { rbac: evidence.rbac } : {}),
      gate: evidence.support.gate,
      nodes: evidence.nodes,
    }),
  );
  // Only the Security view reads the findings, and their coverage checks walk every node: the badges of a
  // 5,000-node table would wait for that walk if it were made here.
  let findings: Verification | null = null;
  return {
    gitVersion: evidence.gitVersion,
    gate: evidence.support.gate,
    source: evidence.source,
    unverifiedReason: evidence.unverifiedReason,
    assessments,
    get verification() {
      findings ??= verification({ support: evidence.support, assessments, rules, nodes, notes: evidence.notes });
      return findings;
    },
    notes: evidence.notes,
  };
}

type Pending = { evidence: SecurityEvidence | null; error: string | null };
const evidenceByCluster = new Map<string, Pending>();
const listeners = new Set<() => void>();

function start(cluster: string, nodes: unknown[]): void {
  const pending: Pending = { evidence: null, error: null };
  evidenceByCluster.set(cluster, pending);
  gatherEvidence(cluster, sampleNodes(nodes))
    .then((evidence) => {
      pending.evidence = evidence;
    })
    .catch((error: unknown) => {
      pending.error = `cannot check reporter security: ${(error as Error).message}`;
    })
    .finally(() => listeners.forEach((listener) => listener()));
}

/**
 * Like the readiness evaluation, one report per cluster is shared by every
 * cell and view. It is made again when the evidence or a rule changes, but
 * not on every node update: a watched 5,000-node list changes many times a
 * minute, posture does not depend on node status, and "Check again" takes
 * the current nodes into account.
 */
interface SharedReport {
  evidence: SecurityEvidence;
  rules: unknown[];
  report: SecurityReport;
}
const reports = new Map<string, SharedReport>();

function sharedReport(cluster: string, evidence: SecurityEvidence, rules: unknown[], nodes: unknown[]): SecurityReport {
  const last = reports.get(cluster);
  if (last && last.evidence === evidence && sameItems(last.rules, rules)) return last.report;
  const report = securityReport(evidence, rules, nodes);
  reports.set(cluster, { evidence, rules, report });
  return report;
}

export interface SecurityState {
  report: SecurityReport | null;
  error: string | null;
  loading: boolean;
  recheck: () => void;
}

/** The cluster's shared assessment: its requests start once the nodes are known, and the report is made once the rules are too. */
export function useSecurity(cluster: string, nodes: unknown[] | null, rules: unknown[] | null): SecurityState {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((version) => version + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  useEffect(() => {
    if (nodes !== null && !evidenceByCluster.has(cluster)) start(cluster, nodes);
  }, [cluster, nodes]);
  const recheck = useCallback(() => {
    if (nodes !== null) {
      start(cluster, nodes);
      listeners.forEach((listener) => listener());
    }
  }, [cluster, nodes]);
  const pending = evidenceByCluster.get(cluster);
  const evidence = pending?.evidence ?? null;
  return {
    report: evidence && rules !== null && nodes !== null ? sharedReport(cluster, evidence, rules, nodes) : null,
    error: pending?.error ?? null,
    loading: !pending?.error && (!evidence || rules === null),
    recheck,
  };
}
