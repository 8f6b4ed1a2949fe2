// Raw HTTPS requests to the local apiserver, so tests see the exact status
// code and message kube-apiserver returns, with the headers a reporter sends.
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { isRefusal, type ClusterReader, type ReadResult, type ReviewAnswer, type SubjectAccessReviewSpec } from '@kubectl-readiness/shared';
import type { Cluster } from './cluster.ts';
import { CONDITION } from './scenario.ts';

export interface ApiRequest {
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  path: string;
  /** A bearer token; without one the request uses `clientCertificate`, or the admin's. */
  token?: string;
  /** A client certificate and key, PEM. */
  clientCertificate?: { cert: string; key: string };
  /** Impersonate-User; the NRC reporter sends only this header. */
  impersonateUser?: string;
  impersonateGroups?: string[];
  body?: unknown;
  contentType?: string;
  /** Asks to switch protocols, as kubectl exec does: the apiserver authorizes, then dials the pod's kubelet. */
  upgrade?: string;
}

export interface ApiResponse {
  status: number;
  /** The Status object's message for errors; empty on success. */
  message: string;
  body: unknown;
}

export function apiRequest(cluster: Cluster, call: ApiRequest): Promise<ApiResponse> {
  const url = new URL(call.path, cluster.server);
  const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
  const headers: Record<string, string | string[]> = { Accept: 'application/json' };
  if (call.token) headers['Authorization'] = `Bearer ${call.token}`;
  if (call.impersonateUser) headers['Impersonate-User'] = call.impersonateUser;
  if (call.impersonateGroups) headers['Impersonate-Group'] = call.impersonateGroups;
  if (payload !== undefined) headers['Content-Type'] = call.contentType ?? 'application/json';
  if (call.upgrade)
    Object.assign(headers, { Connection: 'Upgrade', Upgrade: call.upgrade, 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' });
  return new Promise((resolve, reject) => {
    const credentials = call.token
      ? {}
      : (call.clientCertificate ?? { cert: readFileSync(cluster.adminCertFile), key: readFileSync(cluster.adminKeyFile) });
    const outgoing = request(url, { method: call.method, headers, ca: readFileSync(cluster.caFile), ...credentials }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Non-JSON bodies are kept as text.
        }
        const status = response.statusCode ?? 0;
        const message =
          status >= 400 && typeof body === 'object' && body !== null ? String((body as { message?: unknown }).message ?? '') : '';
        resolve({ status, message, body });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/**
 * Get, then PUT a node's status with the readiness condition (True unless
 * `healthy` is false): what NRC's reporter does, as `token` (impersonating if
 * asked) or with a client certificate.
 */
export async function putNodeStatus(
  cluster: Cluster,
  write: {
    token?: string;
    clientCertificate?: { cert: string; key: string };
    node: string;
    impersonateUser?: string;
    message: string;
    healthy?: boolean;
  },
): Promise<ApiResponse> {
  const node = JSON.parse(await cluster.kubectlOk(['get', 'node', write.node, '-o', 'json'])) as { status: { conditions?: unknown[] } };
  const now = new Date().toISOString();
  node.status.conditions = [
    {
      type: CONDITION,
      status: write.healthy === false ? 'False' : 'True',
      reason: 'Reported',
      message: write.message,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    },
  ];
  return apiRequest(cluster, {
    method: 'PUT',
    path: `/api/v1/nodes/${write.node}/status`,
    body: node,
    ...(write.token ? { token: write.token } : {}),
    ...(write.clientCertificate ? { clientCertificate: write.clientCertificate } : {}),
    ...(write.impersonateUser ? { impersonateUser: write.impersonateUser } : {}),
  });
}

/** Creates a SubjectAccessReview as the admin; the only POST our tools make. */
export async function subjectAccessReview(cluster: Cluster, spec: SubjectAccessReviewSpec): Promise<ReviewAnswer> {
  const result = await adminReader(cluster).createSubjectAccessReview(spec);
  if (!result.ok) throw new Error(`SubjectAccessReview: HTTP ${result.status}: ${result.message}`);
  return result.value;
}

/** The core's ClusterReader as the cluster's admin: what the harness checks the adapters against. */
export function adminReader(cluster: Cluster): ClusterReader {
  const read = async <T>(call: ApiRequest, value: (body: unknown) => T): Promise<ReadResult<T>> => {
    const response = await apiRequest(cluster, call);
    if (response.status === 200 || response.status === 201) return { ok: true, value: value(response.body) };
    if (isRefusal(response.status)) return { ok: false, status: response.status, message: response.message };
    throw new Error(`${call.method} ${call.path}: HTTP ${response.status}: ${response.message}`);
  };
  return {
    getJSON: (path) => read({ method: 'GET', path }, (body) => body),
    getText: (path) => read({ method: 'GET', path }, String),
    list: (path) => read({ method: 'GET', path }, (body) => (body as { items: unknown[] }).items),
    createSubjectAccessReview: (spec) =>
      read(
        {
          method: 'POST',
          path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
          body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
        },
        (body) => {
          const status = (body as { status: { allowed: boolean; reason?: string } }).status;
          return { allowed: status.allowed, ...(status.reason ? { reason: status.reason } : {}) };
        },
      ),
  };
}
