// The apiserver's audit log as evidence of what a client sent.
import { readFileSync } from 'node:fs';
import type { Cluster } from './cluster.ts';

export interface AuditEvent {
  /** One request's events (a watch's ResponseStarted and ResponseComplete) share it. */
  auditID?: string;
  /** When the apiserver received the request, RFC 3339 with microseconds. */
  requestReceivedTimestamp?: string;
  /** RequestReceived is not logged here; a watch has ResponseStarted, then ResponseComplete as it ends. */
  stage?: string;
  /** When this stage was reached: for ResponseComplete, when the answer was sent. */
  stageTimestamp?: string;
  verb: string;
  requestURI: string;
  userAgent?: string;
  user?: { username?: string; extra?: Record<string, string[]> };
  impersonatedUser?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; name?: string; apiGroup?: string };
  authenticationMetadata?: { impersonationConstraint?: string };
}

const REVIEWS = new Set(['subjectaccessreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews']);

export function auditEvents(cluster: Cluster): AuditEvent[] {
  return readFileSync(cluster.auditLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
}

/** Every audited request whose User-Agent matches. */
export function auditedRequests(cluster: Cluster, userAgent: RegExp): AuditEvent[] {
  return auditEvents(cluster).filter((event) => userAgent.test(event.userAgent ?? ''));
}

/** Every audited request the user made. */
export function auditedRequestsOf(cluster: Cluster, username: string): AuditEvent[] {
  return auditEvents(cluster).filter((event) => event.user?.username === username);
}

/** Requests that are neither reads nor access-review creates: what a read-only tool must never send. */
export function writesAmong(events: AuditEvent[]): AuditEvent[] {
  return events.filter(
    (event) => !['get', 'list', 'watch'].includes(event.verb) && !(event.verb === 'create' && REVIEWS.has(event.objectRef?.resource ?? '')),
  );
}
