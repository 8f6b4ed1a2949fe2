// The loop that gathers what reporter security is decided from, once for every
// adapter: the cluster's version and gate, the reporter workloads, one set of
// posture questions per distinct ServiceAccount through a bounded pool of
// SubjectAccessReviews, and the RBAC objects, which back the findings and
// answer the questions when reviews are refused. Rules are not needed until
// the report, so a viewer's requests can go out before the rules arrive.
import { releaseFacts, type ReleaseFacts } from './release.ts';
import { isRefusal, type ClusterReader, type ReadResult, type ReviewAnswer } from '../base/reader.ts';
import { metadataOf } from '../base/read.ts';
import { NODE_POOLS_API_PATH } from '../readiness/configuration.ts';
import type { EvaluationOptions } from '../readiness/evaluate.ts';
import { rbacAnswerer } from '../security/authorizers.ts';
import { featureGateFromMetrics, gateOf, type ClusterFacts, type GateState } from '../nrc/gate.ts';
import { answerPostureQuestions, postureQuestions, type PostureQuestion, type PostureQuestionId } from '../security/posture.ts';
import type { RbacObjects } from '../security/rbac.ts';
import { assessReporter, type ReporterAssessment } from '../security/reporter-findings.ts';
import { discoverReporters, type Reporter } from '../nrc/reporters.ts';
import { verification, type Verification } from './verification.ts';

/** Where the posture answers came from: the apiserver's reviews, the RBAC objects, manifests (no cluster), or nowhere. */
export type SecuritySource = 'reviews' | 'rbac' | 'manifests' | 'unverified';

export const UNVERIFIED_REASON =
  'needs create on subjectaccessreviews.authorization.k8s.io, or list on clusterroles, clusterrolebindings, roles and rolebindings';
export const RBAC_FALLBACK_NOTE = 'not allowed to create subjectaccessreviews: results from RBAC objects only';

/** Reviews in flight at once unless the caller says: enough to overlap the round trips, not a burst at the apiserver. */
export const REVIEW_CONCURRENCY = 6;

export interface SampleNodes {
  ownNode: string;
  otherNode: string;
}

/** Two distinct node names for the posture questions: the reporter's own node and any other. */
export function sampleNodes(nodes: unknown[]): SampleNodes {
  const names = nodes.slice(0, 2).map((node) => metadataOf(node).name);
  return { ownNode: names[0] || 'node-a', otherNode: names[1] || 'another-node' };
}

export interface GatherOptions {
  /**
   * The cluster's nodes; two of their names stand for "its own node" and
   * "another node" in the questions. Without them the first two are read,
   * which are the same two: the apiserver lists in name order.
   */
  nodes?: unknown[];
  /** Which discovered reporters to assess (default: all); may add reporters for ServiceAccounts no workload runs as. */
  select?: (discovered: Reporter[]) => Reporter[];
  concurrency?: number;
  onProgress?: (answered: number, asked: number) => void;
}

export interface SecurityAnswers {
  facts: ClusterFacts;
  gate: GateState;
  /** Offline only: whether the gate was given by --feature-gates or taken as the release's default. */
  assumedGate?: 'flag' | 'default';
  workloads: unknown[];
  /** The Namespaces, for their Pod Security labels; null when refused, and then each is taken at the default level, privileged. */
  namespaces: unknown[] | null;
  /** No list of workloads was refused, and they are the cluster's, not some manifests. */
  workloadsComplete: boolean;
  /** Karpenter's NodePools; null when not served, refused, or not in the manifests. */
  nodePools: unknown[] | null;
  /** The reporters to assess, as found from their workloads before any rule is known. */
  reporters: Reporter[];
  sampleNodes: SampleNodes;
  source: SecuritySource;
  /** Why nothing could be verified, when source is "unverified". */
  unverifiedReason: string | null;
  /** Per ServiceAccount ("namespace/name"): reporters sharing one are asked once. */
  byServiceAccount: Map<string, ReadonlyMap<PostureQuestionId, ReviewAnswer | undefined>>;
  rbac: RbacObjects | null;
  /** One line per read that was refused. */
  notes: string[];
}

export const accountKey = ({ namespace, name }: { namespace: string; name: string }): string => `${namespace}/${name}`;
const reporterKey = (reporter: Reporter) =>
  `${reporter.workload.kind}/${reporter.workload.namespace}/${reporter.workload.name}/${reporter.container}`;

const valueOr = <T>(result: ReadResult<T>, fallback: T): T => (result.ok ? result.value : fallback);

/** /version and /metrics, read together; either may be refused. */
export async function readClusterFacts(reader: ClusterReader): Promise<ClusterFacts> {
  const [version, metrics] = await Promise.all([reader.getJSON('/version'), reader.getText('/metrics')]);
  const gitVersion = (valueOr(version, null) as { gitVersion?: unknown } | null)?.gitVersion;
  return {
    gitVersion: typeof gitVersion === 'string' ? gitVersion : null,
    featureMetric: metrics.ok ? featureGateFromMetrics(metrics.value) : null,
  };
}

/** DaemonSets and Deployments, each tagged with its kind; a refused list becomes a note. */
export async function readWorkloads(reader: ClusterReader): Promise<{ workloads: unknown[]; notes: string[]; complete: boolean }> {
  const kinds = [
    ['DaemonSet', 'daemonsets'],
    ['Deployment', 'deployments'],
  ] as const;
  const lists = await Promise.all(kinds.map(([, plural]) => reader.list(`/apis/apps/v1/${plural}`)));
  const notes: string[] = [];
  const workloads = lists.flatMap((list, index) => {
    const [kind, plural] = kinds[index]!;
    if (list.ok) return list.value.map((item) => ({ kind, ...(item as object) }));
    notes.push(list.status === 404 ? `reporters: ${plural} are not served` : `reporters: not allowed to list ${plural}`);
    return [];
  });
  return { workloads, notes, complete: notes.length === 0 };
}

/** The Namespaces, whose labels set each one's Pod Security level; null when they may not be listed. */
export async function readNamespaces(reader: ClusterReader): Promise<unknown[] | null> {
  const list = await reader.list('/api/v1/namespaces');
  return list.ok ? list.value : null;
}

/** The four RBAC kinds, or null when any of them may not be listed. */
export async function readRbac(reader: ClusterReader): Promise<RbacObjects | null> {
  const kinds = ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'];
  const lists = await Promise.all(kinds.map((kind) => reader.list(`/apis/rbac.authorization.k8s.io/v1/${kind}`)));
  const [clusterRoles, clusterRoleBindings, roles, roleBindings] = lists;
  if (!clusterRoles?.ok || !clusterRoleBindings?.ok || !roles?.ok || !roleBindings?.ok) return null;
  return {
    clusterRoles: clusterRoles.value,
    clusterRoleBindings: clusterRoleBindings.value,
    roles: roles.value,
    roleBindings: roleBindings.value,
  };
}

/** The first two nodes, for an adapter that does not hold the whole list (a table cell shows one row). */
export async function readSampleNodes(reader: ClusterReader): Promise<SampleNodes> {
  const page = await reader.getJSON('/api/v1/nodes?limit=2');
  const list = valueOr(page, null) as { items?: unknown[] } | null;
  return sampleNodes(list?.items ?? []);
}

/**
 * Every question through one pool, so no reporter waits for another's slowest
 * review. The first refusal stops the pool: a viewer refused one review is
 * refused them all.
 */
async function reviewAll(
  reader: ClusterReader,
  questions: PostureQuestion[],
  concurrency: number,
  onProgress: (answered: number, asked: number) => void,
): Promise<Map<PostureQuestion, ReviewAnswer> | null> {
  const answers = new Map<PostureQuestion, ReviewAnswer>();
  let next = 0;
  let refused = false;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, questions.length) }, async () => {
      while (next < questions.length && !refused) {
        const question = questions[next++]!;
        const result = await reader.createSubjectAccessReview(question.review);
        if (!result.ok) {
          if (!isRefusal(result.status)) throw new Error(`SubjectAccessReview: HTTP ${result.status}: ${result.message}`);
          refused = true;
          return;
        }
        answers.set(question, result.value);
        onProgress(answers.size, questions.length);
      }
    }),
  );
  return refused ? null : answers;
}

export async function gatherSecurityAnswers(reader: ClusterReader, options: GatherOptions): Promise<SecurityAnswers> {
  const [nodes, facts, { workloads, notes, complete }, nodePools] = await Promise.all([
    options.nodes ? sampleNodes(options.nodes) : readSampleNodes(reader),
    readClusterFacts(reader),
    readWorkloads(reader),
    reader.list(NODE_POOLS_API_PATH),
  ]);
  // Most clusters have no Karpenter: its absence is not worth a note.
  if (!nodePools.ok && nodePools.status !== 404) notes.push('not allowed to list Karpenter nodepools');
  const discovered = discoverReporters(workloads, []).reporters;
  const reporters = options.select ? options.select(discovered) : discovered;
  const accounts = new Map(reporters.map(({ serviceAccount }) => [accountKey(serviceAccount), serviceAccount]));
  const questionsByAccount = new Map([...accounts].map(([key, account]) => [key, postureQuestions(account, nodes)]));

  // The findings cite bindings from the RBAC objects whichever source answers: read them while the reviews are out.
  const rbacRead = accounts.size > 0 ? readRbac(reader) : Promise.resolve(null);
  rbacRead.catch(() => undefined);
  const namespacesRead = accounts.size > 0 ? readNamespaces(reader) : Promise.resolve(null);
  namespacesRead.catch(() => undefined);
  const reviewed =
    accounts.size > 0
      ? await reviewAll(
          reader,
          [...questionsByAccount.values()].flat(),
          options.concurrency ?? REVIEW_CONCURRENCY,
          options.onProgress ?? (() => {}),
        )
      : new Map<PostureQuestion, ReviewAnswer>();
  const rbac = await rbacRead;
  const namespaces = await namespacesRead;
  if (rbac && namespaces === null) notes.push('not allowed to list namespaces: each is taken at the Pod Security default, privileged');

  let source: SecuritySource = 'reviews';
  if (reviewed === null) {
    source = rbac ? 'rbac' : 'unverified';
    if (rbac) notes.push(RBAC_FALLBACK_NOTE);
  }
  const answerAll = (questions: PostureQuestion[]): ReadonlyMap<PostureQuestionId, ReviewAnswer | undefined> => {
    if (reviewed) return new Map(questions.map((question) => [question.id, reviewed.get(question)]));
    return rbac ? answerPostureQuestions(questions, rbacAnswerer(rbac)) : new Map();
  };
  return {
    facts,
    gate: gateOf(facts),
    workloads,
    namespaces,
    workloadsComplete: complete,
    nodePools: nodePools.ok ? nodePools.value : null,
    reporters,
    sampleNodes: nodes,
    source,
    unverifiedReason: source === 'unverified' ? UNVERIFIED_REASON : null,
    byServiceAccount: new Map([...questionsByAccount].map(([key, questions]) => [key, answerAll(questions)])),
    rbac,
    notes,
  };
}

export interface SecurityReport {
  gitVersion: string | null;
  gate: GateState;
  /** The release facts the verdicts rest on. */
  release: ReleaseFacts;
  source: SecuritySource;
  unverifiedReason: string | null;
  assessments: ReporterAssessment[];
  /** verify's findings; made on first read, since their coverage checks walk every node. */
  readonly verification: Verification;
  notes: string[];
}

/** Each reporter's posture; rules only name what each one feeds, which reporters there are was settled when gathering. */
export function assessReporters(answers: SecurityAnswers, rules: unknown[]): ReporterAssessment[] {
  const labelled = new Map(discoverReporters(answers.workloads, rules).reporters.map((reporter) => [reporterKey(reporter), reporter]));
  return answers.reporters.map((found) => {
    const reporter = labelled.get(reporterKey(found)) ?? found;
    return assessReporter(reporter, {
      answers: answers.byServiceAccount.get(accountKey(reporter.serviceAccount)) ?? new Map(),
      ...(answers.rbac ? { rbac: answers.rbac } : {}),
      gate: answers.gate,
      nodes: answers.sampleNodes,
      workloads: answers.workloads,
      namespaces: answers.namespaces,
    });
  });
}

/** What `kubectl readiness verify` reports, from the gathered answers and the current rules and nodes. */
export function securityReport(
  answers: SecurityAnswers,
  rules: unknown[],
  nodes: unknown[],
  options: EvaluationOptions = {},
  notes: string[] = [],
): SecurityReport {
  const assessments = assessReporters(answers, rules);
  const allNotes = [...notes, ...answers.notes];
  let findings: Verification | null = null;
  return {
    gitVersion: answers.facts.gitVersion,
    gate: answers.gate,
    release: releaseFacts(answers.facts, answers.gate, answers.assumedGate ?? null),
    source: answers.source,
    unverifiedReason: answers.unverifiedReason,
    assessments,
    get verification() {
      findings ??= verification({
        facts: answers.facts,
        assessments,
        rules,
        nodes,
        notes: allNotes,
        options,
        configuration: { rules, workloads: answers.workloads, workloadsComplete: answers.workloadsComplete, nodePools: answers.nodePools },
        ...(answers.rbac
          ? {
              paths: {
                rbac: answers.rbac,
                workloads: answers.workloads,
                gate: answers.gate,
                otherNode: answers.sampleNodes.otherNode,
                namespaces: answers.namespaces,
              },
            }
          : {}),
      });
      return findings;
    },
    notes: allNotes,
  };
}
