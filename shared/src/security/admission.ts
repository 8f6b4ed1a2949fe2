// NodeRestriction admission, which no SubjectAccessReview can see, as modelled.
import type { ResourceAttributes, UserInfo } from './rbac.ts';

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/**
 * NodeRestriction, as modelled: a node identity may write only its own Node
 * and status, and never its own taints. Whether a write touches the taints is
 * in the request body, which a review cannot see: the reason says so.
 */
export function nodeRestriction(identity: UserInfo, action: ResourceAttributes): { applies: boolean; allowed: boolean; reason: string } {
  const isNode = identity.username.startsWith('system:node:') && identity.groups.includes('system:nodes');
  if (!isNode || action.group !== '' || action.resource !== 'nodes' || !WRITE_VERBS.has(action.verb)) {
    return { applies: false, allowed: true, reason: 'NodeRestriction does not apply' };
  }
  const self = identity.username.slice('system:node:'.length);
  if (action.name !== undefined && action.name !== self) {
    return { applies: true, allowed: false, reason: `node "${self}" is not allowed to modify node "${action.name}"` };
  }
  if (action.subresource === 'status') return { applies: true, allowed: true, reason: `node "${self}" may modify its own status` };
  if (action.verb === 'update' || action.verb === 'patch') {
    return {
      applies: true,
      allowed: true,
      reason: `node "${self}" may modify its own Node object, but not its taints (NodeRestriction: "is not allowed to modify taints"), so not lift its readiness taint, nor labels under node-restriction.kubernetes.io/`,
    };
  }
  return { applies: true, allowed: true, reason: `node "${self}" may ${action.verb} its own Node object` };
}
