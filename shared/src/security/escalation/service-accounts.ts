// Becoming a ServiceAccount by its name: legacy impersonation, minting a
// token for it (bound to any node the attacker picks), or constrained
// impersonate:serviceaccount, after which every request also needs
// impersonate-on for the requester.
import { isExactly, type Claim } from '../ledger/entry.ts';
import { toAccount, type Account, type Bound, type EscalationClass, type Move, type MoveContext, type Pool } from './model.ts';

/**
 * Becoming a named ServiceAccount is all these grant; what that account may do
 * is its own ledger, which the search reads too. impersonate-on verbs for
 * serviceaccount mode only pass on what the impersonated account holds.
 */
const serviceAccountClaim: Claim = {
  by: 'service-accounts',
  covers: (entry) =>
    isExactly(entry, ['create'], '', 'serviceaccounts', 'token') ||
    isExactly(entry, ['impersonate'], '', 'serviceaccounts') ||
    isExactly(entry, ['impersonate:serviceaccount'], 'authentication.k8s.io', 'serviceaccounts') ||
    (entry.verb.startsWith('impersonate-on:serviceaccount:') && entry.verb !== 'impersonate-on:serviceaccount:*'),
};

/** The ServiceAccounts a principal's rules could name: by resourceNames, when every such rule lists them. */
function accountCandidates(rules: Bound[], pool: Pool): Account[] {
  const onAccounts = rules.filter((grant) =>
    grant.rule.resources.some(
      (resource) => resource === '*' || resource === 'serviceaccounts' || resource === 'serviceaccounts/token' || resource === '*/token',
    ),
  );
  if (onAccounts.length === 0) return [];
  if (onAccounts.some((grant) => grant.rule.resourceNames.length === 0)) return pool.accounts;
  const names = new Set(onAccounts.flatMap((grant) => grant.rule.resourceNames));
  return pool.accounts.filter((entry) => names.has(entry.name));
}

export function* serviceAccountMoves({ from, rules, ask, pool, constrainedOn }: MoveContext): Generator<Move> {
  const impersonates = from.credential;
  for (const { namespace, name } of accountCandidates(rules, pool)) {
    const legacy = impersonates ? ask({ verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace, name }) : null;
    if (legacy) yield toAccount(namespace, name, { how: 'impersonate (legacy)', grant: legacy });
    const minted = ask({ verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace, name });
    if (minted)
      yield toAccount(
        namespace,
        name,
        { how: 'mint a token, bound to any node, for', grant: minted },
        { anyNodeToken: true, credential: true },
      );
    if (constrainedOn && impersonates) {
      const identity = ask({
        verb: 'impersonate:serviceaccount',
        group: 'authentication.k8s.io',
        resource: 'serviceaccounts',
        namespace,
        name,
      });
      if (identity)
        yield toAccount(
          namespace,
          name,
          { how: 'impersonate:serviceaccount', grant: identity },
          { constrained: { requester: from.user, mode: 'serviceaccount' } },
        );
    }
  }
}

export const serviceAccounts: EscalationClass = {
  id: 'service-accounts',
  summary:
    'impersonate (legacy or impersonate:serviceaccount) or mint a token for a named ServiceAccount: its power, with a minted token bound to any node',
  resources: ['serviceaccounts', 'serviceaccounts/token'],
  moves: [serviceAccountMoves],
  claims: [serviceAccountClaim],
  proofs: [
    {
      attack: 'legacy impersonation of a ServiceAccount that writes node status',
      twin: 'legacy impersonation of a ServiceAccount that writes nothing',
    },
    {
      attack: 'constrained impersonation of that ServiceAccount, with impersonate-on for status updates',
      twin: 'constrained impersonation of it without impersonate-on',
    },
    { attack: "minting the reporter's own token, bound to node-b", twin: 'minting tokens only for a ServiceAccount that writes nothing' },
  ],
};
