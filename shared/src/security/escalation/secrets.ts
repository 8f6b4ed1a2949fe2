// Legacy token Secrets: reading Secrets in a namespace hands over every
// ServiceAccount's kubernetes.io/service-account-token there, a token bound
// to no node.
import { isExactly, type Claim } from '../ledger/entry.ts';
import { firstGrant, toAccount, toNamespace, touches, type EscalationClass, type Move, type MoveContext, type Principal } from './model.ts';

/**
 * Reads of Secrets in one namespace other than kube-system, which also holds
 * bootstrap tokens (a node's way to a kubelet certificate, not walked yet).
 * Assumed: Secrets other than ServiceAccount tokens carry no Kubernetes credential.
 */
const secretsClaim: Claim = {
  by: 'secrets',
  covers: (entry) =>
    isExactly(entry, ['get', 'list', 'watch'], '', 'secrets') && entry.namespace !== null && entry.namespace !== 'kube-system',
};

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
export function* tokenIdentities(from: Principal, { accountsIn }: Pick<MoveContext, 'accountsIn'>): Generator<Move> {
  for (const target of accountsIn.get(from.user.username) ?? [])
    yield toAccount(
      target.namespace,
      target.name,
      { how: 'the legacy token of', grant: 'a Secret of type kubernetes.io/service-account-token' },
      { credential: true },
    );
}

export const secrets: EscalationClass = {
  id: 'secrets',
  summary: "read Secrets in a namespace: every ServiceAccount's legacy token there, bound to no node",
  resources: ['secrets'],
  moves: [secretReads],
  claims: [secretsClaim],
  proofs: [{ attack: "reading Secrets in kube-system: a status writer's legacy token", twin: 'reading Secrets only in default' }],
};
