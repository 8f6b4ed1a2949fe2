// Answers to reviews from RBAC objects, for a viewer who may not create
// SubjectAccessReviews.
import { grantsFor, indexRbac, type RbacObjects, type UserInfo } from './rbac.ts';
import type { ReviewAnswer, SubjectAccessReviewSpec } from '../base/reader.ts';

/**
 * Answers a review from RBAC objects, plus a model of the Node authorizer for
 * node identities. This is the fallback when the viewer may not create
 * SubjectAccessReviews; answers from the apiserver are authoritative.
 */
export function rbacAnswerer(rbac: RbacObjects): (question: { review: SubjectAccessReviewSpec }) => ReviewAnswer {
  const index = indexRbac(rbac);
  return ({ review }) => {
    const user = { username: review.user, groups: review.groups };
    const { resourceAttributes: attrs } = review;
    const nodeAnswer = nodeAuthorizer(user, attrs);
    if (nodeAnswer) return nodeAnswer;
    const grants = grantsFor(index, user, {
      verb: attrs.verb,
      group: attrs.group,
      resource: attrs.resource,
      ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
      ...(attrs.name ? { name: attrs.name } : {}),
      ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
    });
    return grants.length > 0 ? { allowed: true, reason: 'RBAC', grants } : { allowed: false, reason: 'no RBAC rule grants it' };
  };
}

/** The Node authorizer's rules for the nodes resource, as modelled; undefined when it has no opinion. */
function nodeAuthorizer(user: UserInfo, attrs: SubjectAccessReviewSpec['resourceAttributes']): ReviewAnswer | undefined {
  if (!user.username.startsWith('system:node:') || !user.groups.includes('system:nodes')) return undefined;
  if (attrs.group !== '' || attrs.resource !== 'nodes') return undefined;
  const self = user.username.slice('system:node:'.length);
  if (['get', 'list', 'watch'].includes(attrs.verb)) {
    return attrs.name === self
      ? { allowed: true, reason: 'Node authorizer (modelled): a node may read its own Node' }
      : {
          allowed: false,
          reason: `Node authorizer (modelled): node '${self}' cannot read '${attrs.name ?? '*'}', only its own Node object`,
        };
  }
  if (['create', 'update', 'patch'].includes(attrs.verb))
    return { allowed: true, reason: 'Node authorizer (modelled): nodes may write Node objects; NodeRestriction limits which' };
  return undefined;
}
