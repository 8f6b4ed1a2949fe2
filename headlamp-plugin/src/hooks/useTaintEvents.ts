// NRC's taint events for one node, through Headlamp's watched Event list so
// new ones appear live.
import { K8s } from '@kinvolk/headlamp-plugin/lib';
import { type ReadinessEvent, readinessEvents } from '@kubectl-readiness/shared';

export function useTaintEvents(node: string): ReadinessEvent[] {
  const events = K8s.event.default.useList({ fieldSelector: `involvedObject.kind=Node,involvedObject.name=${node}` });
  return readinessEvents((events.items ?? []).map((event) => event.jsonData as unknown));
}
