// Impersonating users, groups and nodes: legacy `impersonate` (resourceNames
// honoured), or constrained impersonate:user-info, after which every request
// also needs impersonate-on for the requester. Only a held token can
// impersonate: a request carries one set of impersonation headers.
import { ruleAllows } from '../rbac.ts';
import { isExactly, type Claim } from '../ledger/entry.ts';
import { toSpecial, type EscalationClass, type Move, type MoveContext } from './model.ts';

/**
 * Becoming a user or a group is all these grant; the search follows every
 * user and group a binding names, and an unnamed one holds only what
 * system:authenticated holds. uids and userextras (a node name among them)
 * are not walked.
 */
const impersonationClaim: Claim = {
  by: 'impersonation',
  covers: (entry) =>
    isExactly(entry, ['impersonate'], '', 'users') ||
    isExactly(entry, ['impersonate'], '', 'groups') ||
    isExactly(entry, ['impersonate:user-info'], 'authentication.k8s.io', 'users') ||
    (entry.verb.startsWith('impersonate-on:user-info:') && entry.verb !== 'impersonate-on:user-info:*'),
};

export function* userImpersonation({ from, ask, pool, constrainedOn }: MoveContext): Generator<Move> {
  for (const name of from.credential ? pool.users : []) {
    const legacy = ask({ verb: 'impersonate', group: '', resource: 'users', name });
    const userInfo = constrainedOn ? ask({ verb: 'impersonate:user-info', group: 'authentication.k8s.io', resource: 'users', name }) : null;
    const grant = legacy ?? userInfo;
    if (!grant) continue;
    yield [
      {
        label: `User ${name}`,
        kind: 'identity',
        user: { username: name, groups: ['system:authenticated'] },
        constrained: legacy ? null : { requester: from.user, mode: 'user-info' },
        anyNodeToken: false,
        ownNodeToken: false,
        credential: false,
      },
      { how: legacy ? 'impersonate (legacy)' : 'impersonate:user-info', to: `User ${name}`, grant },
    ];
  }
}

export function* groupImpersonation({ from, ask, pool, powerOf }: MoveContext): Generator<Move> {
  // Impersonate-Group needs an Impersonate-User too: any user name will do.
  const anyUser =
    from.credential &&
    powerOf(from.user).some(
      (grant) =>
        grant.scope === undefined &&
        grant.rule.resourceNames.length === 0 &&
        ruleAllows(grant.rule, { verb: 'impersonate', group: '', resource: 'users' }),
    );
  if (!anyUser) return;
  for (const name of pool.groups) {
    const grant = ask({ verb: 'impersonate', group: '', resource: 'groups', name });
    if (grant)
      yield [
        {
          label: `Group ${name}`,
          kind: 'identity',
          user: { username: 'any user', groups: [name, 'system:authenticated'] },
          constrained: null,
          anyNodeToken: false,
          ownNodeToken: false,
          credential: false,
        },
        { how: 'impersonate a user in group (legacy)', to: `Group ${name}`, grant },
      ];
  }
}

/** A node's user name with its group: the Node authorizer's and NodeRestriction's node identity. */
export function* nodeImpersonation({ from, ask, otherNode }: MoveContext): Generator<Move> {
  const nodeUser = from.credential ? ask({ verb: 'impersonate', group: '', resource: 'users', name: `system:node:${otherNode}` }) : null;
  const nodeGroup = from.credential ? ask({ verb: 'impersonate', group: '', resource: 'groups', name: 'system:nodes' }) : null;
  if (nodeUser && nodeGroup)
    yield toSpecial('any-node', {
      how: 'impersonate (legacy, with Impersonate-Group: system:nodes)',
      grant: `${nodeUser}; ${nodeGroup}`,
    });
}

export const impersonation: EscalationClass = {
  id: 'impersonation',
  summary:
    'impersonate a user or group (legacy, or impersonate:user-info then impersonate-on), or system:node:<name> with system:nodes: that identity',
  resources: ['users', 'groups'],
  moves: [userImpersonation, groupImpersonation, nodeImpersonation],
  claims: [impersonationClaim],
  proofs: [{ attack: 'legacy impersonation of a user who may update node status', twin: 'legacy impersonation of a user who may not' }],
};
