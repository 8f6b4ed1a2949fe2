import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  blockers,
  configurationFindings,
  decideReporterWrites,
  diagnoseNode,
  discoverReporters,
  evaluateCluster,
  formatHeld,
  placePod,
  planReporterWrites,
  rbacAnswerer,
  readNode,
  readPodSpec,
  rootCauseLine,
  toleratesTaint,
  type DiagnosisEvidence,
  type HeldDuration,
  type ReporterWrites,
  type Node,
  type Taint,
} from '../../src/index.ts';
import { NOW, condition, minutesAgo, networkTaint, node } from '../nodes.ts';
import { bind, clusterRole, cniReporterSubject, rbacFrom } from '../rbac-fixtures.ts';
import { anyOf, calico, network, rule } from '../rules.ts';

const worker = (name: string, extra: Parameters<typeof node>[1] = {}) => node(name, { labels: { pool: 'general' }, ...extra });

function failedCreate(daemonSet: string, lastTimestamp: string, message: string): unknown {
  return {
    reason: 'FailedCreate',
    type: 'Warning',
    involvedObject: { kind: 'DaemonSet', namespace: 'kube-system', name: daemonSet },
    lastTimestamp,
    message,
  };
}

function reporterDaemonSet(podSpec: Record<string, unknown> = {}, name = 'cni-reporter', conditionType = calico): unknown {
  return {
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system' },
    spec: {
      template: {
        spec: {
          serviceAccountName: name,
          containers: [
            {
              name: 'reporter',
              image: 'registry.k8s.io/node-readiness-controller/node-readiness-reporter:v0.1.1',
              env: [{ name: 'CONDITION_TYPE', value: conditionType }],
            },
          ],
          ...podSpec,
        },
      },
    },
  };
}

const tolerant = reporterDaemonSet({ tolerations: [{ operator: 'Exists' }] });

function pod(daemonSet: string, status: Record<string, unknown>, spec: Record<string, unknown> = { nodeName: 'node-b' }): unknown {
  return {
    kind: 'Pod',
    metadata: { name: `${daemonSet}-x1`, namespace: 'kube-system', ownerReferences: [{ kind: 'DaemonSet', name: daemonSet }] },
    spec,
    status,
  };
}

/** A daemon pod the scheduler has not bound: the DaemonSet controller names its node in a matchFields term. */
const unboundFor = (name: string) => ({
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [name] }] }],
      },
    },
  },
});

const running = pod('cni-reporter', {
  phase: 'Running',
  containerStatuses: [{ name: 'reporter', ready: true, restartCount: 0, state: { running: {} } }],
});

/** NRC's broad example: get and update of every node's status, as the ServiceAccount. */
const broadGrant = [
  clusterRole('node-status-writer', [
    { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
    { apiGroups: [''], resources: ['nodes/status'], verbs: ['update'] },
  ]),
  bind('ClusterRoleBinding', 'node-status-writer', { kind: 'ClusterRole', name: 'node-status-writer' }, [cniReporterSubject]),
];

/** The cni-reporter's writes on `node` as the apiserver would decide them under `rbac`. */
function writesOf(rbac: Record<string, unknown>[], node = 'node-b'): ReporterWrites[] {
  const reporter = discoverReporters([tolerant], [network]).reporters[0]!;
  const answer = rbacAnswerer(rbacFrom(rbac));
  return [decideReporterWrites(reporter, planReporterWrites(reporter, node, 'enabled'), answer)];
}

function diagnose(target: Node, evidence: Partial<DiagnosisEvidence>, rules: unknown[] = [network], reconcileGraceSeconds?: number) {
  const [readiness] = evaluateCluster(rules, [target], { now: NOW }).nodes;
  return diagnoseNode(
    readNode(target),
    readiness!,
    { rules, workloads: [], pods: null, events: null, ...evidence },
    { now: NOW, ...(reconcileGraceSeconds === undefined ? {} : { reconcileGraceSeconds }) },
  );
}

describe('toleratesTaint and placePod', () => {
  const taint: Taint = { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule', value: 'pending' };
  const cases: [string, Record<string, string>, boolean][] = [
    ['Exists on every key', { operator: 'Exists' }, true],
    ['Exists on the key', { key: taint.key, operator: 'Exists' }, true],
    ['Exists on the key, other effect', { key: taint.key, operator: 'Exists', effect: 'NoExecute' }, false],
    ['Equal with the value', { key: taint.key, value: 'pending' }, true],
    ['Equal with another value', { key: taint.key, operator: 'Equal', value: 'x' }, false],
    ['another key', { key: 'readiness.k8s.io/Other', operator: 'Exists' }, false],
    ['Equal without a key', { operator: 'Equal' }, false],
  ];
  for (const [name, toleration, expected] of cases)
    it(`${name} → ${expected}`, () => assert.equal(toleratesTaint(toleration, taint), expected));

  const target = readNode(
    node('n1', { labels: { pool: 'gpu', cores: '8' }, taints: [taint, { key: 'soft', effect: 'PreferNoSchedule' }] }),
  );
  const placements: [string, Record<string, unknown>, boolean, string | null][] = [
    ['no toleration', {}, false, null],
    ['tolerated, no selector', { tolerations: [{ operator: 'Exists' }] }, true, null],
    [
      'nodeSelector mismatch',
      { tolerations: [{ operator: 'Exists' }], nodeSelector: { pool: 'general' } },
      false,
      'nodeSelector pool=general',
    ],
    [
      'affinity In matches',
      {
        tolerations: [{ operator: 'Exists' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['gpu'] }] }],
            },
          },
        },
      },
      true,
      null,
    ],
    [
      'affinity Gt fails, second term NotIn passes',
      {
        tolerations: [{ operator: 'Exists' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['16'] }] },
                { matchExpressions: [{ key: 'pool', operator: 'NotIn', values: ['general'] }] },
              ],
            },
          },
        },
      },
      true,
      null,
    ],
    [
      'an empty term matches no node',
      {
        tolerations: [{ operator: 'Exists' }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } },
      },
      false,
      'required node affinity',
    ],
    [
      'matchFields on the name',
      {
        tolerations: [{ operator: 'Exists' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
            },
          },
        },
      },
      true,
      null,
    ],
  ];
  for (const [name, spec, fits, mismatch] of placements) {
    it(`places a daemon pod: ${name}`, () => {
      const placement = placePod(readPodSpec(spec, true), target);
      assert.equal(placement.fits, fits);
      if (mismatch === null) assert.equal(placement.selectorMismatch, null);
      else assert.match(placement.selectorMismatch ?? '', new RegExp(mismatch));
    });
  }

  it('gives daemon pods the DaemonSet controller tolerations, and hostNetwork pods network-unavailable', () => {
    const unavailable = readNode(node('n2', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }));
    assert.equal(placePod(readPodSpec({}, true), unavailable).fits, false);
    assert.equal(placePod(readPodSpec({ hostNetwork: true }, true), unavailable).fits, true);
    assert.equal(placePod(readPodSpec({ hostNetwork: true }, false), unavailable).fits, false);
  });
});

describe('diagnoseNode', () => {
  const heldMissing = worker('node-b', { taints: [networkTaint] });
  const heldFalse = worker('node-b', {
    taints: [networkTaint],
    conditions: [condition(calico, 'False', { message: 'calico-node is not ready' })],
  });

  const rootCases: [string, Node, Partial<DiagnosisEvidence>, string, string, RegExp][] = [
    [
      'a reporter DaemonSet without the toleration',
      heldMissing,
      { workloads: [reporterDaemonSet()] },
      'reporter-deadlock',
      'fail',
      /does not tolerate readiness\.k8s\.io\/NetworkReady:NoSchedule, so nothing on node-b can report projectcalico\.org\/CalicoReady/,
    ],
    [
      'a reporter whose nodeSelector misses the node',
      heldMissing,
      { workloads: [reporterDaemonSet({ tolerations: [{ operator: 'Exists' }], nodeSelector: { pool: 'gpu' } })] },
      'reporter-excluded',
      'fail',
      /nodeSelector pool=gpu/,
    ],
    [
      'no workload writes the condition',
      heldMissing,
      { workloads: [] },
      'condition-unwritten',
      'fail',
      /no workload writes projectcalico\.org\/CalicoReady/,
    ],
    ['workloads could not be listed', heldMissing, { workloads: null }, 'condition-unwritten', 'warn', /could not be listed/],
    [
      'the reporter pod is missing on the node',
      heldMissing,
      { workloads: [tolerant], pods: [] },
      'reporter-pod-missing',
      'fail',
      /should run a pod on node-b but none is there/,
    ],
    [
      "admission refuses the reporter's pod: the DaemonSet controller's newest FailedCreate says why",
      heldMissing,
      {
        workloads: [tolerant],
        pods: [],
        workloadEvents: [
          failedCreate('cni-reporter', minutesAgo(30), 'Error creating: pods "cni-reporter-old" is forbidden: exceeded quota: pods'),
          failedCreate(
            'cni-reporter',
            minutesAgo(1),
            '(combined from similar events): Error creating: pods "cni-reporter-x7k2p" is forbidden: violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true)',
          ),
          failedCreate('other-reporter', minutesAgo(0), 'Error creating: pods "other-reporter-a" is forbidden: not this one'),
        ],
      },
      'reporter-pod-missing',
      'fail',
      /cni-reporter DaemonSet cannot create its pod on node-b, so projectcalico\.org\/CalicoReady is not reported: pods "cni-reporter-x7k2p" is forbidden: violates PodSecurity/,
    ],
    [
      'the reporter pod crash-loops',
      heldMissing,
      {
        workloads: [tolerant],
        pods: [
          pod('cni-reporter', {
            phase: 'Running',
            containerStatuses: [{ name: 'reporter', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
          }),
        ],
      },
      'reporter-pod-unhealthy',
      'fail',
      /CrashLoopBackOff \(7 restarts\)/,
    ],
    [
      'the reporter pod is Pending',
      heldMissing,
      {
        workloads: [tolerant],
        pods: [
          pod('cni-reporter', { phase: 'Pending' }, unboundFor('node-a')),
          pod(
            'cni-reporter',
            {
              phase: 'Pending',
              conditions: [{ type: 'PodScheduled', status: 'False', message: '0/3 nodes are available: 1 Insufficient cpu.' }],
            },
            unboundFor('node-b'),
          ),
        ],
      },
      'reporter-pod-unhealthy',
      'fail',
      /Pending: 0\/3 nodes are available/,
    ],
    [
      'the reporter pod runs on another node only',
      heldMissing,
      { workloads: [tolerant], pods: [pod('cni-reporter', { phase: 'Running' }, { nodeName: 'node-a' })] },
      'reporter-pod-missing',
      'fail',
      /none is there/,
    ],
    [
      'the reporter runs but the condition is missing',
      heldMissing,
      { workloads: [tolerant], pods: [running] },
      'reporter-not-writing',
      'warn',
      /its writes may be refused/,
    ],
    [
      'the reporter says False',
      heldFalse,
      { workloads: [tolerant], pods: [running] },
      'condition-not-met',
      'info',
      /reporter says "calico-node is not ready"/,
    ],
    [
      'the reporter stopped writing',
      worker('node-b', { taints: [networkTaint], conditions: [condition(calico, 'False', { lastHeartbeatTime: minutesAgo(30) })] }),
      { workloads: [tolerant], pods: [running], reporterWrites: writesOf(broadGrant) },
      'reporter-stale',
      'warn',
      /has not been written for 30m: its reporter stopped/,
    ],
    [
      'the reporter runs, the condition is missing, and the apiserver refuses its writes',
      heldMissing,
      { workloads: [tolerant], pods: [running], reporterWrites: writesOf([]) },
      'reporter-write-refused',
      'fail',
      /projectcalico.org\/CalicoReady is missing: the apiserver refuses the cni-reporter reporter's writes on node-b: get nodes node-b: denied as system:serviceaccount:kube-system:cni-reporter/,
    ],
    [
      'the reporter stopped writing because the apiserver refuses its writes',
      worker('node-b', { taints: [networkTaint], conditions: [condition(calico, 'False', { lastHeartbeatTime: minutesAgo(30) })] }),
      { workloads: [tolerant], pods: [running], reporterWrites: writesOf([]) },
      'reporter-write-refused',
      'fail',
      /has not been written for 30m: the apiserver refuses/,
    ],
    [
      'the reporter runs, may write, and the condition is missing',
      heldMissing,
      { workloads: [tolerant], pods: [running], reporterWrites: writesOf(broadGrant) },
      'reporter-not-writing',
      'warn',
      /can run on node-b and the apiserver would take its writes/,
    ],
    [
      "another node's answer says nothing about this one",
      heldMissing,
      { workloads: [tolerant], pods: [running], reporterWrites: writesOf([], 'node-a') },
      'reporter-not-writing',
      'warn',
      /its writes may be refused/,
    ],
  ];
  it("a refused reporter's fix is its own node only: the constrained grants, and IMPERSONATE_NODE for one that acts as itself", () => {
    const refused = diagnose(heldMissing, { workloads: [tolerant], pods: [running], reporterWrites: writesOf([]) }).rootCause!;
    assert.match(
      refused.remediation,
      /^Grant ServiceAccount kube-system\/cni-reporter its own node only \(kubectl apply -f\):\n# Constrained impersonation/,
    );
    assert.match(refused.remediation, /verbs:\n\s+- impersonate-on:associated-node:update/);
    assert.match(refused.remediation, /kubectl -n kube-system patch daemonset cni-reporter --patch-file reporter-env-patch.yaml/);
    assert.ok(
      refused.evidence.some((line) => /^get nodes node-b as system:serviceaccount:kube-system:cni-reporter: denied/.test(line)),
      refused.evidence.join('\n'),
    );
    const silent = diagnose(heldMissing, { workloads: [tolerant], pods: [running], reporterWrites: writesOf(broadGrant) }).rootCause!;
    assert.match(silent.remediation, /kubectl -n kube-system logs cni-reporter-x1/);
  });

  for (const [name, target, evidence, id, severity, title] of rootCases) {
    it(`root cause: ${name} → ${id}`, () => {
      const diagnosis = diagnose(target, evidence);
      assert.equal(diagnosis.rootCause?.id, id);
      assert.equal(diagnosis.rootCause?.severity, severity);
      assert.match(diagnosis.rootCause!.title, title);
    });
  }

  it('gives the toleration to add as YAML', () => {
    const { rootCause } = diagnose(heldMissing, { workloads: [reporterDaemonSet()] });
    assert.match(
      rootCause!.remediation,
      /tolerations:\n- key: readiness\.k8s\.io\/NetworkReady\n {2}operator: Exists\n {2}effect: NoSchedule/,
    );
  });

  it('warns instead of failing when a reporter it could not read may write the condition', () => {
    const npd = {
      kind: 'DaemonSet',
      metadata: { name: 'npd', namespace: 'kube-system' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'npd',
                image: 'registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.20',
                args: ['--config.custom-plugin-monitor=/config/x.json'],
              },
            ],
          },
        },
      },
    };
    const { rootCause } = diagnose(heldMissing, { workloads: [npd] });
    assert.equal(rootCause?.id, 'condition-unwritten');
    assert.equal(rootCause?.severity, 'warn');
  });

  it('a second, fitting writer with a healthy pod clears the deadlock of the first', () => {
    const narrow = reporterDaemonSet({ nodeSelector: { pool: 'gpu' } }, 'gpu-reporter');
    const { rootCause } = diagnose(heldFalse, { workloads: [narrow, tolerant], pods: [running] });
    assert.equal(rootCause?.id, 'condition-not-met');
  });

  describe('NRC not acting', () => {
    const releasing = worker('node-c', {
      taints: [networkTaint],
      conditions: [condition(calico, 'True', { lastTransitionTime: minutesAgo(5) })],
    });
    const nrc = {
      kind: 'Deployment',
      metadata: { name: 'nrr-controller-manager', namespace: 'nrr-system' },
      spec: {
        template: {
          spec: { containers: [{ name: 'manager', image: 'registry.k8s.io/node-readiness-controller/node-readiness-controller:v0.5.0' }] },
        },
      },
      status: { replicas: 1, availableReplicas: 0 },
    };
    it('met conditions with the taint still on past the grace → controller-not-acting', () => {
      const diagnosis = diagnose(releasing, { workloads: [tolerant, nrc], pods: [running] });
      assert.equal(diagnosis.rootCause?.id, 'controller-not-acting');
      assert.match(
        diagnosis.rootCause!.title,
        /the controller is not acting: network-readiness-rule's conditions are met for 5m but readiness\.k8s\.io\/NetworkReady:NoSchedule is still on/,
      );
      assert.ok(diagnosis.rootCause!.evidence.includes('Deployment nrr-system/nrr-controller-manager has no available replica'));
      assert.ok(diagnosis.findings.some((finding) => finding.id === 'controller-unavailable'));
    });
    it('within the grace → controller-pending, info', () => {
      const diagnosis = diagnose(releasing, { workloads: [tolerant] }, [network], 600);
      assert.equal(diagnosis.rootCause?.id, 'controller-pending');
      assert.equal(diagnosis.rootCause?.severity, 'info');
    });
    it('a missing taint on unmet conditions → controller-not-acting', () => {
      const unguarded = worker('node-d', { conditions: [condition(calico, 'False', { lastTransitionTime: minutesAgo(3) })] });
      assert.match(
        diagnose(unguarded, { workloads: [tolerant] }).rootCause!.title,
        /not met for 3m but readiness\.k8s\.io\/NetworkReady:NoSchedule is missing/,
      );
    });
    it('a dry-run rule never makes NRC "not acting"', () => {
      const dry = rule('dry', { dryRun: true });
      assert.equal(diagnose(worker('node-d'), { workloads: [tolerant] }, [dry]).rootCause, null);
    });
    it('a rule generation NRC has not observed → rule-not-observed', () => {
      const edited = { ...network, metadata: { ...network.metadata, generation: 3 }, status: { observedGeneration: 2 } };
      const diagnosis = diagnose(heldFalse, { workloads: [tolerant], pods: [running] }, [edited]);
      const lag = diagnosis.findings.find((finding) => finding.id === 'rule-not-observed');
      assert.match(lag!.title, /generation 3, observed 2/);
      assert.equal(diagnosis.rootCause?.id, 'condition-not-met', 'the reporter saying no still explains the node first');
    });
  });

  describe('held duration', () => {
    const event = (reason: string, minutes: number, ruleName = 'network-readiness-rule') => ({
      reason,
      eventTime: minutesAgo(minutes),
      message: reason === 'TaintAdopted' ? `Taint 'x' is now managed by rule '${ruleName}'` : `Taint 'x' added by rule '${ruleName}'`,
    });
    const cases: [string, Node, unknown[], string | null][] = [
      ['from the taint timeAdded', worker('n', { taints: [{ ...networkTaint, timeAdded: minutesAgo(192) }] }), [], '3h'],
      [
        'from the newest TaintAdded event',
        heldFalse,
        [event('TaintAdded', 300), event('TaintRemoved', 200), event('TaintAdded', 45)],
        '45m',
      ],
      ['at least, from TaintAdopted', heldFalse, [event('TaintAdopted', 20)], 'at least 20m'],
      // As NRC does on the real cluster: it adopts the taint it has just added, and adopts again whenever rules change.
      ['NRC adopting its own new taint: the TaintAdded is when', heldFalse, [event('TaintAdded', 30), event('TaintAdopted', 29)], '30m'],
      ['adopted again and again: the oldest adoption', heldFalse, [event('TaintAdopted', 40), event('TaintAdopted', 3)], 'at least 40m'],
      [
        'only what came after the taint last came off',
        heldFalse,
        [event('TaintAdopted', 90), event('TaintRemoved', 60), event('TaintAdopted', 20), event('TaintAdopted', 5)],
        'at least 20m',
      ],
      [
        'unknown after the newest event removed it',
        heldFalse,
        [event('TaintAdded', 50), { ...event('TaintAdded', 10), reason: 'TaintRemoved' }],
        null,
      ],
      ["ignoring another rule's events", heldFalse, [event('TaintAdded', 50, 'other-rule')], null],
    ];
    for (const [name, target, events, expected] of cases) {
      it(name, () => {
        const diagnosis = diagnose(target, { workloads: [tolerant], pods: [running], events });
        const line = rootCauseLine(diagnosis)!;
        if (expected === null) assert.equal(diagnosis.held.length, 0);
        else assert.ok(line.startsWith(`held for ${expected}: `), line);
      });
    }
  });

  it('a node no rule holds has no root cause', () => {
    assert.equal(diagnose(worker('ok', { conditions: [condition(calico, 'True')] }), { workloads: [tolerant] }).rootCause, null);
  });
});

describe('blockers', () => {
  it('counts each unmet condition of each held node per rule, as NRC counts blocked_nodes', () => {
    const storageTaint = { key: 'readiness.k8s.io/StorageReady', effect: 'NoSchedule' };
    const nodes = [
      worker('a', { taints: [networkTaint] }),
      worker('b', { taints: [networkTaint, storageTaint], conditions: [condition(calico, 'False')] }),
      worker('c', { taints: [networkTaint], conditions: [condition(calico, 'True')] }),
      worker('d', { taints: [storageTaint], conditions: [condition('example.com/LocalDiskReady', 'True')] }),
    ];
    const result = blockers(evaluateCluster([network, anyOf], nodes, { now: NOW }).nodes);
    assert.deepEqual(
      result.map((entry) => [entry.rule, entry.condition, entry.nodes]),
      [
        ['network-readiness-rule', calico, ['a', 'b']],
        ['storage-any', 'example.com/LocalDiskReady', ['b']],
        ['storage-any', 'example.com/NetworkDiskReady', ['b']],
      ],
    );
  });

  it("gives each pair the longest of its nodes' holds by that rule, not by another rule", () => {
    const storageTaint = { key: 'readiness.k8s.io/StorageReady', effect: 'NoSchedule' };
    const nodes = [
      worker('a', { taints: [networkTaint] }),
      worker('b', { taints: [networkTaint, storageTaint] }),
      worker('c', { taints: [networkTaint] }),
    ];
    const hold = (rule: string, seconds: number, atLeast: boolean): HeldDuration => ({
      rule,
      since: new Date(NOW - seconds * 1000).toISOString(),
      seconds,
      source: atLeast ? 'TaintAdopted event' : 'taint timeAdded',
      atLeast,
    });
    const held = new Map([
      ['a', [hold('network-readiness-rule', 30, false)]],
      ['b', [hold('network-readiness-rule', 300, true), hold('storage-any', 900, false)]],
    ]);
    const result = blockers(evaluateCluster([network, anyOf], nodes, { now: NOW }).nodes, held);
    assert.deepEqual(
      result.map((entry) => [entry.rule, entry.condition, entry.longestHold && formatHeld(entry.longestHold)]),
      [
        ['network-readiness-rule', calico, 'at least 5m'],
        ['storage-any', 'example.com/LocalDiskReady', '15m'],
        ['storage-any', 'example.com/NetworkDiskReady', '15m'],
      ],
    );
    assert.equal(blockers(evaluateCluster([network], nodes, { now: NOW }).nodes)[0]!.longestHold, null);
  });
});

describe('configurationFindings', () => {
  const find = (findings: ReturnType<typeof configurationFindings>, id: string) => findings.filter((finding) => finding.id === id);
  const none = { workloads: [], nodePools: null, workloadsComplete: true };

  it('fails a reporter DaemonSet that does not tolerate its rule taint, passes one that does', () => {
    const [bad] = find(
      configurationFindings({ workloadsComplete: true, rules: [network], workloads: [reporterDaemonSet()], nodePools: null }),
      'reporter-deadlock',
    );
    assert.equal(bad!.severity, 'fail');
    assert.match(bad!.title, /Deadlock: DaemonSet kube-system\/cni-reporter does not tolerate readiness\.k8s\.io\/NetworkReady:NoSchedule/);
    const [good] = find(
      configurationFindings({ workloadsComplete: true, rules: [network], workloads: [tolerant], nodePools: null }),
      'reporter-deadlock',
    );
    assert.equal(good!.severity, 'pass');
  });

  it('fails a condition no workload writes, unless its defaultStatus already meets it or the rule is dry-run', () => {
    assert.equal(find(configurationFindings({ rules: [network], ...none }), 'condition-unwritten')[0]?.severity, 'fail');
    const defaulted = rule('defaulted', { conditions: [{ type: 'MaintenanceRequired', requiredStatus: 'False', defaultStatus: 'False' }] });
    assert.deepEqual(
      find(configurationFindings({ rules: [defaulted, rule('dry', { dryRun: true })], ...none }), 'condition-unwritten'),
      [],
    );
  });

  it('says when the workloads seen are not all of the cluster (manifests, a refused list)', () => {
    const [finding] = find(
      configurationFindings({ rules: [network], workloads: [], workloadsComplete: false, nodePools: null }),
      'condition-unwritten',
    );
    assert.equal(finding!.severity, 'fail');
    assert.match(finding!.evidence[0]!, /not every workload of the cluster was seen/);
  });

  it("reports NRC's controller down and rules it has not observed", () => {
    const nrc = {
      kind: 'Deployment',
      metadata: { name: 'nrc', namespace: 'nrr-system' },
      spec: { template: { spec: { containers: [{ image: 'node-readiness-controller:dev' }] } } },
      status: {},
    };
    const edited = { ...network, metadata: { ...network.metadata, generation: 2 } };
    const findings = configurationFindings({ workloadsComplete: true, rules: [edited], workloads: [nrc, tolerant], nodePools: null });
    assert.equal(find(findings, 'controller-unavailable')[0]?.severity, 'fail');
    assert.match(find(findings, 'rule-not-observed')[0]!.title, /generation 2, observed none/);
  });

  it("says nothing of the controller's availability from a manifest, which has no status", () => {
    const manifest = {
      kind: 'Deployment',
      metadata: { name: 'nrc', namespace: 'nrr-system' },
      spec: { template: { spec: { containers: [{ image: 'node-readiness-controller:dev' }] } } },
    };
    const findings = configurationFindings({
      workloadsComplete: false,
      rules: [network],
      workloads: [manifest, tolerant],
      nodePools: null,
    });
    assert.deepEqual(find(findings, 'controller-unavailable'), []);
  });

  const autoscaler = (words: string[], key: 'command' | 'args' = 'command') => ({
    kind: 'Deployment',
    metadata: { name: 'cluster-autoscaler', namespace: 'kube-system' },
    spec: {
      template: {
        spec: {
          containers: [{ name: 'cluster-autoscaler', image: 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.0', [key]: words }],
        },
      },
    },
  });
  const caCases: [string, string[], string, RegExp][] = [
    [
      'no flag',
      ['./cluster-autoscaler', '--cloud-provider=aws'],
      'fail',
      /does not know readiness\.k8s\.io\/NetworkReady is a startup taint/,
    ],
    [
      '--startup-taint=KEY',
      ['./cluster-autoscaler', '--startup-taint=readiness.k8s.io/NetworkReady'],
      'pass',
      /treats readiness\.k8s\.io\/NetworkReady as a startup taint/,
    ],
    ['--startup-taint KEY', ['./cluster-autoscaler', '--startup-taint', 'readiness.k8s.io/NetworkReady'], 'pass', /startup taint/],
    [
      '--ignore-taint (deprecated, same behaviour)',
      ['./cluster-autoscaler', '--ignore-taint=readiness.k8s.io/NetworkReady'],
      'pass',
      /startup taint/,
    ],
    ['--startup-taint-prefix', ['./cluster-autoscaler', '--startup-taint-prefix=readiness.k8s.io/'], 'pass', /startup taint/],
    ['--status-taint', ['./cluster-autoscaler', '--status-taint=readiness.k8s.io/NetworkReady'], 'fail', /as a status taint/],
    ['another key', ['./cluster-autoscaler', '--startup-taint=readiness.k8s.io/Other'], 'fail', /does not know/],
  ];
  for (const [name, words, severity, title] of caCases) {
    it(`Cluster Autoscaler with ${name} → ${severity}`, () => {
      const [finding] = find(
        configurationFindings({ workloadsComplete: true, rules: [network], workloads: [autoscaler(words)], nodePools: null }),
        'autoscaler-startup-taint',
      );
      assert.equal(finding!.severity, severity);
      assert.match(finding!.title, title);
    });
  }

  it('reads flags from args too, and takes a key under the reserved startup-taint prefix as declared', () => {
    const reserved = rule('reserved', { taint: { key: 'startup-taint.cluster-autoscaler.kubernetes.io/gpu', effect: 'NoSchedule' } });
    const findings = configurationFindings({
      workloadsComplete: true,
      rules: [network, reserved],
      workloads: [autoscaler(['--startup-taint=readiness.k8s.io/NetworkReady'], 'args')],
      nodePools: null,
    });
    assert.deepEqual(
      find(findings, 'autoscaler-startup-taint').map((finding) => finding.severity),
      ['pass', 'pass'],
    );
  });

  const nodePool = (name: string, startupTaints: unknown[], labels: Record<string, string> = {}) => ({
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name },
    spec: {
      template: {
        metadata: { labels },
        spec: { startupTaints, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] }] },
      },
    },
  });
  it('warns on a Karpenter NodePool without the startup taint, passes one with it, skips one the rule cannot select', () => {
    const gpuOnly = rule('gpu', {
      taint: { key: 'readiness.k8s.io/GPUReady', effect: 'NoSchedule' },
      nodeSelector: { matchLabels: { 'karpenter.sh/nodepool': 'gpu' } },
    });
    const findings = configurationFindings({
      workloadsComplete: true,
      rules: [network, gpuOnly],
      workloads: [],
      nodePools: [
        nodePool('general', []),
        nodePool('gpu', [
          { key: 'readiness.k8s.io/GPUReady', effect: 'NoSchedule' },
          { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule' },
        ]),
      ],
    });
    assert.deepEqual(
      find(findings, 'autoscaler-startup-taint').map((finding) => `${finding.severity} ${finding.subject} ${finding.title.split(':')[0]}`),
      [
        'warn rule network-readiness-rule Karpenter NodePool general does not declare readiness.k8s.io/NetworkReady',
        'pass rule network-readiness-rule Karpenter NodePool gpu declares readiness.k8s.io/NetworkReady',
        'pass rule gpu Karpenter NodePool gpu declares readiness.k8s.io/GPUReady',
      ],
    );
    assert.match(
      find(findings, 'autoscaler-startup-taint')[0]!.remediation,
      /startupTaints:\n- key: readiness\.k8s\.io\/NetworkReady\n {2}effect: NoSchedule\n {2}value: pending/,
    );
  });
});
