// Configuration faults that hold nodes forever or fight NRC, found from the
// objects alone: a reporter DaemonSet that cannot run where its rule's taint
// is, a condition nothing writes, NRC's controller not running or behind on a
// rule, and autoscalers that do not know a readiness taint is a startup taint.
import type { Finding } from '../nrc/findings.ts';
import { discoverReporters } from '../nrc/reporters.ts';
import { asArray, asRecord, asString, asStringMap, imageIs, metadataOf, templateSpec } from '../base/read.ts';
import { unavailableControllers, unobservedRules } from './diagnosis/controller.ts';
import { readRule, type RuleView } from '../nrc/rule.ts';
import { readPodSpec, toleratesTaint, tolerationsYaml } from './scheduling.ts';
import { matchSelector } from '../nrc/selector.ts';

export interface ConfigurationEvidence {
  rules: unknown[];
  /** DaemonSets and Deployments, each with its kind. */
  workloads: unknown[];
  /** Every workload of the cluster is among them: none was refused, and they are not just the manifests at hand. */
  workloadsComplete: boolean;
  configMaps?: unknown[];
  /** Karpenter NodePools (karpenter.sh/v1); null when not served or not readable. */
  nodePools: unknown[] | null;
}

/** Cluster Autoscaler's reserved key prefixes: a taint under them is a startup taint without any flag. */
export const NODE_POOLS_API_PATH = '/apis/karpenter.sh/v1/nodepools';

export const CA_STARTUP_TAINT_PREFIXES = [
  'startup-taint.cluster-autoscaler.kubernetes.io/',
  'ignore-taint.cluster-autoscaler.kubernetes.io/',
];

const KEEPS_PODS_OFF = new Set(['NoSchedule', 'NoExecute']);

/** A rule whose taint can hold a node: not dry-run (NRC adds no taint) and with an effect that keeps pods off. */
function holdingRules(rules: unknown[]): RuleView[] {
  return rules.map(readRule).filter((rule) => !rule.dryRun && KEEPS_PODS_OFF.has(rule.taint.effect));
}

/** Conditions a node cannot pass without a reporter: no defaultStatus that already meets the requirement. */
function neededConditions(rule: RuleView): string[] {
  return rule.conditions.filter((condition) => condition.defaultStatus !== condition.requiredStatus).map((condition) => condition.type);
}

function deadlockFindings(evidence: ConfigurationEvidence): Finding[] {
  const discovery = discoverReporters(evidence.workloads, evidence.rules, evidence.configMaps ?? []);
  const unsure = discovery.reporters.filter((reporter) => reporter.unresolved !== null);
  const findings: Finding[] = [];
  for (const rule of holdingRules(evidence.rules)) {
    const taint = `${rule.taint.key}:${rule.taint.effect}`;
    for (const type of neededConditions(rule)) {
      const writers = discovery.reporters.filter((reporter) => reporter.conditionTypes.includes(type));
      if (writers.length === 0) {
        findings.push({
          id: 'condition-unwritten',
          // Offline, the manifests are what would be applied: judged as the cluster would judge them once applied.
          severity: unsure.length > 0 ? 'warn' : 'fail',
          title: `No workload writes ${type}: rule ${rule.name} holds every node it selects until something does`,
          subject: `rule ${rule.name}`,
          evidence: [
            ...(evidence.workloadsComplete ? [] : ['not every workload of the cluster was seen: a reporter outside them may write it']),
            ...unsure.map(
              (reporter) =>
                `could not read what ${reporter.workload.kind} ${reporter.workload.namespace}/${reporter.workload.name} writes: ${reporter.unresolved}`,
            ),
          ],
          remediation: `Deploy a reporter for ${type} that tolerates ${taint}, or fix the rule's condition type.`,
        });
        continue;
      }
      for (const writer of writers.filter((candidate) => candidate.workload.kind === 'DaemonSet')) {
        const raw = evidence.workloads.find(
          (workload) =>
            asRecord(workload)['kind'] === 'DaemonSet' &&
            metadataOf(workload).namespace === writer.workload.namespace &&
            metadataOf(workload).name === writer.workload.name,
        );
        const spec = readPodSpec(templateSpec(raw), true);
        const tolerated = spec.tolerations.some((toleration) =>
          toleratesTaint(toleration, { key: rule.taint.key, effect: rule.taint.effect, value: rule.taint.value ?? '' }),
        );
        const name = `DaemonSet ${writer.workload.namespace}/${writer.workload.name}`;
        findings.push(
          tolerated
            ? {
                id: 'reporter-deadlock',
                severity: 'pass',
                title: `${name} tolerates ${taint}: it can report ${type} on the nodes rule ${rule.name} holds`,
                subject: `rule ${rule.name}`,
                evidence: [],
                remediation: '',
              }
            : {
                id: 'reporter-deadlock',
                severity: 'fail',
                title: `Deadlock: ${name} does not tolerate ${taint}, so no node rule ${rule.name} holds can report ${type}`,
                subject: `rule ${rule.name}`,
                evidence: [
                  `${name} writes ${type}`,
                  `rule ${rule.name} puts ${taint} on each node until ${type} is ${rule.conditions.find((condition) => condition.type === type)?.requiredStatus}`,
                ],
                remediation: `Add to ${name}'s pod template:\n${tolerationsYaml([rule.taint])}`,
              },
        );
      }
    }
  }
  return findings;
}

function controllerFindings(evidence: ConfigurationEvidence): Finding[] {
  const findings: Finding[] = unavailableControllers(evidence.workloads).map((line) => ({
    id: 'controller-unavailable',
    severity: 'fail' as const,
    title: `NRC's controller is not running: ${line}`,
    subject: 'cluster',
    evidence: [],
    remediation: "Check the Deployment's pods and events: while it is down no readiness taint is added or removed.",
  }));
  for (const entry of unobservedRules(evidence.rules)) {
    findings.push({
      id: 'rule-not-observed',
      severity: 'warn',
      title: `NRC has not processed rule ${entry.rule}'s latest spec (generation ${entry.generation}, observed ${entry.observed ?? 'none'})`,
      subject: `rule ${entry.rule}`,
      evidence: [],
      remediation: 'A lagging observedGeneration means the controller is down or failing on this rule: check its logs.',
    });
  }
  return findings;
}

interface AutoscalerFlags {
  startupTaints: string[];
  statusTaints: string[];
  startupPrefixes: string[];
}

/** The flag values of Cluster Autoscaler's command line, in either "--flag=value" or "--flag value" form. */
function flagValues(words: string[], flag: string): string[] {
  const values: string[] = [];
  words.forEach((word, index) => {
    if (word.startsWith(`--${flag}=`)) values.push(word.slice(flag.length + 3));
    else if (word === `--${flag}` && words[index + 1] !== undefined) values.push(words[index + 1]!);
  });
  return values;
}

/** Cluster Autoscaler containers among the Deployments, with the taint flags they start with. */
export function clusterAutoscalers(workloads: unknown[]): { name: string; flags: AutoscalerFlags }[] {
  return workloads.flatMap((workload) => {
    if (asRecord(workload)['kind'] !== 'Deployment') return [];
    const containers = asArray(templateSpec(workload)['containers']).map(asRecord);
    return containers
      .filter((container) => {
        const image = asString(container['image']) ?? '';
        const command = asArray(container['command']).filter((word): word is string => typeof word === 'string');
        return imageIs(image, 'cluster-autoscaler') || command.some((word) => /(^|\/)cluster-autoscaler$/.test(word));
      })
      .map((container) => {
        const words = [...asArray(container['command']), ...asArray(container['args'])].filter(
          (word): word is string => typeof word === 'string',
        );
        const { namespace, name } = metadataOf(workload);
        return {
          name: `Deployment ${namespace}/${name}`,
          flags: {
            startupTaints: [...flagValues(words, 'startup-taint'), ...flagValues(words, 'ignore-taint')],
            statusTaints: flagValues(words, 'status-taint'),
            startupPrefixes: flagValues(words, 'startup-taint-prefix'),
          },
        };
      });
  });
}

function clusterAutoscalerFindings(rules: RuleView[], workloads: unknown[]): Finding[] {
  return clusterAutoscalers(workloads).flatMap(({ name, flags }) =>
    rules.map((rule): Finding => {
      const key = rule.taint.key;
      const subject = `rule ${rule.name}`;
      const declared =
        flags.startupTaints.includes(key) ||
        [...CA_STARTUP_TAINT_PREFIXES, ...flags.startupPrefixes].some((prefix) => key.startsWith(prefix));
      if (declared)
        return {
          id: 'autoscaler-startup-taint',
          severity: 'pass',
          title: `Cluster Autoscaler (${name}) treats ${key} as a startup taint`,
          subject,
          evidence: [],
          remediation: '',
        };
      const asStatus = flags.statusTaints.includes(key);
      return {
        id: 'autoscaler-startup-taint',
        severity: 'fail',
        title: asStatus
          ? `Cluster Autoscaler (${name}) treats ${key} as a status taint: it counts held nodes as ready capacity`
          : `Cluster Autoscaler (${name}) does not know ${key} is a startup taint: it sees held nodes as unable to fit pods and scales up again`,
        subject,
        evidence: [
          `startup taints: ${flags.startupTaints.join(', ') || 'none'}; startup taint prefixes: ${[...CA_STARTUP_TAINT_PREFIXES, ...flags.startupPrefixes].join(', ')}`,
          ...(asStatus ? [`--status-taint=${key}`] : []),
        ],
        remediation: `Add --startup-taint=${key} to the cluster-autoscaler container's command${asStatus ? ` in place of --status-taint=${key}` : ''} (or, on releases with kubernetes/autoscaler#9296, --startup-taint-prefix=readiness.k8s.io/ for every rule at once).`,
      };
    }),
  );
}

/** The labels a NodePool's nodes are sure to carry: its template's, its single-valued In requirements, and karpenter.sh/nodepool. */
function nodePoolLabels(nodePool: unknown): Record<string, string> {
  const template = asRecord(asRecord(asRecord(nodePool)['spec'])['template']);
  const labels: Record<string, string> = {
    ...asStringMap(asRecord(template['metadata'])['labels']),
    'karpenter.sh/nodepool': metadataOf(nodePool).name,
  };
  for (const raw of asArray(asRecord(template['spec'])['requirements'])) {
    const requirement = asRecord(raw);
    const values = asArray(requirement['values']);
    if (requirement['operator'] === 'In' && values.length === 1 && typeof values[0] === 'string')
      labels[asString(requirement['key']) ?? ''] = values[0];
  }
  return labels;
}

function karpenterFindings(rules: RuleView[], nodePools: unknown[]): Finding[] {
  return nodePools.flatMap((nodePool) => {
    const name = metadataOf(nodePool).name;
    const labels = nodePoolLabels(nodePool);
    const startupTaints = asArray(templateSpec(nodePool)['startupTaints']).map(asRecord);
    return rules
      .filter((rule) => {
        const selected = matchSelector(rule.nodeSelector, labels);
        return selected.ok && selected.matches;
      })
      .map((rule): Finding => {
        const declared = startupTaints.some((taint) => taint['key'] === rule.taint.key && taint['effect'] === rule.taint.effect);
        const taint = `${rule.taint.key}:${rule.taint.effect}`;
        if (declared)
          return {
            id: 'autoscaler-startup-taint',
            severity: 'pass',
            title: `Karpenter NodePool ${name} declares ${taint} in startupTaints`,
            subject: `rule ${rule.name}`,
            evidence: [],
            remediation: '',
          };
        // Karpenter releases with kubernetes-sigs/karpenter#3025 skip readiness.k8s.io/ taints themselves: which release runs is not in the NodePool.
        return {
          id: 'autoscaler-startup-taint',
          severity: 'warn',
          title: `Karpenter NodePool ${name} does not declare ${taint} in startupTaints: Karpenter sees held nodes as unable to fit pods and launches more`,
          subject: `rule ${rule.name}`,
          evidence: [
            `startupTaints: ${startupTaints.map((entry) => `${asString(entry['key'])}:${asString(entry['effect'])}`).join(', ') || 'none'}`,
            'Karpenter releases with kubernetes-sigs/karpenter#3025 ignore readiness.k8s.io/ taints on their own; older ones need the declaration',
          ],
          remediation: `Add to NodePool ${name}'s spec.template.spec:\nstartupTaints:\n- key: ${rule.taint.key}\n  effect: ${rule.taint.effect}${rule.taint.value ? `\n  value: ${rule.taint.value}` : ''}`,
        };
      });
  });
}

/** verify's configuration findings: deadlocks, unwritten conditions, NRC's controller, autoscalers. */
export function configurationFindings(evidence: ConfigurationEvidence): Finding[] {
  const rules = holdingRules(evidence.rules);
  return [
    ...deadlockFindings(evidence),
    ...controllerFindings(evidence),
    ...clusterAutoscalerFindings(rules, evidence.workloads),
    ...(evidence.nodePools === null ? [] : karpenterFindings(rules, evidence.nodePools)),
  ];
}
