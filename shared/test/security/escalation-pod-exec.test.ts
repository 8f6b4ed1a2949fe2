// The pod-exec class: on NRC's hardened example plus one grant in a namespace
// where a status writer's ServiceAccount lives, which capabilities the search
// finds, by which first hop, and whether the ledger leaves anything
// unassessed on the way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reachedLedgers, searchEscalationPaths, unassessedOf, type ReadinessCapability } from '../../src/index.ts';
import { bind, clusterRole, cniReporterSubject, hardenedWorkloads, rbacFrom, upstream } from '../rbac-fixtures.ts';

const TEAM = 'team-a';
const namespace = (name: string, level?: string) => ({
  kind: 'Namespace',
  metadata: { name, ...(level ? { labels: { 'pod-security.kubernetes.io/enforce': level } } : {}) },
});
/** A ServiceAccount of team-a that may write any node's status. */
const statusWriter = [
  clusterRole('status-writer', [{ apiGroups: [''], resources: ['nodes/status'], verbs: ['get', 'update'] }]),
  bind('ClusterRoleBinding', 'status-writer', { kind: 'ClusterRole', name: 'status-writer' }, [
    { kind: 'ServiceAccount', name: 'agent', namespace: TEAM },
  ]),
];
const inTeam = (rule: Record<string, unknown>, where = TEAM) => [
  clusterRole('reach-in', [rule]),
  bind('RoleBinding', 'reach-in', { kind: 'ClusterRole', name: 'reach-in' }, [cniReporterSubject], where),
];
const pods = (subresource: string, verbs: string[], resourceNames?: string[]) => ({
  apiGroups: [''],
  resources: [`pods/${subresource}`],
  verbs,
  ...(resourceNames ? { resourceNames } : {}),
});

interface Case {
  name: string;
  extra: Record<string, unknown>[];
  /** team-a's Pod Security level; none is the apiserver's default, privileged. */
  level?: string;
  expected: ReadinessCapability[];
  /** The first hop of every path found. */
  firstHop?: string;
  unassessed: boolean;
}

const cases: Case[] = [
  {
    name: "create pods/exec in a baseline namespace: the status writer's token there",
    extra: [...statusWriter, ...inTeam(pods('exec', ['create']))],
    level: 'baseline',
    expected: ['forge-other-node-conditions'],
    firstHop: `exec into a pod running in ${TEAM}:`,
    unassessed: false,
  },
  {
    name: "create pods/exec limited to one pod's name still reaches into it",
    extra: [...statusWriter, ...inTeam(pods('exec', ['create'], ['agent-0']))],
    level: 'baseline',
    expected: ['forge-other-node-conditions'],
    firstHop: `exec into a pod running in ${TEAM}:`,
    unassessed: false,
  },
  {
    name: "create pods/exec where Pod Security admits privileged pods, with no powerful ServiceAccount: the node's identity, so any node's status",
    extra: inTeam(pods('exec', ['create'])),
    expected: ['forge-other-node-conditions'],
    firstHop: `exec into a pod running in ${TEAM}:`,
    unassessed: false,
  },
  {
    name: 'patch pods/ephemeralcontainers: the same reach',
    extra: [...statusWriter, ...inTeam(pods('ephemeralcontainers', ['patch']))],
    level: 'baseline',
    expected: ['forge-other-node-conditions'],
    firstHop: `add an ephemeral container to a pod running in ${TEAM}:`,
    unassessed: false,
  },
  {
    name: 'create pods/exec in a baseline namespace with no powerful ServiceAccount: nothing, all accounted for',
    extra: [...statusWriter, ...inTeam(pods('exec', ['create']), 'team-b')],
    level: 'baseline',
    expected: [],
    unassessed: false,
  },
  {
    name: 'get pods/exec: no hop, and unassessed (a WebSocket exec where the create check is off)',
    extra: [...statusWriter, ...inTeam(pods('exec', ['get']))],
    level: 'baseline',
    expected: [],
    unassessed: true,
  },
  {
    name: 'create pods/attach: no hop, and unassessed',
    extra: [...statusWriter, ...inTeam(pods('attach', ['create']))],
    level: 'baseline',
    expected: [],
    unassessed: true,
  },
  {
    name: 'reading pods/ephemeralcontainers: no hop, and unassessed',
    extra: [...statusWriter, ...inTeam(pods('ephemeralcontainers', ['get']))],
    level: 'baseline',
    expected: [],
    unassessed: true,
  },
  {
    name: "create pods/exec cluster-wide: the reporter's own pod on node-b, whose token writes node-b's status",
    extra: [
      clusterRole('exec-everywhere', [pods('exec', ['create'])]),
      bind('ClusterRoleBinding', 'exec-everywhere', { kind: 'ClusterRole', name: 'exec-everywhere' }, [cniReporterSubject]),
    ],
    level: 'baseline',
    expected: ['forge-other-node-conditions'],
    firstHop: 'exec into a pod running in kube-system:',
    unassessed: false,
  },
];

describe('pod-exec: exec and ephemeral containers in running pods', () => {
  for (const { name, extra, level, expected, firstHop, unassessed } of cases)
    it(name, () => {
      const input = {
        rbac: rbacFrom(upstream.constrained(), extra),
        serviceAccount: { namespace: 'kube-system', name: 'cni-reporter' },
        gate: 'enabled' as const,
        workloads: hardenedWorkloads(),
        otherNode: 'node-b',
        namespaces: [namespace(TEAM, level), namespace('team-b', 'baseline'), namespace('kube-system', 'baseline')],
      };
      const found = searchEscalationPaths(input).filter((entry) => entry.capability !== 'rewrite-own-conditions');
      assert.deepEqual(
        found.map((entry) => entry.capability),
        expected,
      );
      if (firstHop) for (const entry of found) assert.equal(entry.path[0]?.how, firstHop);
      const open = unassessedOf(reachedLedgers(input));
      assert.equal(open.length > 0, unassessed, JSON.stringify(open.map((ledger) => ledger.entries.map((entry) => entry.text))));
    });
});
