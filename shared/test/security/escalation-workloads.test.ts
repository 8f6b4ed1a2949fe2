// Pod Security, as the workloads class reads it: only an enforce label of
// baseline or restricted keeps a pod from the host; anything else, or no
// knowledge at all, is the apiserver's default, privileged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reachedLedgers, searchEscalationPaths, unassessedOf } from '../../src/index.ts';
import { admitsHostAccess } from '../../src/security/escalation/workloads.ts';
import { bind, clusterRole, cniReporterSubject, hardenedWorkloads, rbacFrom, upstream } from '../rbac-fixtures.ts';

const namespace = (name: string, labels?: Record<string, string>) => ({
  kind: 'Namespace',
  metadata: { name, ...(labels ? { labels } : {}) },
});
const enforcing = (level: string) => ({ 'pod-security.kubernetes.io/enforce': level });

describe('admitsHostAccess', () => {
  const cases: [name: string, namespaces: unknown[] | null, asked: string, admits: boolean][] = [
    ['no label: the default level, privileged', [namespace('web')], 'web', true],
    ['enforce: privileged', [namespace('web', enforcing('privileged'))], 'web', true],
    ['enforce: baseline forbids privileged and hostPath', [namespace('web', enforcing('baseline'))], 'web', false],
    ['enforce: restricted', [namespace('web', enforcing('restricted'))], 'web', false],
    ['a value admission cannot parse is not trusted to restrict', [namespace('web', enforcing('Baseline'))], 'web', true],
    [
      'only warn or audit at baseline: nothing is refused',
      [namespace('web', { 'pod-security.kubernetes.io/warn': 'baseline' })],
      'web',
      true,
    ],
    ['a namespace not in the list', [namespace('web', enforcing('baseline'))], 'other', true],
    ['the Namespaces could not be read', null, 'web', true],
  ];
  for (const [name, namespaces, asked, admits] of cases)
    it(name, () => {
      assert.equal(admitsHostAccess(namespaces)(asked), admits);
    });
});

describe('workloads: relabelling a namespace to lift Pod Security', () => {
  /** Pods in web only (a RoleBinding), the namespace rule cluster-wide (namespaces are cluster-scoped). */
  const grants = (namespaceRule: Record<string, unknown>) => [
    clusterRole('pod-creator', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }]),
    bind('RoleBinding', 'pod-creator', { kind: 'ClusterRole', name: 'pod-creator' }, [cniReporterSubject], 'web'),
    clusterRole('namespace-writer', [namespaceRule]),
    bind('ClusterRoleBinding', 'namespace-writer', { kind: 'ClusterRole', name: 'namespace-writer' }, [cniReporterSubject]),
  ];
  const onNamespace = (verbs: string[], name: string) => ({ apiGroups: [''], resources: ['namespaces'], verbs, resourceNames: [name] });
  const cases: [name: string, namespaceRule: Record<string, unknown>, firstHop: string | null, unassessed: boolean][] = [
    [
      "create pods and patch the baseline namespace: relabel it, then a privileged pod there, so any node's identity",
      onNamespace(['patch'], 'web'),
      "relabel web to pod-security.kubernetes.io/enforce: privileged, then create a privileged pod with a hostPath of the kubelet's credentials there, on any node:",
      true,
    ],
    ['create pods and only get the namespace: nothing', onNamespace(['get'], 'web'), null, false],
    ['create pods, and patch only another namespace: nothing found, the patch unassessed', onNamespace(['patch'], 'other'), null, true],
  ];
  for (const [name, namespaceRule, firstHop, unassessed] of cases)
    it(name, () => {
      const input = {
        rbac: rbacFrom(upstream.constrained(), grants(namespaceRule)),
        serviceAccount: { namespace: 'kube-system', name: 'cni-reporter' },
        gate: 'enabled' as const,
        workloads: hardenedWorkloads(),
        otherNode: 'node-b',
        // Every namespace the search knows of holds to baseline: only a relabel opens one.
        namespaces: ['web', 'kube-system', 'nrc-system'].map((name) => namespace(name, enforcing('baseline'))),
      };
      const paths = searchEscalationPaths(input).filter((entry) => entry.capability !== 'rewrite-own-conditions');
      assert.deepEqual(
        paths.map((entry) => [entry.capability, entry.path[0]?.how]),
        firstHop ? [['forge-other-node-conditions', firstHop]] : [],
      );
      assert.equal(unassessedOf(reachedLedgers(input)).length > 0, unassessed);
    });
});
