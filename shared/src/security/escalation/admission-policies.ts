// Admission policies: CEL that kube-apiserver runs on every matching write.
// A MutatingAdmissionPolicy with a binding rewrites any write, so it is
// anyone; a ValidatingAdmissionPolicy with a binding denies writes, node-b's
// status included (a capability, in capabilities.ts). A policy does nothing
// until a binding selects it, so each kind needs both.
import { toSpecial, type EscalationClass, type Move, type MoveContext } from './model.ts';

const ADMISSION = 'admissionregistration.k8s.io';

export function* mutatingPolicy({ ask }: MoveContext): Generator<Move> {
  const write = (resource: string) => ['create', 'update', 'patch'].map((verb) => ask({ verb, group: ADMISSION, resource })).find(Boolean);
  const policy = write('mutatingadmissionpolicies');
  const binding = policy ? write('mutatingadmissionpolicybindings') : null;
  if (policy && binding)
    yield toSpecial('anyone', {
      how: 'register a mutating admission policy, and bind it, that rewrites any write',
      grant: `${policy}; ${binding}`,
    });
}

/**
 * Nothing claimed yet: a policy alone is enough where a binding already names
 * it (or names one not created yet), and a binding alone where an existing
 * policy's expressions would deny or rewrite what it newly selects; neither
 * is walked, so these grants stay unassessed.
 */
export const admissionPolicies: EscalationClass = {
  id: 'admission-policies',
  summary:
    'register an admission policy and a binding for it: a mutating one rewrites any write (anyone), a validating one denies node-b its own status writes',
  resources: ['mutatingadmissionpolicies', 'mutatingadmissionpolicybindings'],
  moves: [mutatingPolicy],
  claims: [],
  proofs: [
    {
      attack: "a validating admission policy and its binding: node-b's own status writes are denied",
      twin: 'the same policy without create on bindings',
    },
    {
      attack: "a mutating admission policy and its binding: node-b's own status writes are forged",
      twin: 'the same mutating policy without create on bindings',
    },
  ],
};
