// The one port between the core and a cluster. Each adapter (the CLI's HTTPS
// client, Headlamp's ApiProxy, the test harness) implements it in a few lines
// of transport; everything that decides what to read, and what a refusal
// means, lives in the core.
import type { Grant } from './kube.ts';

/**
 * A read the cluster answered. A refusal (401, 403, 404) is an answer, not an
 * error: it decides what the core can claim. Anything else (the server is
 * unreachable, a 500 after the transport's retries) is thrown by the reader.
 */
export type ReadResult<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

export interface ClusterReader {
  getJSON(path: string): Promise<ReadResult<unknown>>;
  getText(path: string): Promise<ReadResult<string>>;
  /**
   * Every item of a collection, however the transport pages it; the path may
   * carry a query such as a fieldSelector, and a `limit` for the page size.
   */
  list(path: string): Promise<ReadResult<unknown[]>>;
  createSubjectAccessReview(spec: SubjectAccessReviewSpec): Promise<ReadResult<ReviewAnswer>>;
}

/** The statuses that mean "you may not read this" or "this is not served", never "something broke". */
export const REFUSED_STATUSES: readonly number[] = [401, 403, 404];

export function isRefusal(status: number): boolean {
  return REFUSED_STATUSES.includes(status);
}

/** A SubjectAccessReview's spec, as the core asks it. */
export interface SubjectAccessReviewSpec {
  user: string;
  groups: string[];
  extra?: Record<string, string[]>;
  resourceAttributes: {
    verb: string;
    group: string;
    version: string;
    resource: string;
    subresource?: string;
    name?: string;
    namespace?: string;
  };
}

export interface ReviewAnswer {
  allowed: boolean;
  reason?: string;
  /** Where an answer came from RBAC objects rather than the apiserver: the grants behind an allow. */
  grants?: Grant[];
}
