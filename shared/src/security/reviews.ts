// The identities and extras the decision chain's SubjectAccessReviews carry.
// The review and its answer are the port's vocabulary, in base/reader.ts.
export const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';
export const ASSOCIATED_NODE_KEYS_EXTRA = 'authentication.kubernetes.io/associated-node-keys';
/** The extra keys of a pod-bound ServiceAccount token on 1.32+, sorted as the filter sorts them. */
export const POD_BOUND_EXTRA_KEYS = [
  'authentication.kubernetes.io/credential-id',
  'authentication.kubernetes.io/node-name',
  'authentication.kubernetes.io/node-uid',
  'authentication.kubernetes.io/pod-name',
  'authentication.kubernetes.io/pod-uid',
];

export const NODE_GROUPS = ['system:nodes', 'system:authenticated'];
/** Legacy impersonation without Impersonate-Group yields only this group: not a node to the Node authorizer. */
export const LEGACY_NODE_GROUPS = ['system:authenticated'];
