// A reporter's security posture: can its ServiceAccount write nodes other
// than its own? Decided from a fixed set of SubjectAccessReview questions,
// which the apiserver answers (authoritative) or the RBAC fallback answers.
import type { ReviewAnswer, SubjectAccessReviewSpec } from '../base/reader.ts';
import type { GateState } from '../nrc/gate.ts';
import { serviceAccountUser } from './rbac.ts';
import { ASSOCIATED_NODE_KEYS_EXTRA, NODE_NAME_EXTRA, POD_BOUND_EXTRA_KEYS } from './reviews.ts';

export type Posture =
  | 'broad'
  | 'legacy-impersonation'
  | 'arbitrary-node'
  | 'escalation'
  | 'over-privileged'
  | 'misconfigured'
  | 'unverified'
  | 'unassessed'
  | 'constrained';

/** Worst first: a node with several reporters shows the first of these that any has. */
export const POSTURE_ORDER: readonly Posture[] = [
  'broad',
  'legacy-impersonation',
  'arbitrary-node',
  'escalation',
  'over-privileged',
  'misconfigured',
  'unverified',
  // Nothing proven bad, but a permission no class walks: not proven constrained either.
  'unassessed',
  'constrained',
];

export const POSTURE_TITLES: Record<Posture, string> = {
  broad: 'Broad RBAC',
  'legacy-impersonation': 'Legacy impersonation',
  'arbitrary-node': 'Arbitrary node',
  escalation: 'Escalation path',
  'over-privileged': 'Over-privileged',
  misconfigured: 'Misconfigured',
  unverified: 'Unverified',
  unassessed: 'Unassessed permissions',
  constrained: 'Constrained',
};

export type PostureQuestionId =
  | 'direct-update-status'
  | 'direct-patch-status'
  | 'direct-update-node'
  | 'direct-patch-node'
  | 'direct-get-node'
  | 'legacy-users'
  | 'legacy-groups'
  | 'legacy-serviceaccounts'
  | 'legacy-uids'
  | 'legacy-userextras'
  | 'arbitrary-identity'
  | 'arbitrary-update-status'
  | 'arbitrary-patch-status'
  | 'serviceaccount-identity'
  | 'user-info-identity'
  | 'associated-identity'
  | 'associated-get'
  | 'associated-update-status'
  | 'associated-patch-status'
  | 'associated-update-node'
  | 'associated-patch-node'
  | 'associated-delete-node'
  | 'associated-create-node'
  | 'associated-list-nodes'
  | 'associated-watch-nodes';

export interface PostureQuestion {
  id: PostureQuestionId;
  summary: string;
  review: SubjectAccessReviewSpec;
}

/** The impersonate-on:associated-node verbs NRC's reporter needs: Get, then UpdateStatus (PUT). */
export const NEEDED_ASSOCIATED_VERBS: PostureQuestionId[] = ['associated-get', 'associated-update-status'];
/**
 * Verbs that add power beyond the reporter's own status. Patch of its own
 * status is no more power than update, so it is not among them; without
 * update, though, NRC's reporter (a PUT) cannot report at all.
 */
const EXTRA_ASSOCIATED_VERBS: PostureQuestionId[] = [
  'associated-update-node',
  'associated-patch-node',
  'associated-delete-node',
  'associated-create-node',
  'associated-list-nodes',
  'associated-watch-nodes',
];

/**
 * The questions that decide a reporter's posture. Node names only matter for
 * RBAC resourceNames; `otherNode` stands for any node the reporter does not run on.
 */
export function postureQuestions(
  serviceAccount: { namespace: string; name: string },
  nodes: { ownNode: string; otherNode: string },
): PostureQuestion[] {
  const user = serviceAccountUser(serviceAccount.namespace, serviceAccount.name);
  const asSA = { user: user.username, groups: user.groups, extra: { [NODE_NAME_EXTRA]: [nodes.ownNode] } };
  const asAssociated = { user: user.username, groups: user.groups, extra: { [ASSOCIATED_NODE_KEYS_EXTRA]: POD_BOUND_EXTRA_KEYS } };
  const core = (verb: string, name: string | undefined, subresource?: string) => ({
    verb,
    group: '',
    version: 'v1',
    resource: 'nodes',
    ...(subresource ? { subresource } : {}),
    ...(name ? { name } : {}),
  });
  const auth = (verb: string, resource: string, name: string, extra: Record<string, string> = {}) => ({
    verb,
    group: 'authentication.k8s.io',
    version: 'v1',
    resource,
    name,
    ...extra,
  });
  type Identity = Omit<SubjectAccessReviewSpec, 'resourceAttributes'>;
  const ask = (
    id: PostureQuestionId,
    summary: string,
    identity: Identity,
    resourceAttributes: SubjectAccessReviewSpec['resourceAttributes'],
  ): PostureQuestion => ({
    id,
    summary,
    review: { ...identity, resourceAttributes },
  });
  const { ownNode, otherNode } = nodes;
  const associated = (id: PostureQuestionId, verb: string, name: string | undefined, subresource?: string) =>
    ask(
      id,
      `impersonate-on:associated-node:${verb} ${subresource ? 'nodes/status' : 'nodes'}`,
      asAssociated,
      core(`impersonate-on:associated-node:${verb}`, name, subresource),
    );
  return [
    ask('direct-update-status', 'update nodes/status of another node directly', asSA, core('update', otherNode, 'status')),
    ask('direct-patch-status', 'patch nodes/status of another node directly', asSA, core('patch', otherNode, 'status')),
    ask('direct-update-node', 'update another node directly', asSA, core('update', otherNode)),
    ask('direct-patch-node', 'patch another node directly', asSA, core('patch', otherNode)),
    ask('direct-get-node', 'get nodes directly', asSA, core('get', otherNode)),
    ask('legacy-users', `impersonate users system:node:${otherNode}`, asSA, {
      verb: 'impersonate',
      group: '',
      version: 'v1',
      resource: 'users',
      name: `system:node:${otherNode}`,
    }),
    ask('legacy-groups', 'impersonate groups system:nodes', asSA, {
      verb: 'impersonate',
      group: '',
      version: 'v1',
      resource: 'groups',
      name: 'system:nodes',
    }),
    ask('legacy-serviceaccounts', 'impersonate serviceaccounts', asSA, {
      verb: 'impersonate',
      group: '',
      version: 'v1',
      resource: 'serviceaccounts',
    }),
    ask('legacy-uids', 'impersonate uids', asSA, auth('impersonate', 'uids', '')),
    ask('legacy-userextras', 'impersonate userextras', asSA, auth('impersonate', 'userextras', '')),
    ask('arbitrary-identity', `impersonate:arbitrary-node ${otherNode}`, asSA, auth('impersonate:arbitrary-node', 'nodes', otherNode)),
    ask(
      'arbitrary-update-status',
      'impersonate-on:arbitrary-node:update nodes/status',
      asSA,
      core('impersonate-on:arbitrary-node:update', otherNode, 'status'),
    ),
    ask(
      'arbitrary-patch-status',
      'impersonate-on:arbitrary-node:patch nodes/status',
      asSA,
      core('impersonate-on:arbitrary-node:patch', otherNode, 'status'),
    ),
    ask('serviceaccount-identity', 'impersonate:serviceaccount', asSA, {
      verb: 'impersonate:serviceaccount',
      group: 'authentication.k8s.io',
      version: 'v1',
      resource: 'serviceaccounts',
    }),
    ask('user-info-identity', 'impersonate:user-info users', asSA, auth('impersonate:user-info', 'users', '')),
    ask(
      'associated-identity',
      'impersonate:associated-node on nodes.authentication.k8s.io "*"',
      asAssociated,
      auth('impersonate:associated-node', 'nodes', '*'),
    ),
    associated('associated-get', 'get', ownNode),
    associated('associated-update-status', 'update', ownNode, 'status'),
    associated('associated-patch-status', 'patch', ownNode, 'status'),
    associated('associated-update-node', 'update', ownNode),
    associated('associated-patch-node', 'patch', ownNode),
    associated('associated-delete-node', 'delete', ownNode),
    associated('associated-create-node', 'create', undefined),
    associated('associated-list-nodes', 'list', undefined),
    associated('associated-watch-nodes', 'watch', undefined),
  ].map((question) => {
    // Empty names mean "any name" to a review; drop them rather than ask for "".
    const attributes = { ...question.review.resourceAttributes };
    if (attributes.name === '') delete attributes.name;
    return { ...question, review: { ...question.review, resourceAttributes: attributes } };
  });
}

export interface PostureInput {
  /** IMPERSONATE_NODE=true in the workload. */
  impersonatesNode: boolean;
  /** With the gate off, associated-node grants are inert: reviews still allow them, the filter never tries them. */
  gate?: GateState;
}

export interface PostureVerdict {
  posture: Posture;
  /** Why, one line each, worst first. */
  reasons: string[];
  /** Questions whose answer was needed but missing. */
  unanswered: PostureQuestionId[];
  /** impersonate-on:associated-node verbs granted beyond what the reporter needs. */
  extraVerbs: PostureQuestionId[];
  /** The reporter can write its own node's status the way it is configured to. */
  canReport: boolean;
}

export function classifyPosture(input: PostureInput, answers: ReadonlyMap<PostureQuestionId, ReviewAnswer | undefined>): PostureVerdict {
  const unanswered: PostureQuestionId[] = [];
  const yes = (id: PostureQuestionId): boolean | null => {
    const answer = answers.get(id);
    if (answer === undefined) {
      unanswered.push(id);
      return null;
    }
    return answer.allowed;
  };
  const any = (...ids: PostureQuestionId[]): boolean | null => {
    const results = ids.map(yes);
    if (results.includes(true)) return true;
    return results.includes(null) ? null : false;
  };
  const all = (...ids: PostureQuestionId[]): boolean | null => {
    const results = ids.map(yes);
    if (results.includes(false)) return false;
    return results.includes(null) ? null : true;
  };

  const reasons: string[] = [];
  const directWrite = any('direct-update-status', 'direct-patch-status', 'direct-update-node', 'direct-patch-node');
  const legacy = any('legacy-users');
  const arbitrary =
    all('arbitrary-identity') === true ? any('arbitrary-update-status', 'arbitrary-patch-status') : yes('arbitrary-identity');
  const granted = all('associated-identity', ...NEEDED_ASSOCIATED_VERBS);
  const gateOff = input.gate === 'disabled';
  const associated = gateOff && granted === true ? false : granted;
  const extraVerbs = EXTRA_ASSOCIATED_VERBS.filter((id) => yes(id) === true);
  const associatedIdentity = yes('associated-identity');

  if (directWrite) reasons.push('its ServiceAccount may write any node or node status directly');
  if (legacy) reasons.push('legacy impersonate on users lets it become any node');
  if (arbitrary) reasons.push('impersonate:arbitrary-node lets it act as any node');
  if (associatedIdentity && extraVerbs.length > 0)
    reasons.push(`impersonate-on:associated-node grants more than get and update: ${extraVerbs.join(', ')}`);
  const canReport = input.impersonatesNode ? associated === true : directWrite === true;
  if (input.impersonatesNode && gateOff && granted === true)
    reasons.push('ConstrainedImpersonation is disabled, so the associated-node grants have no effect: its writes are denied');
  else if (input.impersonatesNode && associated === false)
    reasons.push('IMPERSONATE_NODE=true but the associated-node grants are missing: its writes are denied');
  if (!input.impersonatesNode && associated === true && !directWrite)
    reasons.push('the constrained grants are present but IMPERSONATE_NODE is not true: it acts as itself and is denied');
  if (!input.impersonatesNode && associated !== true && directWrite === false) reasons.push('it has no way to write node status');

  const posture: Posture = directWrite
    ? 'broad'
    : legacy
      ? 'legacy-impersonation'
      : arbitrary
        ? 'arbitrary-node'
        : unanswered.length > 0
          ? 'unverified'
          : associatedIdentity && extraVerbs.length > 0
            ? 'over-privileged'
            : !canReport
              ? 'misconfigured'
              : 'constrained';
  if (posture === 'unverified')
    reasons.push(
      `not enough answers to tell (needs create on subjectaccessreviews, or list on RBAC objects): ${[...new Set(unanswered)].join(', ')}`,
    );
  if (posture === 'constrained')
    reasons.push('only its own node, only get and update of its status, through associated-node impersonation');
  return { posture, reasons, unanswered: [...new Set(unanswered)], extraVerbs, canReport };
}

/** Asks every posture question through `answer` (the apiserver, or rbacAnswerer). */
export function answerPostureQuestions(
  questions: PostureQuestion[],
  answer: (question: PostureQuestion) => ReviewAnswer | undefined,
): Map<PostureQuestionId, ReviewAnswer | undefined> {
  return new Map(questions.map((question) => [question.id, answer(question)]));
}

export function worstPosture(postures: Posture[]): Posture | null {
  return POSTURE_ORDER.find((posture) => postures.includes(posture)) ?? null;
}
