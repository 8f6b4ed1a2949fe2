// Findings from walking the RBAC objects around a reporter's ServiceAccount:
// wildcards, grants that do nothing, unusual impersonation verbs, and who
// else can mint its tokens or run pods as it.
import type { Grant } from '../base/kube.ts';
import type { Finding } from '../nrc/findings.ts';
import type { Reporter } from '../nrc/reporters.ts';
import { describeGrant, indexRbac, rulesOf, serviceAccountUser, whoCan, type RbacObjects } from './rbac.ts';

const ADMIN_SUBJECTS = new Set(['Group/system:masters']);
const IMPERSONATION_VERB = /^impersonate(:|-on:|$)/;

/**
 * Holders of a power through the cluster's own machinery, not a grant anyone should review: cluster-admin,
 * system:masters, built-in identities, and kube-controller-manager's bootstrap system:controller:* bindings.
 */
function isBuiltIn(grant: Grant): boolean {
  return (
    grant.role.name === 'cluster-admin' ||
    ADMIN_SUBJECTS.has(`${grant.subject.kind}/${grant.subject.name}`) ||
    grant.subject.name.startsWith('system:') ||
    (grant.binding.name.startsWith('system:') && grant.role.name.startsWith('system:'))
  );
}

export function addRbacWalkFindings(reporter: Reporter, rbac: RbacObjects, add: (finding: Omit<Finding, 'subject'>) => void): void {
  const index = indexRbac(rbac);
  const sa = reporter.serviceAccount;
  const rules = rulesOf(index, serviceAccountUser(sa.namespace, sa.name));
  const wildcards = rules.filter(
    (grant) => grant.rule.verbs.includes('*') || grant.rule.resources.includes('*') || grant.rule.apiGroups.includes('*'),
  );
  if (wildcards.length > 0) {
    add({
      id: 'wildcard-grant',
      severity: wildcards.some((grant) => grant.rule.verbs.includes('*') && grant.scope === undefined) ? 'fail' : 'warn',
      title: 'A wildcard rule reaches the reporter: a "*" verb also grants every impersonate and impersonate-on verb',
      evidence: wildcards.map(describeGrant),
      remediation: 'Replace wildcards with the exact verbs and resources the reporter uses.',
    });
  }
  const ineffective = rules.filter(
    (grant) => grant.rule.resourceNames.length > 0 && grant.rule.verbs.some((verb) => verb === 'impersonate:associated-node'),
  );
  if (ineffective.length > 0) {
    add({
      id: 'ineffective-resource-names',
      severity: 'warn',
      title:
        'resourceNames on impersonate:associated-node never match: the apiserver always asks for the name "*", so this grant does nothing',
      evidence: ineffective.map(describeGrant),
      remediation: 'Drop resourceNames; associated-node already limits the reporter to its own node.',
    });
  }
  const unusual = rules.filter((grant) =>
    grant.rule.verbs.some(
      (verb) =>
        IMPERSONATION_VERB.test(verb) && verb !== 'impersonate:associated-node' && !verb.startsWith('impersonate-on:associated-node:'),
    ),
  );
  if (unusual.length > 0) {
    add({
      id: 'impersonation-verbs',
      severity: 'warn',
      title: 'Impersonation verbs other than associated-node are bound to the reporter',
      evidence: unusual.map(describeGrant),
      remediation: 'Keep only impersonate:associated-node and the impersonate-on:associated-node verbs the reporter uses.',
    });
  }
  const tokenMinters = whoCan(index, {
    verb: 'create',
    group: '',
    resource: 'serviceaccounts',
    subresource: 'token',
    name: sa.name,
    namespace: sa.namespace,
  }).filter((grant) => !isBuiltIn(grant));
  if (tokenMinters.length > 0) {
    add({
      id: 'token-minting',
      severity: 'warn',
      title: `Others can mint tokens for ${sa.namespace}/${sa.name}, bound to any node: they gain the reporter's node-bound power on every node`,
      evidence: tokenMinters.map(
        (grant) =>
          `${grant.subject.kind} ${grant.subject.namespace ? `${grant.subject.namespace}/` : ''}${grant.subject.name}: ${describeGrant(grant)}`,
      ),
      remediation: 'Limit create on serviceaccounts/token for this ServiceAccount to cluster administrators.',
    });
  }
  const podCreators = whoCan(index, { verb: 'create', group: '', resource: 'pods', namespace: sa.namespace }).filter(
    (grant) => !isBuiltIn(grant),
  );
  if (podCreators.length > 0) {
    add({
      id: 'pod-creation',
      severity: 'warn',
      title: `Others can create pods in ${sa.namespace} with any spec.nodeName and this ServiceAccount: their pods get its power for any node`,
      evidence: podCreators.map(
        (grant) =>
          `${grant.subject.kind} ${grant.subject.namespace ? `${grant.subject.namespace}/` : ''}${grant.subject.name}: ${describeGrant(grant)}`,
      ),
      remediation: `Run reporters in a namespace where only administrators create pods.`,
    });
  }
}
