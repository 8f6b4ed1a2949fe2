// Readers that turn whatever JSON a cluster or a user hands us into
// well-formed views. Every verdict function works on these views, so malformed
// input degrades to "missing" instead of throwing.
import type { NodeCondition, Taint } from './kube.ts';

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asStringMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(asRecord(value))) {
    if (typeof entry === 'string') map[key] = entry;
  }
  return map;
}

/** spec.template.spec: a DaemonSet's or Deployment's pod spec, a NodePool's node template. */
export function templateSpec(object: unknown): Record<string, unknown> {
  return asRecord(asRecord(asRecord(asRecord(object)['spec'])['template'])['spec']);
}

/** Whether a container image is `name` (last path segment), whatever its registry, tag or digest. */
export function imageIs(image: string, name: string): boolean {
  return new RegExp(`(^|/)${name}(:[^/]*)?(@.*)?$`).test(image);
}

export function metadataOf(object: unknown): {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  creationTimestamp: string | undefined;
} {
  const meta = asRecord(asRecord(object)['metadata']);
  return {
    name: asString(meta['name']) ?? '',
    namespace: asString(meta['namespace']) ?? '',
    uid: asString(meta['uid']) ?? '',
    labels: asStringMap(meta['labels']),
    annotations: asStringMap(meta['annotations']),
    creationTimestamp: asString(meta['creationTimestamp']),
  };
}

export function readTaints(value: unknown): Taint[] {
  const taints: Taint[] = [];
  for (const raw of asArray(value)) {
    const taint = asRecord(raw);
    const key = asString(taint['key']);
    if (key === undefined) continue;
    const value = asString(taint['value']);
    const timeAdded = asString(taint['timeAdded']);
    taints.push({
      key,
      effect: asString(taint['effect']) ?? '',
      ...(value === undefined ? {} : { value }),
      ...(timeAdded === undefined ? {} : { timeAdded }),
    });
  }
  return taints;
}

export function readConditions(value: unknown): NodeCondition[] {
  const conditions: NodeCondition[] = [];
  for (const raw of asArray(value)) {
    const condition = asRecord(raw);
    const type = asString(condition['type']);
    if (type === undefined) continue;
    const optional: Partial<NodeCondition> = {};
    for (const field of ['reason', 'message', 'lastHeartbeatTime', 'lastTransitionTime'] as const) {
      const text = asString(condition[field]);
      if (text !== undefined) optional[field] = text;
    }
    conditions.push({ type, status: asString(condition['status']) ?? 'Unknown', ...optional });
  }
  return conditions;
}

export interface NodeView {
  name: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  taints: Taint[];
  conditions: NodeCondition[];
}

/**
 * A Node cut down to what readNode reads. A 5,000-node list holds hundreds of
 * megabytes of status.images and managedFields that no verdict uses; keeping
 * only this, page by page, bounds a client's memory by what it needs.
 */
export function nodeEssentials(node: unknown): unknown {
  const object = asRecord(node);
  const metadata = asRecord(object['metadata']);
  return {
    apiVersion: object['apiVersion'],
    kind: object['kind'],
    metadata: {
      name: metadata['name'],
      uid: metadata['uid'],
      resourceVersion: metadata['resourceVersion'],
      creationTimestamp: metadata['creationTimestamp'],
      labels: metadata['labels'],
      annotations: metadata['annotations'],
    },
    spec: { taints: asRecord(object['spec'])['taints'] },
    status: { conditions: asRecord(object['status'])['conditions'] },
  };
}

export function readNode(node: unknown): NodeView {
  const { name, uid, labels, annotations } = metadataOf(node);
  const object = asRecord(node);
  return {
    name,
    uid,
    labels,
    annotations,
    taints: readTaints(asRecord(object['spec'])['taints']),
    conditions: readConditions(asRecord(object['status'])['conditions']),
  };
}
