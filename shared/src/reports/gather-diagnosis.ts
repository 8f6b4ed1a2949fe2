// What the hard cases of "why is this node not ready?" are decided from,
// read once for both adapters: the reporter workloads (and Node Problem
// Detector's ConfigMaps), the pods bound to the node, its events, the
// DaemonSet controller's FailedCreate events, Karpenter's NodePools, and
// SubjectAccessReviews of the writes of each reporter whose condition the node
// is missing. Each read degrades to a note when refused.
import type { ClusterReader, ReviewAnswer } from '../base/reader.ts';
import { gateOf } from '../nrc/gate.ts';
import { readClusterFacts, readWorkloads } from './gather.ts';
import { decideReporterWrites, planReporterWrites, reporterRequests, type ReporterWrites } from '../security/reporter-writes.ts';
import { discoverReporters, type Reporter } from '../nrc/reporters.ts';
import type { ChainQuestion } from '../security/chain.ts';
import type { NodeReadiness } from '../readiness/aggregate.ts';
import type { DiagnosisOptions, NodeDiagnosis } from '../readiness/diagnosis/causes.ts';
import { isSilent } from '../readiness/diagnosis/condition-writers.ts';
import { diagnoseNode, type DiagnosisEvidence } from './node-diagnosis.ts';
import { readNode } from '../base/read.ts';

async function optional(reader: ClusterReader, path: string, what: string, notes: string[]): Promise<unknown[] | null> {
  const listed = await reader.list(path);
  if (listed.ok) return listed.value;
  notes.push(listed.status === 404 ? `${what} are not served` : `not allowed to list ${what}`);
  return null;
}

/** ConfigMaps of the namespaces Node Problem Detector runs in: its monitor configs name the conditions it writes. */
async function npdConfigMaps(reader: ClusterReader, workloads: unknown[], notes: string[]): Promise<unknown[]> {
  const namespaces = new Set(
    discoverReporters(workloads, [])
      .reporters.filter((reporter) => reporter.kind === 'node-problem-detector')
      .map((reporter) => reporter.workload.namespace),
  );
  const lists = await Promise.all(
    [...namespaces].map((namespace) => optional(reader, `/api/v1/namespaces/${namespace}/configmaps`, `configmaps in ${namespace}`, notes)),
  );
  return lists.flatMap((list) => list ?? []);
}

/** The DaemonSet controller's FailedCreate events in the namespaces of the rules' reporter DaemonSets. */
async function failedCreates(reader: ClusterReader, workloads: unknown[], rules: unknown[], notes: string[]): Promise<unknown[]> {
  const namespaces = new Set(
    discoverReporters(workloads, rules)
      .reporters.filter((reporter) => reporter.workload.kind === 'DaemonSet' && reporter.feedsRules.length > 0)
      .map((reporter) => reporter.workload.namespace),
  );
  const failed = encodeURIComponent('involvedObject.kind=DaemonSet,reason=FailedCreate');
  const lists = await Promise.all(
    [...namespaces].map((namespace) =>
      optional(reader, `/api/v1/namespaces/${namespace}/events?fieldSelector=${failed}`, `events in ${namespace}`, notes),
    ),
  );
  return lists.flatMap((list) => list ?? []);
}

/**
 * Whether the apiserver would take the writes of each reporter of a condition
 * the node is missing or no longer heartbeats: NRC's reporter's two requests,
 * each through the decision chain, asked with SubjectAccessReviews.
 */
async function reporterWrites(
  reader: ClusterReader,
  readiness: NodeReadiness,
  reporters: Reporter[],
  notes: string[],
): Promise<ReporterWrites[]> {
  const silent = new Set(
    readiness.verdicts
      .filter((verdict) => verdict.state === 'held')
      .flatMap((verdict) => verdict.conditions)
      .filter((condition) => !condition.satisfied && isSilent(condition))
      .map((condition) => condition.type),
  );
  const writers = reporters.filter(
    (reporter) => reporterRequests(reporter, readiness.node) !== null && reporter.conditionTypes.some((type) => silent.has(type)),
  );
  if (writers.length === 0) return [];
  // The gate decides which impersonation modes exist, and so which fix can limit a reporter to its own node.
  const gate = gateOf(await readClusterFacts(reader));
  let refused = false;
  const checks = await Promise.all(
    writers.map(async (writer) => {
      const plans = planReporterWrites(writer, readiness.node, gate);
      const answers = new Map<ChainQuestion, ReviewAnswer>();
      await Promise.all(
        plans
          .flatMap((plan) => plan.questions)
          .map(async (question) => {
            const result = await reader.createSubjectAccessReview(question.review);
            if (result.ok) answers.set(question, result.value);
            else refused = true;
          }),
      );
      return decideReporterWrites(writer, plans, (question) => answers.get(question));
    }),
  );
  if (refused) notes.push("not allowed to create subjectaccessreviews: the reporters' writes are not checked");
  return checks;
}

/** Everything diagnoseNode needs about one node beyond the node and the rules. */
export async function gatherNodeDiagnosis(
  reader: ClusterReader,
  readiness: NodeReadiness,
  rules: unknown[],
): Promise<{ evidence: DiagnosisEvidence; notes: string[] }> {
  const node = readiness.node;
  const notes: string[] = [];
  const onNode = encodeURIComponent(`spec.nodeName=${node}`);
  const aboutNode = encodeURIComponent(`involvedObject.kind=Node,involvedObject.name=${node}`);
  // A daemon pod the scheduler cannot place has no nodeName yet: the unbound pods are read too.
  const podNotes: string[] = [];
  const eventNotes: string[] = [];
  const [read, bound, unbound, events] = await Promise.all([
    readWorkloads(reader),
    optional(reader, `/api/v1/pods?fieldSelector=${onNode}`, 'pods', podNotes),
    optional(reader, `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName=')}`, 'pods', podNotes),
    optional(reader, `/api/v1/events?fieldSelector=${aboutNode}`, 'events', eventNotes),
  ]);
  // In a fixed order, each prefixed with what it is about, as the other reads' notes are.
  notes.push(...read.notes, ...[...new Set(podNotes)].map((note) => `pods: ${note}`), ...eventNotes.map((note) => `events: ${note}`));
  const [configMaps, workloadEvents] = await Promise.all([
    npdConfigMaps(reader, read.workloads, notes),
    failedCreates(reader, read.workloads, rules, notes),
  ]);
  const writes = await reporterWrites(reader, readiness, discoverReporters(read.workloads, rules, configMaps).reporters, notes);
  const pods = bound && unbound ? [...bound, ...unbound] : null;
  return {
    evidence: {
      rules,
      workloads: read.complete ? read.workloads : null,
      configMaps,
      pods,
      events,
      workloadEvents,
      reporterWrites: writes,
    },
    notes,
  };
}

/** One node diagnosed from the cluster: what both adapters show for a node's page. */
export async function diagnoseNodeInCluster(
  reader: ClusterReader,
  node: unknown,
  readiness: NodeReadiness,
  rules: unknown[],
  options: DiagnosisOptions = {},
): Promise<{ diagnosis: NodeDiagnosis; evidence: DiagnosisEvidence; notes: string[] }> {
  const { evidence, notes } = await gatherNodeDiagnosis(reader, readiness, rules);
  return { diagnosis: diagnoseNode(readNode(node), readiness, evidence, options), evidence, notes };
}

/** The name NRC's controller records its events under (mgr.GetEventRecorder in its rule controller). */
export const NRC_EVENT_SOURCE = 'node-readiness-controller';
/** About 4 MB of JSON a page. */
const EVENT_PAGE_SIZE = 5000;

/**
 * NRC's events on every node, for how long each node has been held. One list,
 * selected by NRC's reporting component: the apiserver filters events by
 * scanning them all, so one selector costs a third of one per taint reason,
 * and kubelets' node events never leave the server.
 */
export async function gatherTaintEvents(reader: ClusterReader): Promise<{ events: unknown[] | null; notes: string[] }> {
  const notes: string[] = [];
  const selector = encodeURIComponent(`involvedObject.kind=Node,reportingComponent=${NRC_EVENT_SOURCE}`);
  // Events are small and never in the apiserver's watch cache: each page is a read from etcd, so fewer, larger pages cost less.
  const events = await optional(reader, `/api/v1/events?fieldSelector=${selector}&limit=${EVENT_PAGE_SIZE}`, 'events', notes);
  return { events, notes };
}
