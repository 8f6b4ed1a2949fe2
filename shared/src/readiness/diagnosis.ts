// "Why is this node not ready?" when nothing says why: the reporter that would
// write a condition cannot run on the node the rule holds (a deadlock), its
// pod is missing or broken there, nothing writes the condition at all, or NRC
// itself is not acting. Each cause is a finding; the first by CAUSE_ORDER is
// the node's root cause, which `status NODE` and Headlamp's node section lead with.
import type { Finding } from '../security/findings.ts';
import { remediationFor } from '../security/remediation.ts';
import { discoverReporters, type Reporter } from '../security/reporters.ts';
import { reporterWorkloadKey, type ReporterWrites } from '../security/reporter-writes.ts';
import { asArray, asRecord, asString, imageIs, metadataOf, readNode, templateSpec, type NodeView } from '../read.ts';
import type { NodeReadiness } from './aggregate.ts';
import { readinessEvents } from './describe.ts';
import { describeCondition, formatAge, type ConditionVerdict, type RuleVerdict } from './evaluate.ts';
import { readPodSpec, placePod, tolerationsYaml } from './scheduling.ts';

/** How long the taint may disagree with the conditions before NRC counts as not acting: many reconciles, well past a watch's delay. */
export const DEFAULT_RECONCILE_GRACE_SECONDS = 60;

export interface DiagnosisEvidence {
  /** Raw rules, for generations and NRC's own status. */
  rules: unknown[];
  /** DaemonSets and Deployments, each with its kind; null when they could not be listed. */
  workloads: unknown[] | null;
  /** ConfigMaps, for Node Problem Detector's condition types. */
  configMaps?: unknown[];
  /** Pods bound to this node, and pods not yet bound anywhere; null when they were not read. */
  pods: unknown[] | null;
  /** The node's events; null when they were not read. */
  events: unknown[] | null;
  /** The DaemonSet controller's FailedCreate events in the reporters' namespaces: why a daemon pod is missing. */
  workloadEvents?: unknown[];
  /** Whether the apiserver would take each reporter's writes on this node, for the conditions it has stopped writing. */
  reporterWrites?: ReporterWrites[];
}

export interface DiagnosisOptions {
  now?: number;
  reconcileGraceSeconds?: number;
}

export interface HeldDuration {
  rule: string;
  /** When the taint went on, or the earliest it is known to have been on. */
  since: string;
  seconds: number;
  source: 'taint timeAdded' | 'TaintAdded event' | 'TaintAdopted event';
  /** The taint was already on then (NRC adopted it): held at least this long. */
  atLeast: boolean;
}

export interface NodeDiagnosis {
  node: string;
  /** The finding that explains the node first; null when no rule holds it and NRC agrees. */
  rootCause: Finding | null;
  /** Every finding, root cause first. */
  findings: Finding[];
  /** For each rule that holds the node, since when, when that is known. */
  held: HeldDuration[];
}

/** Which cause explains a node first: NRC not acting beats anything a reporter does, a deadlock beats a broken pod. */
export const CAUSE_ORDER = [
  'controller-not-acting',
  'reporter-deadlock',
  'reporter-excluded',
  'condition-unwritten',
  'reporter-pod-missing',
  'reporter-pod-unhealthy',
  'reporter-write-refused',
  'reporter-stale',
  'reporter-not-writing',
  'condition-not-met',
  'controller-unavailable',
  'rule-not-observed',
  'controller-pending',
] as const;

export type CauseId = (typeof CAUSE_ORDER)[number];

function cause(
  id: CauseId,
  severity: Finding['severity'],
  subject: string,
  title: string,
  evidence: string[],
  remediation: string,
): Finding {
  return { id, severity, title, subject, evidence, remediation };
}

function workloadName(reporter: Reporter): string {
  return `${reporter.workload.kind} ${reporter.workload.namespace}/${reporter.workload.name}`;
}

/** The DaemonSet controller's latest "Error creating: …" for this workload, e.g. an admission policy refusing its pod. */
function newestFailedCreate(events: unknown[], writer: Reporter): string | null {
  const mine = events.map(asRecord).filter((event) => {
    const regarding = asRecord(event['involvedObject']);
    return (
      asString(event['reason']) === 'FailedCreate' &&
      asString(regarding['kind']) === writer.workload.kind &&
      asString(regarding['namespace']) === writer.workload.namespace &&
      asString(regarding['name']) === writer.workload.name
    );
  });
  const when = (event: Record<string, unknown>) =>
    Date.parse(
      asString(event['lastTimestamp']) ?? asString(event['eventTime']) ?? asString(asRecord(event['metadata'])['creationTimestamp']) ?? '',
    ) || 0;
  const newest = mine.sort((a, b) => when(b) - when(a))[0];
  // client-go's event correlator prefixes repeated messages with "(combined from similar events): ".
  return newest ? (asString(newest['message']) ?? '').replace(/^(\(combined from similar events\): )?Error creating: /, '') : null;
}

/**
 * The pod is bound to the node, or is a daemon pod the scheduler has yet to
 * bind there: the DaemonSet controller names its node in a matchFields term.
 */
function podForNode(pod: unknown, node: string): boolean {
  const spec = asRecord(asRecord(pod)['spec']);
  const bound = asString(spec['nodeName']);
  if (bound) return bound === node;
  const terms = asArray(
    asRecord(asRecord(asRecord(spec['affinity'])['nodeAffinity'])['requiredDuringSchedulingIgnoredDuringExecution'])['nodeSelectorTerms'],
  );
  return terms.some((term) =>
    asArray(asRecord(term)['matchFields'])
      .map(asRecord)
      .some((field) => field['key'] === 'metadata.name' && asArray(field['values']).includes(node)),
  );
}

function ownedBy(pod: unknown, reporter: Reporter, node: string): boolean {
  const { namespace } = metadataOf(pod);
  if (namespace !== reporter.workload.namespace || !podForNode(pod, node)) return false;
  return asArray(asRecord(asRecord(pod)['metadata'])['ownerReferences']).some((raw) => {
    const owner = asRecord(raw);
    return owner['kind'] === reporter.workload.kind && owner['name'] === reporter.workload.name;
  });
}

/** Why a pod is not doing its work, or null when it runs and is ready. */
export function podTrouble(pod: unknown): string | null {
  const status = asRecord(asRecord(pod)['status']);
  const phase = asString(status['phase']) ?? 'Unknown';
  const waiting = asArray(status['containerStatuses'])
    .map((raw) => asRecord(raw))
    .map((container) => ({
      name: asString(container['name']) ?? '',
      reason: asString(asRecord(asRecord(container['state'])['waiting'])['reason']),
      restarts: typeof container['restartCount'] === 'number' ? container['restartCount'] : 0,
      ready: container['ready'] === true,
    }));
  const stuck = waiting.find((container) => container.reason !== undefined);
  if (stuck) return `container ${stuck.name} is waiting: ${stuck.reason} (${stuck.restarts} restarts)`;
  if (phase === 'Pending') {
    const scheduled = asArray(status['conditions'])
      .map(asRecord)
      .find((condition) => condition['type'] === 'PodScheduled' && condition['status'] === 'False');
    const why = scheduled ? (asString(scheduled['message']) ?? asString(scheduled['reason'])) : undefined;
    return `Pending${why ? `: ${why}` : ''}`;
  }
  if (phase !== 'Running') return phase;
  const unready = waiting.find((container) => !container.ready);
  return unready ? `container ${unready.name} is not ready (${unready.restarts} restarts)` : null;
}

/** Its reporter has not written it, or has stopped heartbeating it: whether the apiserver takes the reporter's writes matters. */
export function isSilent(condition: ConditionVerdict): boolean {
  return condition.observedStatus === null || condition.stale;
}

/** Causes for one unmet condition of a held rule, from its writers' placement, pods and heartbeat. */
function conditionCauses(
  node: NodeView,
  verdict: RuleVerdict,
  condition: ConditionVerdict,
  writers: Reporter[],
  workloads: Map<string, unknown>,
  evidence: DiagnosisEvidence,
  unresolved: Reporter[],
): Finding[] {
  const subject = `node ${node.name}`;
  const type = condition.type;
  const said = describeCondition(condition);
  if (writers.length === 0) {
    if (evidence.workloads === null)
      return [
        cause(
          'condition-unwritten',
          'warn',
          subject,
          `${type} is not met and its writer is unknown: DaemonSets and Deployments could not be listed`,
          [said],
          'Grant list on daemonsets and deployments to see which workload reports it.',
        ),
      ];
    const unsure = unresolved.map((reporter) => `${workloadName(reporter)}: ${reporter.unresolved}`);
    return [
      cause(
        'condition-unwritten',
        unsure.length > 0 ? 'warn' : 'fail',
        subject,
        `no workload writes ${type}, so ${verdict.rule} holds ${node.name} until something does`,
        [said, ...unsure.map((line) => `could not read what this writes: ${line}`)],
        `Deploy a reporter for ${type} (NRC's readiness-condition-reporter with CONDITION_TYPE=${type}, or a Node Problem Detector config) that tolerates ${verdict.taint.key}:${verdict.taint.effect}, or fix the rule's condition type.`,
      ),
    ];
  }
  const placed = writers.map((writer) => {
    const raw = workloads.get(reporterWorkloadKey(writer));
    const isDaemonSet = writer.workload.kind === 'DaemonSet';
    const template = templateSpec(raw);
    return { writer, placement: isDaemonSet ? placePod(readPodSpec(template, true), node) : null };
  });
  const runnable = placed.filter(({ placement }) => placement === null || placement.fits);
  if (runnable.length === 0) {
    return placed.map(({ writer, placement }) => {
      if (placement!.untoleratedTaints.length > 0) {
        const taints = placement!.untoleratedTaints.map((taint) => `${taint.key}:${taint.effect}`).join(', ');
        return cause(
          'reporter-deadlock',
          'fail',
          subject,
          `deadlock: the ${writer.workload.name} DaemonSet does not tolerate ${taints}, so nothing on ${node.name} can report ${type}`,
          [`${workloadName(writer)} writes ${type}`, said],
          `Add to ${workloadName(writer)}'s pod template:\n${tolerationsYaml(placement!.untoleratedTaints)}`,
        );
      }
      return cause(
        'reporter-excluded',
        'fail',
        subject,
        `deadlock: the ${writer.workload.name} DaemonSet's ${placement!.selectorMismatch}, so nothing on ${node.name} can report ${type}`,
        [`${workloadName(writer)} writes ${type}`, said],
        `Widen ${workloadName(writer)}'s nodeSelector or node affinity to cover the nodes ${verdict.rule} selects, or narrow the rule's nodeSelector.`,
      );
    });
  }
  const causes: Finding[] = [];
  if (evidence.pods !== null) {
    const daemonSets = runnable.filter(({ writer }) => writer.workload.kind === 'DaemonSet').map(({ writer }) => writer);
    const pods = daemonSets.map((writer) => ({ writer, pod: evidence.pods!.find((pod) => ownedBy(pod, writer, node.name)) }));
    const healthy = pods.some(({ pod }) => pod !== undefined && podTrouble(pod) === null);
    if (daemonSets.length > 0 && !healthy && runnable.length === daemonSets.length) {
      for (const { writer, pod } of pods) {
        if (pod === undefined) {
          const refused = newestFailedCreate(evidence.workloadEvents ?? [], writer);
          causes.push(
            cause(
              'reporter-pod-missing',
              'fail',
              subject,
              refused
                ? `the ${writer.workload.name} DaemonSet cannot create its pod on ${node.name}, so ${type} is not reported: ${refused}`
                : `the ${writer.workload.name} DaemonSet should run a pod on ${node.name} but none is there, so ${type} is not reported`,
              [`${workloadName(writer)} writes ${type}; its pod template fits the node`, said],
              refused
                ? `Change ${workloadName(writer)}'s pod template, or the policy the message names, so the pod is admitted; the DaemonSet controller then creates it (kubectl -n ${writer.workload.namespace} describe daemonset ${writer.workload.name} lists each refusal).`
                : `Check ${workloadName(writer)}'s status and events (kubectl -n ${writer.workload.namespace} describe daemonset ${writer.workload.name}).`,
            ),
          );
        } else {
          const trouble = podTrouble(pod)!;
          causes.push(
            cause(
              'reporter-pod-unhealthy',
              'fail',
              subject,
              `the ${writer.workload.name} pod on ${node.name} is not running: ${trouble}`,
              [`pod ${metadataOf(pod).namespace}/${metadataOf(pod).name}`, said],
              `kubectl -n ${metadataOf(pod).namespace} describe pod ${metadataOf(pod).name}`,
            ),
          );
        }
      }
      return causes;
    }
  }
  const writerNames = runnable.map(({ writer }) => workloadName(writer)).join(', ');
  if (!isSilent(condition))
    return [cause('condition-not-met', 'info', subject, `${verdict.rule} holds ${node.name}: ${said}`, [`written by ${writerNames}`], '')];
  const silence = condition.stale ? `has not been written for ${formatAge(condition.heartbeatAgeSeconds ?? 0)}` : 'is missing';
  const writes = runnable.map(({ writer }) => ({
    writer,
    writes: evidence.reporterWrites?.find((check) => check.workload === reporterWorkloadKey(writer) && check.node === node.name),
  }));
  if (writes.every(({ writes }) => writes?.allowed === false)) {
    return writes.map(({ writer, writes }) =>
      cause(
        'reporter-write-refused',
        'fail',
        subject,
        `${type} ${silence}: the apiserver refuses the ${writer.workload.name} reporter's writes on ${node.name}: ${writes!.explanation}`,
        [said, ...decisiveSteps(writes!)],
        writeRemedy(writer, writes!),
      ),
    );
  }
  if (condition.stale) {
    return [
      cause(
        'reporter-stale',
        'warn',
        subject,
        `${type} ${silence}: its reporter stopped`,
        [said, `written by ${writerNames}`],
        `Check the logs of ${writerNames}'s pod on ${node.name}.`,
      ),
    ];
  }
  const allowed = writes.every(({ writes }) => writes?.allowed === true);
  const pods = writes.flatMap(({ writer }) => evidence.pods?.filter((pod) => ownedBy(pod, writer, node.name)) ?? []);
  return [
    cause(
      'reporter-not-writing',
      'warn',
      subject,
      allowed
        ? `${type} is missing although ${writerNames} can run on ${node.name} and the apiserver would take its writes`
        : `${type} is missing although ${writerNames} can run on ${node.name}: its writes may be refused`,
      [said, ...writes.flatMap(({ writes }) => (writes ? [writes.explanation] : []))],
      allowed
        ? `Read its pod's logs${pods.map((pod) => ` (kubectl -n ${metadataOf(pod).namespace} logs ${metadataOf(pod).name})`).join('')}: it runs, may write, and does not.`
        : 'Run kubectl readiness verify to check what its ServiceAccount may write, and read its pod logs.',
    ),
  ];
}

/** The reviews that decided a refused write, as evidence. */
function decisiveSteps(writes: ReporterWrites): string[] {
  const refused = writes.verdicts.find(({ verdict }) => verdict.allowed === false);
  return (refused?.verdict.steps ?? [])
    .filter((step) => step.decisive && step.answer)
    .map(
      (step) => `${step.summary}: ${step.answer!.allowed ? 'allowed' : 'denied'}${step.answer!.reason ? ` (${step.answer!.reason})` : ''}`,
    );
}

/** Its own node only: the hardened RBAC, and IMPERSONATE_NODE when it acts as itself; without the gate, the broad grant is all there is. */
function writeRemedy(writer: Reporter, writes: ReporterWrites): string {
  const { namespace, name } = writer.serviceAccount;
  if (writes.gate === 'disabled')
    return `The ConstrainedImpersonation gate is off, so ServiceAccount ${namespace}/${name} can only be granted get on nodes and update on nodes/status for every node; turn the gate on (the default from Kubernetes 1.36) to limit it to its own node.`;
  const fix = remediationFor(writer);
  return [
    `Grant ServiceAccount ${namespace}/${name} its own node only (kubectl apply -f):`,
    fix.rbacYaml.trimEnd(),
    ...(writer.impersonatesNode
      ? []
      : [`Then make it act as its node (${fix.patchCommand}) with reporter-env-patch.yaml:`, fix.workloadPatchYaml.trimEnd()]),
  ].join('\n');
}

function ruleGeneration(rule: unknown): { generation: number | null; observed: number | null } {
  const metadata = asRecord(asRecord(rule)['metadata']);
  const status = asRecord(asRecord(rule)['status']);
  return {
    generation: typeof metadata['generation'] === 'number' ? metadata['generation'] : null,
    observed: typeof status['observedGeneration'] === 'number' ? status['observedGeneration'] : null,
  };
}

/** NRC's controller Deployment: the image named node-readiness-controller (its reporter's image is node-readiness-reporter). */
export function isControllerWorkload(workload: unknown): boolean {
  return (
    asRecord(workload)['kind'] === 'Deployment' &&
    asArray(templateSpec(workload)['containers']).some((container) =>
      imageIs(asString(asRecord(container)['image']) ?? '', 'node-readiness-controller'),
    )
  );
}

/** NRC's Deployments that have no available replica. */
export function unavailableControllers(workloads: unknown[]): string[] {
  return workloads.filter(isControllerWorkload).flatMap((deployment) => {
    const available = asRecord(asRecord(deployment)['status'])['availableReplicas'];
    const { namespace, name } = metadataOf(deployment);
    return typeof available === 'number' && available > 0 ? [] : [`Deployment ${namespace}/${name} has no available replica`];
  });
}

/** Rules whose latest spec NRC has not processed yet. */
export function unobservedRules(rules: unknown[]): { rule: string; generation: number; observed: number | null }[] {
  return rules.flatMap((rule) => {
    const { generation, observed } = ruleGeneration(rule);
    return generation !== null && (observed === null || observed < generation)
      ? [{ rule: metadataOf(rule).name, generation, observed }]
      : [];
  });
}

/** Since when the rule's conditions have said what they say now: the latest transition among them. */
function settledSince(verdict: RuleVerdict): number | null {
  const times = verdict.conditions.map((condition) => Date.parse(condition.lastTransitionTime ?? '')).filter((time) => !Number.isNaN(time));
  return times.length > 0 ? Math.max(...times) : null;
}

function controllerCauses(node: NodeView, readiness: NodeReadiness, evidence: DiagnosisEvidence, now: number, grace: number): Finding[] {
  const subject = `node ${node.name}`;
  const down = evidence.workloads === null ? [] : unavailableControllers(evidence.workloads);
  const unobserved = unobservedRules(evidence.rules);
  const findings: Finding[] = [];
  for (const verdict of readiness.verdicts) {
    if (verdict.dryRun || (verdict.state !== 'releasing' && verdict.state !== 'unguarded')) continue;
    const since = settledSince(verdict);
    const waited = since === null ? null : Math.max(0, Math.round((now - since) / 1000));
    const action = verdict.state === 'releasing' ? 'remove' : 'add';
    const taint = `${verdict.taint.key}:${verdict.taint.effect}`;
    const evidenceLines = [
      verdict.reason,
      ...(waited === null ? [] : [`the conditions have said so for ${formatAge(waited)}`]),
      ...down,
      ...unobserved
        .filter((entry) => entry.rule === verdict.rule)
        .map((entry) => `rule generation ${entry.generation}, NRC observed ${entry.observed ?? 'none'}`),
    ];
    if (waited !== null && waited <= grace) {
      findings.push(
        cause(
          'controller-pending',
          'info',
          subject,
          `NRC has yet to ${action} ${taint} (${formatAge(waited)} since the conditions changed)`,
          evidenceLines,
          '',
        ),
      );
    } else {
      findings.push(
        cause(
          'controller-not-acting',
          'fail',
          subject,
          `the controller is not acting: ${verdict.rule}'s conditions are ${verdict.conditionsMet ? 'met' : 'not met'}${waited === null ? '' : ` for ${formatAge(waited)}`} but ${taint} is ${verdict.state === 'releasing' ? 'still on' : 'missing'}`,
          evidenceLines,
          down.length > 0
            ? "Bring NRC's controller Deployment back (kubectl describe deployment; check its pods and events)."
            : "Check NRC's controller: its pod, logs and leader election (it may be running without a lease, or crash-looping).",
        ),
      );
    }
  }
  for (const line of down)
    findings.push(
      cause(
        'controller-unavailable',
        'fail',
        subject,
        `NRC's controller is not running: ${line}`,
        [],
        "Check the Deployment's pods and events.",
      ),
    );
  for (const entry of unobserved.filter((item) => readiness.verdicts.some((verdict) => verdict.rule === item.rule)))
    findings.push(
      cause(
        'rule-not-observed',
        'warn',
        subject,
        `NRC has not processed rule ${entry.rule}'s latest spec (generation ${entry.generation}, observed ${entry.observed ?? 'none'})`,
        [],
        'A lagging observedGeneration means the controller is down or failing on this rule: check its logs.',
      ),
    );
  return findings;
}

/** The newest taint event NRC recorded for this rule on the node, or the taint's own timeAdded. */
function heldDuration(node: NodeView, verdict: RuleVerdict, events: unknown[] | null, now: number): HeldDuration | null {
  const taint = node.taints.find((candidate) => candidate.key === verdict.taint.key && candidate.effect === verdict.taint.effect);
  const at = (since: number, source: HeldDuration['source'], atLeast: boolean): HeldDuration => ({
    rule: verdict.rule,
    since: new Date(since).toISOString(),
    seconds: Math.max(0, Math.round((now - since) / 1000)),
    source,
    atLeast,
  });
  const added = Date.parse(taint?.timeAdded ?? '');
  if (!Number.isNaN(added)) return at(added, 'taint timeAdded', false);
  // NRC's messages name the rule: "Taint '…' added by rule 'x'", "… is now managed by rule 'x'".
  const mine = readinessEvents(events ?? [], now).filter(
    (event) => event.ageSeconds !== null && event.message.includes(`rule '${verdict.rule}'`),
  );
  // NRC adopts the taint it has just added, and adopts it again whenever rules change: the hold began
  // with the oldest event since the taint last came off, exactly if that one added it.
  const removal = mine.findIndex((event) => event.reason === 'TaintRemoved');
  const sinceRemoval = removal === -1 ? mine : mine.slice(0, removal);
  const start = sinceRemoval.findLast((event) => event.reason === 'TaintAdded') ?? sinceRemoval.at(-1);
  if (!start) return null;
  const exact = start.reason === 'TaintAdded';
  return at(now - start.ageSeconds! * 1000, exact ? 'TaintAdded event' : 'TaintAdopted event', !exact);
}

/** "3h", "at least 20m", or "" when unknown. */
export function formatHeld(held: HeldDuration | null): string {
  return held ? `${held.atLeast ? 'at least ' : ''}${formatAge(held.seconds)}` : '';
}

/** Since when each rule that holds the node has held it, where the taint or NRC's events tell. */
export function heldDurations(node: NodeView, readiness: NodeReadiness, events: unknown[] | null, now = Date.now()): HeldDuration[] {
  return readiness.verdicts
    .filter((verdict) => verdict.state === 'held')
    .map((verdict) => heldDuration(node, verdict, events, now))
    .filter((held): held is HeldDuration => held !== null);
}

/** NRC's taint events grouped by the node they are about, so each node's hold is found without a scan of them all. */
export function taintEventsByNode(events: unknown[]): Map<string, unknown[]> {
  const byNode = new Map<string, unknown[]>();
  for (const event of events) {
    const name = asString(asRecord(asRecord(event)['involvedObject'])['name']) ?? '';
    const list = byNode.get(name) ?? [];
    list.push(event);
    byNode.set(name, list);
  }
  return byNode;
}

/** Held durations of every node that is not schedulable, from one cluster-wide list of NRC's taint events (null: not readable). */
export function heldByNode(
  rawNodes: unknown[],
  readiness: NodeReadiness[],
  events: unknown[] | null,
  now = Date.now(),
): Map<string, HeldDuration[]> {
  const byName = new Map(rawNodes.map((raw) => [metadataOf(raw).name, raw]));
  const eventsByNode = events === null ? null : taintEventsByNode(events);
  return new Map(
    readiness
      .filter((node) => !node.schedulable)
      .map((node) => [
        node.node,
        heldDurations(readNode(byName.get(node.node)), node, eventsByNode?.get(node.node) ?? (eventsByNode ? [] : null), now),
      ]),
  );
}

/** The longest hold, for a table cell: "3h", "at least 20m", or "" when unknown. */
export function longestHeld(held: HeldDuration[]): string {
  const longest = [...held].sort((a, b) => b.seconds - a.seconds)[0];
  return formatHeld(longest ?? null);
}

/** Every cause we can see for one node, root cause first. */
export function diagnoseNode(
  node: NodeView,
  readiness: NodeReadiness,
  evidence: DiagnosisEvidence,
  options: DiagnosisOptions = {},
): NodeDiagnosis {
  const now = options.now ?? Date.now();
  const grace = options.reconcileGraceSeconds ?? DEFAULT_RECONCILE_GRACE_SECONDS;
  const discovery = discoverReporters(evidence.workloads ?? [], evidence.rules, evidence.configMaps ?? []);
  const workloads = new Map(
    (evidence.workloads ?? []).map((raw) => {
      const { namespace, name } = metadataOf(raw);
      return [`${asString(asRecord(raw)['kind']) ?? ''}/${namespace}/${name}`, raw] as const;
    }),
  );
  const unresolved = discovery.reporters.filter((reporter) => reporter.unresolved !== null);
  const findings: Finding[] = controllerCauses(node, readiness, evidence, now, grace);
  const seen = new Set<string>();
  for (const verdict of readiness.verdicts.filter((candidate) => candidate.state === 'held')) {
    for (const condition of verdict.conditions.filter((candidate) => !candidate.satisfied)) {
      if (seen.has(condition.type)) continue;
      seen.add(condition.type);
      const writers = discovery.reporters.filter((reporter) => reporter.conditionTypes.includes(condition.type));
      findings.push(...conditionCauses(node, verdict, condition, writers, workloads, evidence, unresolved));
    }
  }
  const ordered = [...findings].sort((a, b) => CAUSE_ORDER.indexOf(a.id as CauseId) - CAUSE_ORDER.indexOf(b.id as CauseId));
  const rootCause = ordered.find((finding) => finding.severity !== 'pass') ?? null;
  return { node: node.name, rootCause, findings: ordered, held: heldDurations(node, readiness, evidence.events, now) };
}

/** "held for 3h: deadlock, ..." : the line `status NODE` and Headlamp's node section lead with. */
export function rootCauseLine(diagnosis: NodeDiagnosis): string | null {
  if (!diagnosis.rootCause) return null;
  const held = longestHeld(diagnosis.held);
  return `${held ? `held for ${held}: ` : ''}${diagnosis.rootCause.title}`;
}

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
