// Which workloads write the conditions rules depend on. A reporter is only
// named on what its pod template shows; a condition no workload can be tied
// to is reported as unattributed rather than guessed.
import { asArray, asRecord, asString, metadataOf, templateSpec } from '../base/read.ts';
import { readRule } from './rule.ts';

export type ReporterKind = 'nrc-reporter' | 'node-problem-detector' | 'custom';

export interface WorkloadRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface Reporter {
  workload: WorkloadRef;
  container: string;
  kind: ReporterKind;
  serviceAccount: { namespace: string; name: string };
  conditionTypes: string[];
  /** IMPERSONATE_NODE=true: the reporter acts as system:node:<its node>. */
  impersonatesNode: boolean;
  /** NODE_NAME comes from the downward API (spec.nodeName), so a pod cannot claim another node. */
  nodeNameFromSpec: boolean;
  /** automountServiceAccountToken is not false: the pod gets a projected, pod-bound token. */
  projectedToken: boolean;
  /** Secrets mounted that could hold a legacy, unbound ServiceAccount token. */
  secretVolumes: string[];
  /** Rules that depend on a condition this reporter writes. */
  feedsRules: string[];
  /** What in the pod template made this a reporter. */
  identifiedBy: string[];
  /** Why some of its condition types could not be read, when they could not. */
  unresolved: string | null;
}

/** `Kind/namespace/name`: how a reporter's workload is looked up, and named in a write verdict. */
export function reporterWorkloadKey(reporter: Reporter): string {
  return `${reporter.workload.kind}/${reporter.workload.namespace}/${reporter.workload.name}`;
}

export interface UnattributedCondition {
  type: string;
  rules: string[];
}

export interface ReporterDiscovery {
  reporters: Reporter[];
  unattributed: UnattributedCondition[];
}

const IMAGE_KINDS: [RegExp, ReporterKind][] = [
  [/node-readiness-(condition-)?reporter|readiness-condition-reporter/, 'nrc-reporter'],
  [/node-problem-detector/, 'node-problem-detector'],
];

const NPD_CONFIG_FLAGS = ['--config.custom-plugin-monitor', '--config.system-log-monitor', '--config.system-stats-monitor'];

interface EnvView {
  value: string | undefined;
  fieldPath: string | undefined;
}

function envOf(container: Record<string, unknown>): Map<string, EnvView> {
  const env = new Map<string, EnvView>();
  for (const raw of asArray(container['env'])) {
    const entry = asRecord(raw);
    const name = asString(entry['name']);
    if (name === undefined) continue;
    env.set(name, {
      value: asString(entry['value']),
      fieldPath: asString(asRecord(asRecord(entry['valueFrom'])['fieldRef'])['fieldPath']),
    });
  }
  return env;
}

function npdConfigPaths(container: Record<string, unknown>): string[] {
  const words = [...asArray(container['command']), ...asArray(container['args'])].filter(
    (word): word is string => typeof word === 'string',
  );
  const paths: string[] = [];
  words.forEach((word, index) => {
    for (const flag of NPD_CONFIG_FLAGS) {
      if (word.startsWith(`${flag}=`)) paths.push(...word.slice(flag.length + 1).split(','));
      else if (word === flag && typeof words[index + 1] === 'string') paths.push(...words[index + 1]!.split(','));
    }
  });
  return paths.filter((path) => path !== '');
}

/** Follows a config path through the container's mounts to a ConfigMap key, then reads NPD's "conditions". */
function npdConditionTypes(
  path: string,
  container: Record<string, unknown>,
  podSpec: Record<string, unknown>,
  namespace: string,
  configMaps: Map<string, Record<string, string>>,
): { types: string[]; unresolved: string | null } {
  const mount = asArray(container['volumeMounts'])
    .map(asRecord)
    .map((entry) => ({ name: asString(entry['name']) ?? '', mountPath: (asString(entry['mountPath']) ?? '').replace(/\/+$/, '') }))
    .filter((entry) => entry.mountPath !== '' && path.startsWith(`${entry.mountPath}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) return { types: [], unresolved: `${path} is not on a mounted volume` };
  const volume = asArray(podSpec['volumes'])
    .map(asRecord)
    .find((entry) => entry['name'] === mount.name);
  const configMap = asRecord(volume?.['configMap']);
  const configMapName = asString(configMap['name']);
  if (configMapName === undefined) return { types: [], unresolved: `${path} is not from a ConfigMap` };
  const file = path.slice(mount.mountPath.length + 1);
  const item = asArray(configMap['items'])
    .map(asRecord)
    .find((entry) => entry['path'] === file);
  const key = asString(item?.['key']) ?? file;
  const data = configMaps.get(`${namespace}/${configMapName}`);
  if (data === undefined) return { types: [], unresolved: `ConfigMap ${namespace}/${configMapName} was not read` };
  const text = data[key];
  if (text === undefined) return { types: [], unresolved: `ConfigMap ${namespace}/${configMapName} has no key ${key}` };
  try {
    const types = asArray(asRecord(JSON.parse(text))['conditions'])
      .map((condition) => asString(asRecord(condition)['type']))
      .filter((type): type is string => type !== undefined);
    return { types, unresolved: null };
  } catch {
    return { types: [], unresolved: `ConfigMap ${namespace}/${configMapName} key ${key} is not JSON` };
  }
}

function reporterFromContainer(
  workload: WorkloadRef,
  podSpec: Record<string, unknown>,
  containerRaw: unknown,
  configMaps: Map<string, Record<string, string>>,
): Omit<Reporter, 'feedsRules'> | null {
  const container = asRecord(containerRaw);
  const env = envOf(container);
  const image = asString(container['image']) ?? '';
  const kindFromImage = IMAGE_KINDS.find(([pattern]) => pattern.test(image))?.[1];
  const conditionEnv = env.get('CONDITION_TYPE')?.value;
  const impersonateEnv = env.get('IMPERSONATE_NODE');
  // NODE_NAME from spec.nodeName alone is common to most DaemonSets, so it supports
  // but never establishes that a container is a reporter.
  if (conditionEnv === undefined && impersonateEnv === undefined && kindFromImage === undefined) return null;

  const identifiedBy: string[] = [];
  if (kindFromImage) identifiedBy.push(`image ${image}`);
  if (conditionEnv !== undefined) identifiedBy.push(`env CONDITION_TYPE=${conditionEnv}`);
  if (impersonateEnv !== undefined) identifiedBy.push(`env IMPERSONATE_NODE=${impersonateEnv.value ?? ''}`);
  const nodeNameFromSpec = env.get('NODE_NAME')?.fieldPath === 'spec.nodeName';
  if (nodeNameFromSpec) identifiedBy.push('env NODE_NAME from spec.nodeName');

  const conditionTypes = conditionEnv ? [conditionEnv] : [];
  const unresolvedReasons: string[] = [];
  const kind = kindFromImage ?? 'custom';
  if (kind === 'node-problem-detector') {
    for (const path of npdConfigPaths(container)) {
      const found = npdConditionTypes(path, container, podSpec, workload.namespace, configMaps);
      conditionTypes.push(...found.types);
      if (found.unresolved) unresolvedReasons.push(found.unresolved);
    }
  } else if (conditionEnv === undefined) {
    unresolvedReasons.push('no CONDITION_TYPE env');
  }
  const serviceAccount = asString(podSpec['serviceAccountName']) ?? asString(podSpec['serviceAccount']) ?? 'default';
  const secretVolumes = asArray(podSpec['volumes'])
    .map(asRecord)
    .map((volume) => asString(asRecord(volume['secret'])['secretName']))
    .filter((name): name is string => name !== undefined);
  return {
    workload,
    container: asString(container['name']) ?? '',
    kind,
    serviceAccount: { namespace: workload.namespace, name: serviceAccount },
    conditionTypes: [...new Set(conditionTypes)],
    impersonatesNode: impersonateEnv?.value === 'true',
    nodeNameFromSpec,
    projectedToken: podSpec['automountServiceAccountToken'] !== false,
    secretVolumes,
    identifiedBy,
    unresolved: unresolvedReasons.length > 0 ? unresolvedReasons.join('; ') : null,
  };
}

/**
 * Finds reporter containers in DaemonSets and Deployments. ConfigMaps are
 * optional: with them, Node Problem Detector's condition types are read from
 * its monitor configs.
 */
export function discoverReporters(workloads: unknown[], rules: unknown[], configMaps: unknown[] = []): ReporterDiscovery {
  const configData = new Map<string, Record<string, string>>();
  for (const raw of configMaps) {
    const { namespace, name } = metadataOf(raw);
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(asRecord(asRecord(raw)['data']))) if (typeof value === 'string') data[key] = value;
    configData.set(`${namespace}/${name}`, data);
  }
  const ruleViews = rules.map(readRule);
  const reporters: Reporter[] = [];
  for (const raw of workloads) {
    const { namespace, name } = metadataOf(raw);
    const workload: WorkloadRef = { kind: asString(asRecord(raw)['kind']) ?? 'Workload', namespace, name };
    const podSpec = templateSpec(raw);
    for (const container of asArray(podSpec['containers'])) {
      const found = reporterFromContainer(workload, podSpec, container, configData);
      if (!found) continue;
      const feedsRules = ruleViews
        .filter((rule) => rule.conditions.some((condition) => found.conditionTypes.includes(condition.type)))
        .map((rule) => rule.name);
      reporters.push({ ...found, feedsRules: [...new Set(feedsRules)] });
    }
  }
  const written = new Set(reporters.flatMap((reporter) => reporter.conditionTypes));
  const needed = new Map<string, string[]>();
  for (const rule of ruleViews) {
    for (const condition of rule.conditions) {
      if (written.has(condition.type)) continue;
      needed.set(condition.type, [...(needed.get(condition.type) ?? []), rule.name]);
    }
  }
  return {
    reporters,
    unattributed: [...needed].map(([type, ruleNames]) => ({ type, rules: [...new Set(ruleNames)] })),
  };
}
