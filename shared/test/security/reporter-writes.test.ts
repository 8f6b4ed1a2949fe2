import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideReporterWrites,
  discoverReporters,
  planReporterWrites,
  rbacAnswerer,
  reporterRequests,
  type GateState,
  type RbacObjects,
  type Reporter,
} from '../../src/index.ts';
import { reporterDaemonSet } from '../workloads.ts';
import { arbitraryNode, bind, clusterRole, cniReporterSubject, legacyImpersonator, rbacFrom, upstream } from '../rbac-fixtures.ts';

const account = { namespace: 'kube-system', name: 'cni-reporter' };

const NRC_REPORTER_IMAGE = 'registry.k8s.io/node-readiness-controller/node-readiness-reporter:v0.1.1';

function reporter(impersonatesNode: boolean, kind?: string, image = NRC_REPORTER_IMAGE): Reporter {
  const options = { impersonatesNode, image, ...(kind ? { kind } : {}) };
  return discoverReporters([reporterDaemonSet('cni-reporter', 'projectcalico.org/CalicoReady', account, options)], []).reporters[0]!;
}

/** What NRC's own broad example grants: get and update of every node's status, as the ServiceAccount. */
const broad = [
  clusterRole('node-status-writer', [
    { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
    { apiGroups: [''], resources: ['nodes/status'], verbs: ['update', 'patch'] },
  ]),
  bind('ClusterRoleBinding', 'node-status-writer', { kind: 'ClusterRole', name: 'node-status-writer' }, [cniReporterSubject]),
];

function decide(impersonates: boolean, rbac: RbacObjects | null, gate: GateState, kind?: string) {
  const subject = reporter(impersonates, kind);
  const answer = rbac ? rbacAnswerer(rbac) : () => undefined;
  return decideReporterWrites(subject, planReporterWrites(subject, 'node-b', gate), answer);
}

describe('reporter writes on its own node', () => {
  const cases: [string, boolean, RbacObjects | null, GateState, boolean | null, RegExp][] = [
    [
      'no grant, as itself',
      false,
      rbacFrom([]),
      'enabled',
      false,
      /^get nodes node-b: denied as system:serviceaccount:kube-system:cni-reporter/,
    ],
    [
      'the broad grant, as itself',
      false,
      rbacFrom(broad),
      'enabled',
      true,
      /update nodes\/status node-b: allowed as system:serviceaccount/,
    ],
    [
      "NRC's constrained example, impersonating its node",
      true,
      rbacFrom(upstream.constrained()),
      'enabled',
      true,
      /update nodes\/status node-b: allowed impersonating system:node:node-b via associated-node/,
    ],
    [
      'the constrained example with the gate off: associated-node does not exist',
      true,
      rbacFrom(upstream.constrained()),
      'disabled',
      false,
      /may not impersonate system:node:node-b/,
    ],
    [
      'the constrained example, gate unknown: undecided, not allowed',
      true,
      rbacFrom(upstream.constrained()),
      'unknown',
      null,
      /allowed only via associated-node, and whether the ConstrainedImpersonation gate is on is unknown/,
    ],
    [
      'arbitrary-node without impersonate-on get: the read is refused',
      true,
      rbacFrom(arbitraryNode),
      'enabled',
      false,
      /^get nodes node-b: denied/,
    ],
    [
      'legacy impersonation: NRC sends no Impersonate-Group, so the node user lacks system:nodes',
      true,
      rbacFrom(legacyImpersonator),
      'disabled',
      false,
      /^get nodes node-b: denied impersonating system:node:node-b via legacy: .* without the system:nodes group is not authorized/,
    ],
    ['impersonating with the broad grant only', true, rbacFrom(broad), 'enabled', false, /may not impersonate system:node:node-b/],
    ['reviews refused', false, null, 'enabled', null, /cannot tell: no answer for direct/],
  ];
  it("only NRC's reporter's requests are known: another reporter is not asked about", () => {
    const custom = reporter(true, undefined, 'example.com/reporter:v1');
    assert.equal(custom.kind, 'custom');
    assert.equal(reporterRequests(custom, 'node-b'), null);
    assert.deepEqual(planReporterWrites(custom, 'node-b', 'enabled'), []);
  });

  it("a Deployment's pod runs on another node: associated-node, which reaches only that one, cannot write this node", () => {
    const writes = decide(true, rbacFrom(upstream.constrained()), 'enabled', 'Deployment');
    assert.equal(writes.allowed, false);
    assert.match(writes.explanation, /^get nodes node-b: denied: kube-system\/cni-reporter may not impersonate system:node:node-b/);
    assert.ok(writes.verdicts.every(({ verdict }) => verdict.steps.every((step) => !step.step.startsWith('associated-node'))));
  });

  for (const [name, impersonates, rbac, gate, allowed, explanation] of cases) {
    it(`${name} → ${allowed}`, () => {
      const writes = decide(impersonates, rbac, gate);
      assert.equal(writes.allowed, allowed, writes.explanation);
      assert.match(writes.explanation, explanation);
      assert.deepEqual(
        writes.verdicts.map(({ request }) => request),
        ['get nodes node-b', 'update nodes/status node-b'],
      );
    });
  }
});
