// The reviewed allow-list: permissions that cannot change any node's
// readiness, directly or as a step of an attack. Anything not on it is either
// walked by an escalation class or reported as unassessed, so a row here is a
// claim of harmlessness and must say why. A wildcard (verb, group or
// resource) never matches a row.
import { isExactly, type LedgerEntry } from './entry.ts';

export interface InertRow {
  reason: string;
  matches(entry: LedgerEntry): boolean;
}

const READ_VERBS = ['get', 'list', 'watch'];

/** Reads that hand over a credential or a shell, or that an escalation class walks as a step. */
const NOT_INERT_READS: [group: string, resource: string][] = [
  ['', 'secrets'],
  ['', 'serviceaccounts/token'],
  ['certificates.k8s.io', 'certificatesigningrequests'],
];

const hasWildcard = (entry: LedgerEntry) => [entry.verb, entry.apiGroup, entry.resource, entry.subresource].includes('*');

function isPlainRead(entry: LedgerEntry): boolean {
  if (entry.nonResourceURL !== undefined || hasWildcard(entry) || !READ_VERBS.includes(entry.verb)) return false;
  // A get on pods/exec, attach or portforward opens them over a websocket; pods/log and nodes/proxy reach into running containers.
  if (entry.resource === 'pods' && entry.subresource !== '') return false;
  if (entry.subresource === 'proxy') return false;
  const combined = entry.subresource ? `${entry.resource}/${entry.subresource}` : entry.resource;
  return !NOT_INERT_READS.some(([group, resource]) => group === entry.apiGroup && resource === combined);
}

/** The URLs the built-in discovery roles grant every authenticated identity, and the health and version endpoints. */
const PUBLIC_URLS = new Set([
  '/api',
  '/api/*',
  '/apis',
  '/apis/*',
  '/healthz',
  '/healthz/*',
  '/livez',
  '/livez/*',
  '/readyz',
  '/readyz/*',
  '/version',
  '/version/',
  '/openapi',
  '/openapi/*',
  '/.well-known/openid-configuration',
  '/.well-known/openid-configuration/',
  '/openid/v1/jwks',
  '/openid/v1/jwks/',
]);

/** Cluster-scoped resources: a RoleBinding, which grants only inside its namespace, gives nothing on them. */
const CLUSTER_SCOPED: [group: string, resource: string][] = [
  ['', 'nodes'],
  ['readiness.node.x-k8s.io', 'nodereadinessrules'],
  ['rbac.authorization.k8s.io', 'clusterroles'],
  ['rbac.authorization.k8s.io', 'clusterrolebindings'],
  ['certificates.k8s.io', 'certificatesigningrequests'],
  ['certificates.k8s.io', 'signers'],
  ['admissionregistration.k8s.io', 'mutatingwebhookconfigurations'],
  ['admissionregistration.k8s.io', 'validatingwebhookconfigurations'],
  ['apiextensions.k8s.io', 'customresourcedefinitions'],
];

const ASSOCIATED_NODE_REASON =
  "acts only as the node its pod-bound token names, and NodeRestriction lets a node write only its own Node: the decision chain proves the reporter's own node is all it reaches; a token bound to another node is a move the search walks";

export const INERT_ROWS: InertRow[] = [
  {
    reason: 'a read of an object that holds no credential: it changes nothing',
    matches: isPlainRead,
  },
  {
    reason: 'only tells the caller what it may do itself',
    matches: (entry) =>
      isExactly(entry, ['create'], 'authorization.k8s.io', 'selfsubjectaccessreviews') ||
      isExactly(entry, ['create'], 'authorization.k8s.io', 'selfsubjectrulesreviews') ||
      isExactly(entry, ['create'], 'authentication.k8s.io', 'selfsubjectreviews'),
  },
  {
    reason: "answers whether someone may do something: it reveals an authorizer's decision and grants nothing",
    matches: (entry) =>
      isExactly(entry, ['create'], 'authorization.k8s.io', 'subjectaccessreviews') ||
      isExactly(entry, ['create'], 'authorization.k8s.io', 'localsubjectaccessreviews'),
  },
  {
    reason: 'checks a token the caller already holds; it issues none',
    matches: (entry) => isExactly(entry, ['create'], 'authentication.k8s.io', 'tokenreviews'),
  },
  {
    reason: 'Events are informational: neither NRC nor the scheduler decides readiness or taints from them',
    matches: (entry) =>
      isExactly(entry, ['create', 'update', 'patch'], '', 'events') ||
      isExactly(entry, ['create', 'update', 'patch'], 'events.k8s.io', 'events'),
  },
  {
    reason: 'discovery, health, version and the ServiceAccount issuer keys: public reads',
    matches: (entry) => entry.verb === 'get' && entry.nonResourceURL !== undefined && PUBLIC_URLS.has(entry.nonResourceURL),
  },
  {
    reason: 'a RoleBinding grants only inside its namespace, and this resource is cluster-scoped: the rule grants nothing',
    matches: (entry) =>
      entry.namespace !== null &&
      !hasWildcard(entry) &&
      CLUSTER_SCOPED.some(([group, resource]) => group === entry.apiGroup && resource === entry.resource),
  },
  {
    reason: `impersonate:associated-node ${ASSOCIATED_NODE_REASON}`,
    matches: (entry) => isExactly(entry, ['impersonate:associated-node'], 'authentication.k8s.io', 'nodes'),
  },
  {
    reason: `reading its own Node through associated-node impersonation: ${ASSOCIATED_NODE_REASON}`,
    matches: (entry) => isExactly(entry, ['impersonate-on:associated-node:get'], '', 'nodes'),
  },
  {
    reason: `writing its own node's status, the reporter's job (patch is no more power than update): ${ASSOCIATED_NODE_REASON}`,
    matches: (entry) =>
      isExactly(entry, ['impersonate-on:associated-node:update', 'impersonate-on:associated-node:patch'], '', 'nodes', 'status'),
  },
];

/** The reason an entry is inert, or null when no row allows it. */
export function inertReason(entry: LedgerEntry): string | null {
  return INERT_ROWS.find((row) => row.matches(entry))?.reason ?? null;
}
