// Legacy token Secrets: reading Secrets in a namespace hands over every
// ServiceAccount's kubernetes.io/service-account-token there, a token bound
// to no node. kube-system also holds bootstrap tokens
// (bootstrap.kubernetes.io/token, bootstrap-token-<id>), which authenticate
// as system:bootstrap:<id> in system:bootstrappers when the apiserver runs
// --enable-bootstrap-token-auth, as kubeadm's does.
import { isExactly, type Claim } from '../ledger/entry.ts';
import {
  firstGrant,
  toAccount,
  toNamespace,
  touches,
  type EscalationClass,
  type Move,
  type MoveContext,
  type Pool,
  type Principal,
} from './model.ts';

/**
 * Reads of Secrets anywhere: legacy tokens everywhere, and kube-system's
 * bootstrap tokens, whose identity's power is read from the bindings like any
 * other. Assumed: no other Secret carries a credential the cluster accepts
 * (kubeconfigs, or cloud credentials that act on nodes from outside).
 */
const secretsClaim: Claim = {
  by: 'secrets',
  covers: (entry) => isExactly(entry, ['get', 'list', 'watch'], '', 'secrets'),
};

/**
 * Whoever holds a bootstrap token: its groups are system:bootstrappers and
 * the auth-extra-groups of its Secret, which must start with
 * system:bootstrappers:. The Secret's content is not read, so every such group
 * a binding names is taken as one of them.
 */
export function bootstrapIdentity(pool: Pick<Pool, 'groups'>): Move {
  const groups = [
    'system:bootstrappers',
    ...pool.groups.filter((group) => group.startsWith('system:bootstrappers:')),
    'system:authenticated',
  ];
  const label = 'a bootstrap token (system:bootstrappers)';
  return [
    {
      label,
      kind: 'identity',
      user: { username: 'system:bootstrap:<token-id>', groups },
      constrained: null,
      anyNodeToken: false,
      ownNodeToken: false,
      credential: true,
    },
    { how: 'the bootstrap token of', to: label, grant: 'a Secret of type bootstrap.kubernetes.io/token in kube-system' },
  ];
}

const SECRET_RESOURCES = new Set(['secrets']);

export function* secretReads({ rules, ask, namespaces }: MoveContext): Generator<Move> {
  if (!touches(rules, SECRET_RESOURCES)) return;
  // Counted even when names limit it: a creator picks the name of the token Secret it makes, and a legacy token's name is on its ServiceAccount.
  const names = ['any-name', ...rules.flatMap((grant) => (grant.rule.resources.includes('secrets') ? grant.rule.resourceNames : []))];
  for (const namespace of namespaces) {
    const reads = firstGrant(
      ask,
      (function* () {
        for (const verb of ['list', 'watch', 'get'])
          for (const name of names) yield { verb, group: '', resource: 'secrets', namespace, name };
      })(),
    );
    if (reads) yield toNamespace('tokens', namespace, `read Secrets in ${namespace}:`, reads);
  }
}

/** From a namespace's token Secrets to each of its ServiceAccounts. */
export function* tokenIdentities(from: Principal, { accountsIn, pool }: Pick<MoveContext, 'accountsIn' | 'pool'>): Generator<Move> {
  for (const target of accountsIn.get(from.user.username) ?? [])
    yield toAccount(
      target.namespace,
      target.name,
      { how: 'the legacy token of', grant: 'a Secret of type kubernetes.io/service-account-token' },
      { credential: true },
    );
  if (from.user.username === 'kube-system') yield bootstrapIdentity(pool);
}

export const secrets: EscalationClass = {
  id: 'secrets',
  summary:
    "read Secrets in a namespace: every ServiceAccount's legacy token there, bound to no node; in kube-system, a bootstrap token (system:bootstrappers)",
  resources: ['secrets'],
  moves: [secretReads],
  claims: [secretsClaim],
  proofs: [
    { attack: "reading Secrets in kube-system: a status writer's legacy token", twin: 'reading Secrets only in default' },
    {
      attack: "reading Secrets in kube-system: a bootstrap token, joined as node-b with kubeadm's bindings",
      twin: 'reading Secrets only in default, with the same kubeadm bootstrap token in kube-system',
    },
  ],
};
