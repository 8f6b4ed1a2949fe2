// Whether a DaemonSet's pod can land on a node, as the DaemonSet controller
// and the scheduler decide it: the node's NoSchedule and NoExecute taints
// against the pod's tolerations (plus those the DaemonSet controller adds),
// then its nodeSelector and required node affinity against the node's labels.
import type { Taint } from '../base/kube.ts';
import { asArray, asRecord, asString, asStringMap, type NodeView } from '../base/read.ts';

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/**
 * What the DaemonSet controller adds to every daemon pod
 * (k8s.io/kubernetes pkg/controller/daemon/util AddOrUpdateDaemonPodTolerations);
 * network-unavailable only for hostNetwork pods.
 */
function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  return [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ...(hostNetwork ? [{ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }] : []),
  ];
}

/** Kubernetes' ToleratesTaint: an empty effect matches every effect, an empty key with Exists every key. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  const operator = toleration.operator || 'Equal';
  if (!toleration.key) return operator === 'Exists';
  if (toleration.key !== taint.key) return false;
  if (operator === 'Exists') return true;
  return operator === 'Equal' && (toleration.value ?? '') === (taint.value ?? '');
}

const KEEPS_PODS_OFF = new Set(['NoSchedule', 'NoExecute']);

export interface PodPlacement {
  /** The pod can land on the node. */
  fits: boolean;
  /** Taints that keep it off: NoSchedule or NoExecute, not tolerated. */
  untoleratedTaints: Taint[];
  /** Why the node's labels leave it out, when they do. */
  selectorMismatch: string | null;
}

interface PodSpecView {
  tolerations: Toleration[];
  nodeSelector: Record<string, string>;
  requiredTerms: unknown[] | null;
}

function readTolerations(value: unknown): Toleration[] {
  return asArray(value).map((raw) => {
    const entry = asRecord(raw);
    const toleration: Toleration = {};
    for (const field of ['key', 'operator', 'value', 'effect'] as const) {
      const text = asString(entry[field]);
      if (text !== undefined) toleration[field] = text;
    }
    return toleration;
  });
}

/** The pod template's spec of a DaemonSet (or a pod's spec), as placement reads it. */
export function readPodSpec(podSpec: unknown, forDaemonSet: boolean): PodSpecView {
  const spec = asRecord(podSpec);
  const required = asRecord(asRecord(asRecord(spec['affinity'])['nodeAffinity'])['requiredDuringSchedulingIgnoredDuringExecution']);
  return {
    tolerations: [...readTolerations(spec['tolerations']), ...(forDaemonSet ? daemonPodTolerations(spec['hostNetwork'] === true) : [])],
    nodeSelector: asStringMap(spec['nodeSelector']),
    requiredTerms: 'nodeSelectorTerms' in required ? asArray(required['nodeSelectorTerms']) : null,
  };
}

function requirementMatches(requirement: Record<string, unknown>, value: string | undefined): boolean {
  const values = asArray(requirement['values']).filter((entry): entry is string => typeof entry === 'string');
  switch (asString(requirement['operator'])) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const [bound] = values;
      if (value === undefined || bound === undefined || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(bound)) return false;
      return requirement['operator'] === 'Gt' ? Number(value) > Number(bound) : Number(value) < Number(bound);
    }
    default:
      return false;
  }
}

/** A term ANDs its requirements; an empty term matches no node, as in the scheduler. */
function termMatches(term: unknown, node: NodeView): boolean {
  const expressions = asArray(asRecord(term)['matchExpressions']).map(asRecord);
  const fields = asArray(asRecord(term)['matchFields']).map(asRecord);
  if (expressions.length === 0 && fields.length === 0) return false;
  return (
    expressions.every((requirement) => {
      const key = asString(requirement['key']) ?? '';
      return requirementMatches(requirement, Object.prototype.hasOwnProperty.call(node.labels, key) ? node.labels[key] : undefined);
    }) && fields.every((requirement) => asString(requirement['key']) === 'metadata.name' && requirementMatches(requirement, node.name))
  );
}

export function placePod(spec: PodSpecView, node: NodeView): PodPlacement {
  const untoleratedTaints = node.taints.filter(
    (taint) => KEEPS_PODS_OFF.has(taint.effect) && !spec.tolerations.some((toleration) => toleratesTaint(toleration, taint)),
  );
  const wrongLabels = Object.entries(spec.nodeSelector).filter(([key, value]) => node.labels[key] !== value);
  let selectorMismatch: string | null = null;
  if (wrongLabels.length > 0) {
    selectorMismatch = `nodeSelector ${wrongLabels.map(([key, value]) => `${key}=${value}`).join(',')} does not match the node's labels`;
  } else if (spec.requiredTerms !== null && !spec.requiredTerms.some((term) => termMatches(term, node))) {
    selectorMismatch = 'required node affinity matches none of the node';
  }
  return { fits: untoleratedTaints.length === 0 && selectorMismatch === null, untoleratedTaints, selectorMismatch };
}

/** The tolerations that let a pod past `taints`, as YAML for the pod template. */
export function tolerationsYaml(taints: Pick<Taint, 'key' | 'effect'>[]): string {
  return ['tolerations:', ...taints.map((taint) => `- key: ${taint.key}\n  operator: Exists\n  effect: ${taint.effect}`)].join('\n');
}
