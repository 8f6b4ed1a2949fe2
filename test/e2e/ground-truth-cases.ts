// The requests the ground-truth test sends with a reporter's real pod-bound
// token, and what kube-apiserver answered. Later issues check their
// predictions against exactly these outcomes.
import type { Cluster } from '../cluster/cluster.ts';
import { apiRequest, type ApiResponse } from '../cluster/requests.ts';
import { CONDITION, type Variant } from '../cluster/scenario.ts';

export interface Probe {
  id: string;
  /** The pod whose bound token is used: the reporter on this node. */
  tokenOf: string;
  verb: 'get' | 'update' | 'patch';
  target: string;
  subresource?: 'status';
  /** How the request identifies itself: as the token's SA, or impersonating a node (optionally with groups). */
  impersonate: { user: string; groups?: string[] } | null;
}

export const PROBES: Probe[] = [
  { id: 'get-own-as-own', tokenOf: 'node-a', verb: 'get', target: 'node-a', impersonate: { user: 'system:node:node-a' } },
  { id: 'get-other-as-own', tokenOf: 'node-a', verb: 'get', target: 'node-b', impersonate: { user: 'system:node:node-a' } },
  {
    id: 'update-own-status-as-own',
    tokenOf: 'node-a',
    verb: 'update',
    target: 'node-a',
    subresource: 'status',
    impersonate: { user: 'system:node:node-a' },
  },
  {
    id: 'update-other-status-as-own',
    tokenOf: 'node-a',
    verb: 'update',
    target: 'node-b',
    subresource: 'status',
    impersonate: { user: 'system:node:node-a' },
  },
  {
    id: 'patch-own-status-as-own',
    tokenOf: 'node-a',
    verb: 'patch',
    target: 'node-a',
    subresource: 'status',
    impersonate: { user: 'system:node:node-a' },
  },
  { id: 'patch-own-spec-as-own', tokenOf: 'node-a', verb: 'patch', target: 'node-a', impersonate: { user: 'system:node:node-a' } },
  { id: 'get-own-direct', tokenOf: 'node-a', verb: 'get', target: 'node-a', impersonate: null },
  { id: 'update-own-status-direct', tokenOf: 'node-a', verb: 'update', target: 'node-a', subresource: 'status', impersonate: null },
  { id: 'update-other-status-direct', tokenOf: 'node-a', verb: 'update', target: 'node-b', subresource: 'status', impersonate: null },
  {
    id: 'update-other-status-as-other',
    tokenOf: 'node-a',
    verb: 'update',
    target: 'node-b',
    subresource: 'status',
    impersonate: { user: 'system:node:node-b' },
  },
  {
    id: 'update-other-status-as-other-with-groups',
    tokenOf: 'node-a',
    verb: 'update',
    target: 'node-b',
    subresource: 'status',
    impersonate: { user: 'system:node:node-b', groups: ['system:nodes'] },
  },
];

/**
 * The probes kube-apiserver v1.36 allows (HTTP 200) in each scenario, established
 * by running them; every other probe is denied with 403.
 */
const ALLOWED: Record<Variant, string[]> = {
  hardened: ['get-own-as-own', 'update-own-status-as-own'],
  broad: ['get-own-direct', 'update-own-status-direct', 'update-other-status-direct'],
  'legacy-impersonation': ['get-own-as-own', 'update-own-status-as-own', 'update-other-status-as-other-with-groups'],
  // Same RBAC as hardened: the missing env changes what the reporter sends, not what the token may do.
  'no-impersonate-env': ['get-own-as-own', 'update-own-status-as-own'],
  'gate-off': [],
};

export function expectedStatus(variant: Variant, probeId: string): 200 | 403 {
  return ALLOWED[variant].includes(probeId) ? 200 : 403;
}

/** Sends a probe's real request with a reporter's token, as the probe says it identifies itself. */
export async function send(cluster: Cluster, token: string, probe: Probe): Promise<ApiResponse> {
  const path = `/api/v1/nodes/${probe.target}${probe.subresource ? `/${probe.subresource}` : ''}`;
  const identity = { token, impersonateUser: probe.impersonate?.user, impersonateGroups: probe.impersonate?.groups };
  switch (probe.verb) {
    case 'get':
      return apiRequest(cluster, { ...identity, method: 'GET', path });
    case 'update': {
      const node = JSON.parse(await cluster.kubectlOk(['get', 'node', probe.target, '-o', 'json'])) as {
        status: { conditions?: unknown[] };
      };
      const now = new Date().toISOString();
      node.status.conditions = [
        {
          type: CONDITION,
          status: 'True',
          reason: 'GroundTruth',
          message: `written by ${probe.id}`,
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ];
      return apiRequest(cluster, { ...identity, method: 'PUT', path, body: node });
    }
    case 'patch': {
      const body = probe.subresource ? { status: { conditions: [{ type: CONDITION, status: 'False' }] } } : { spec: { taints: [] } };
      return apiRequest(cluster, { ...identity, method: 'PATCH', path, body, contentType: 'application/strategic-merge-patch+json' });
    }
  }
}
