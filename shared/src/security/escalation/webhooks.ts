// Admission webhooks: a mutating webhook the attacker registers rewrites any
// write, so it is anyone. (A validating one only denies writes: a
// capability, in capabilities.ts, not a hop.)
import { isExactly, type Claim } from '../ledger/entry.ts';
import { toSpecial, type EscalationClass, type Move, type MoveContext } from './model.ts';

/** A mutating webhook is anyone; a validating one denies writes (a capability: its claim is in capabilities.ts). */
const webhooksClaim: Claim = {
  by: 'webhooks',
  covers: (entry) =>
    isExactly(entry, ['create', 'update', 'patch'], 'admissionregistration.k8s.io', 'mutatingwebhookconfigurations') &&
    entry.namespace === null,
};

export function* mutatingWebhook({ ask }: MoveContext): Generator<Move> {
  const webhook = ['create', 'update', 'patch']
    .map((verb) => ask({ verb, group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' }))
    .find(Boolean);
  if (webhook) yield toSpecial('anyone', { how: 'register a mutating webhook that rewrites any write', grant: webhook });
}

export const webhooks: EscalationClass = {
  id: 'webhooks',
  summary: 'register a mutating admission webhook: it rewrites any write, so it is anyone',
  resources: ['mutatingwebhookconfigurations'],
  moves: [mutatingWebhook],
  claims: [webhooksClaim],
  proofs: [{ attack: "registering a mutating webhook: node-b's own writes are forged", twin: 'reading mutating webhooks only' }],
};
