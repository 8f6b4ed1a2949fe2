// The catalogue of escalation classes: one file of this folder each, listed
// here once. The engine walks their moves in this order (it breaks ties
// between equally short paths), the ledger takes their claims, and
// docs/escalation.md's catalogue table is rendered from it and checked
// against it. Adding a class is one file and one row.
import { admissionPolicies } from './admission-policies.ts';
import { readinessCapabilities } from './capabilities.ts';
import { certificates } from './certificates.ts';
import { impersonation } from './impersonation.ts';
import type { EscalationClass } from './model.ts';
import { nodeIdentity } from './node-identity.ts';
import { nodeProxies } from './node-proxy.ts';
import { nrcMachinery } from './nrc-machinery.ts';
import { persistentVolumes } from './persistent-volumes.ts';
import { podExecs } from './pod-exec.ts';
import { roleBindings } from './role-binding.ts';
import { secrets } from './secrets.ts';
import { serviceAccounts } from './service-accounts.ts';
import { webhooks } from './webhooks.ts';
import { workloads } from './workloads.ts';

export const CATALOGUE: EscalationClass[] = [
  serviceAccounts,
  secrets,
  workloads,
  podExecs,
  persistentVolumes,
  impersonation,
  certificates,
  nodeProxies,
  nodeIdentity,
  roleBindings,
  webhooks,
  admissionPolicies,
  nrcMachinery,
  readinessCapabilities,
];

/** Where docs/escalation.md holds the rendered table. */
export const CATALOGUE_START =
  '<!-- catalogue:start (rendered from shared/src/security/escalation/catalogue.ts by node test/docs/escalation-catalogue.ts) -->';
export const CATALOGUE_END = '<!-- catalogue:end -->';

const cell = (text: string) => text.replaceAll('|', '\\|');

/** The table docs/escalation.md carries between its catalogue markers. */
export function renderCatalogue(catalogue: EscalationClass[] = CATALOGUE): string {
  const rows = catalogue.map((entry) => {
    const proofs = entry.proofs.map((proof) => `${proof.attack} / ${proof.twin}`).join('; ');
    // A class whose moves read no RBAC rule (the Node authorizer's) has no grant to claim.
    const claims =
      entry.claims.length === 0 && entry.resources.length === 0 && entry.moves.length === 0
        ? 'no RBAC grant: reached through other classes'
        : entry.claims.length === 0
          ? 'nothing yet: its grants stay unassessed'
          : entry.claims.map((claim) => (claim.by === entry.id ? 'its grants' : claim.by)).join(', ');
    return `| \`${entry.id}\` | ${cell(entry.summary)} | ${cell(claims)} | ${cell(proofs)} |`;
  });
  return ['| class | walks | claims in the ledger | attack / nearest denied twin (test/e2e) |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}
