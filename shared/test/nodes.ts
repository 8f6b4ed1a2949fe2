// Hand-made nodes for table-driven tests.
import type { Node, NodeCondition, Taint } from '../src/index.ts';

export const NOW = Date.parse('2026-11-22T12:00:00Z');

export function minutesAgo(minutes: number): string {
  return new Date(NOW - minutes * 60_000).toISOString();
}

export function condition(type: string, status: string, extra: Partial<NodeCondition> = {}): NodeCondition {
  return { type, status, lastHeartbeatTime: minutesAgo(1), lastTransitionTime: minutesAgo(10), ...extra };
}

export function node(
  name: string,
  options: { labels?: Record<string, string>; annotations?: Record<string, string>; taints?: Taint[]; conditions?: NodeCondition[] } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: options.labels ?? {}, annotations: options.annotations ?? {} },
    spec: { taints: options.taints ?? [] },
    status: { conditions: options.conditions ?? [] },
  };
}

export const networkTaint: Taint = { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule', value: 'pending' };
