import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluateCluster, evaluateRule, nodeEssentials, readNode, type NodeReadinessRule, type ReadinessState } from '../../src/index.ts';
import { NOW, condition, minutesAgo, networkTaint, node } from '../nodes.ts';
import { FUZZ_RUNS } from '../fuzz-runs.ts';
import { anyOf, bootstrap, calico, dryRun, network, problemGate, rule } from '../rules.ts';

interface Case {
  name: string;
  rule: NodeReadinessRule;
  node: ReturnType<typeof node>;
  state: ReadinessState;
  reason: RegExp;
  check?: (verdict: ReturnType<typeof evaluateRule>) => void;
}

const cases: Case[] = [
  {
    name: 'ready: condition met, taint absent',
    rule: network,
    node: node('node-ready', { conditions: [condition(calico, 'True')] }),
    state: 'ready',
    reason: /conditions met \(allOf: projectcalico.org\/CalicoReady is True\)/,
    check: (verdict) => {
      assert.equal(verdict.action, 'none');
      assert.equal(verdict.blocksScheduling, false);
    },
  },
  {
    name: 'held: condition False, taint present, reporter message quoted',
    rule: network,
    node: node('node-held', { taints: [networkTaint], conditions: [condition(calico, 'False', { message: 'calico not started' })] }),
    state: 'held',
    reason:
      /^readiness.k8s.io\/NetworkReady:NoSchedule stays: projectcalico.org\/CalicoReady is False \(required True\): reporter says "calico not started"$/,
    check: (verdict) => {
      assert.equal(verdict.blocksScheduling, true);
      assert.equal(verdict.taint.expected, true);
    },
  },
  {
    name: 'held: condition missing counts as Unknown',
    rule: network,
    node: node('node-new', { taints: [networkTaint] }),
    state: 'held',
    reason: /CalicoReady is missing, counted as Unknown \(required True\)/,
    check: (verdict) => assert.equal(verdict.conditions[0]!.observedStatus, null),
  },
  {
    name: 'releasing: condition met, taint still present',
    rule: network,
    node: node('node-releasing', { taints: [networkTaint], conditions: [condition(calico, 'True')] }),
    state: 'releasing',
    reason: /NRC has yet to remove readiness.k8s.io\/NetworkReady:NoSchedule/,
    check: (verdict) => assert.equal(verdict.action, 'remove-taint'),
  },
  {
    name: 'unguarded: not met and taint absent (drift)',
    rule: network,
    node: node('node-drift', { conditions: [condition(calico, 'False')] }),
    state: 'unguarded',
    reason: /NRC has yet to add it/,
    check: (verdict) => assert.equal(verdict.action, 'add-taint'),
  },
  {
    name: 'unguarded: dry-run rule never adds the taint, says what it would do',
    rule: dryRun,
    node: node('node-dry', { conditions: [condition(calico, 'False')] }),
    state: 'unguarded',
    reason: /^dry-run: would add readiness.k8s.io\/NetworkReady:NoSchedule/,
    check: (verdict) => {
      assert.equal(verdict.dryRun, true);
      assert.equal(verdict.action, 'add-taint');
    },
  },
  {
    name: 'not-selected: control-plane node',
    rule: network,
    node: node('cp-1', { labels: { 'node-role.kubernetes.io/control-plane': '' } }),
    state: 'not-selected',
    reason: /does not match/,
    check: (verdict) => assert.equal(verdict.taint.expected, false),
  },
  {
    name: 'not-selected: invalid selector is reported, not thrown',
    rule: rule('bad-selector', { nodeSelector: { matchExpressions: [{ key: 'zone', operator: 'Near', values: ['a'] }] } }),
    node: node('node-a'),
    state: 'not-selected',
    reason: /node selector is invalid.*"Near" is not a valid label selector operator/,
    check: (verdict) => assert.ok(verdict.selectorError),
  },
  {
    name: 'bootstrap-complete: annotation by rule UID',
    rule: bootstrap,
    node: node('node-booted', {
      annotations: { 'readiness.k8s.io/bootstrap-completed-b00t-uid': 'true' },
      conditions: [condition(calico, 'False')],
    }),
    state: 'bootstrap-complete',
    reason: /no longer gates/,
    check: (verdict) => assert.equal(verdict.bootstrapAnnotation, 'readiness.k8s.io/bootstrap-completed-b00t-uid'),
  },
  {
    name: 'bootstrap-complete: legacy annotation by rule name still honoured',
    rule: bootstrap,
    node: node('node-legacy', { annotations: { 'readiness.k8s.io/bootstrap-completed-cni-bootstrap': 'true' }, taints: [networkTaint] }),
    state: 'bootstrap-complete',
    reason: /still on the node but no longer managed/,
    check: (verdict) => assert.equal(verdict.bootstrapAnnotation, 'readiness.k8s.io/bootstrap-completed-cni-bootstrap'),
  },
  {
    name: 'bootstrap annotation is ignored by a continuous rule',
    rule: network,
    node: node('node-annotated', {
      annotations: { 'readiness.k8s.io/bootstrap-completed-uid-network-readiness-rule': 'true' },
      taints: [networkTaint],
    }),
    state: 'held',
    reason: /stays/,
  },
  {
    name: 'bootstrap-only not yet completed gates like continuous',
    rule: bootstrap,
    node: node('node-booting', { taints: [networkTaint] }),
    state: 'held',
    reason: /stays/,
  },
  {
    name: 'anyOf with none met is held and lists every condition',
    rule: anyOf,
    node: node('node-disks', {
      taints: [{ key: 'readiness.k8s.io/StorageReady', effect: 'NoSchedule' }],
      conditions: [condition('example.com/LocalDiskReady', 'False')],
    }),
    state: 'held',
    reason: /none of 2 conditions met: example.com\/LocalDiskReady is False \(required True\); example.com\/NetworkDiskReady is missing/,
  },
  {
    name: 'anyOf with one met is ready',
    rule: anyOf,
    node: node('node-one-disk', { conditions: [condition('example.com/NetworkDiskReady', 'True')] }),
    state: 'ready',
    reason: /anyOf/,
  },
  {
    name: 'defaultStatus False: a problem gate passes while the condition is missing',
    rule: problemGate,
    node: node('node-healthy'),
    state: 'ready',
    reason: /MaintenanceRequired is False/,
    check: (verdict) => {
      assert.equal(verdict.conditions[0]!.effectiveStatus, 'False');
      assert.equal(verdict.conditions[0]!.observedStatus, null);
    },
  },
  {
    name: 'defaultStatus does not override a present condition',
    rule: problemGate,
    node: node('node-maintenance', { conditions: [condition('MaintenanceRequired', 'True')] }),
    state: 'unguarded',
    reason: /MaintenanceRequired is True \(required False\)/,
  },
  {
    name: 'same taint key, different effect does not count as the rule taint',
    rule: network,
    node: node('node-prefer', {
      taints: [{ key: 'readiness.k8s.io/NetworkReady', effect: 'PreferNoSchedule', value: 'pending' }],
      conditions: [condition(calico, 'False')],
    }),
    state: 'unguarded',
    reason: /is absent/,
    check: (verdict) => {
      assert.equal(verdict.taint.present, false);
      assert.deepEqual(verdict.taint.otherEffects, ['PreferNoSchedule']);
    },
  },
  {
    name: 'taint value mismatch is reported but still counts (key and effect match)',
    rule: network,
    node: node('node-value', { taints: [{ ...networkTaint, value: 'other' }], conditions: [condition(calico, 'False')] }),
    state: 'held',
    reason: /stays/,
    check: (verdict) => assert.equal(verdict.taint.valueMismatch, 'other'),
  },
  {
    name: 'empty selector applies to every node',
    rule: rule('everywhere', { nodeSelector: {} }),
    node: node('cp-2', { labels: { 'node-role.kubernetes.io/control-plane': '' }, conditions: [condition(calico, 'True')] }),
    state: 'ready',
    reason: /conditions met/,
  },
  {
    name: 'NotIn against a missing label selects the node',
    rule: rule('not-in-zone', { nodeSelector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['edge'] }] } }),
    node: node('node-nozone', { taints: [networkTaint] }),
    state: 'held',
    reason: /stays/,
  },
  {
    name: 'stale heartbeat on a met condition is flagged',
    rule: network,
    node: node('node-stale', { conditions: [condition(calico, 'True', { lastHeartbeatTime: minutesAgo(30) })] }),
    state: 'ready',
    reason: /last heartbeat 30m ago: stale/,
    check: (verdict) => {
      assert.equal(verdict.conditions[0]!.stale, true);
      assert.equal(verdict.conditions[0]!.heartbeatAgeSeconds, 1800);
    },
  },
];

describe('evaluateRule: one hand-made node per state and edge', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const verdict = evaluateRule(testCase.rule, testCase.node, { now: NOW });
      assert.equal(verdict.state, testCase.state, verdict.reason);
      assert.match(verdict.reason, testCase.reason);
      assert.equal(verdict.rule, testCase.rule.metadata!.name);
      assert.equal(verdict.node, testCase.node.metadata!.name);
      testCase.check?.(verdict);
    });
  }

  it('staleness threshold is configurable', () => {
    const fiveMinutesOld = node('node-5m', { conditions: [condition(calico, 'True', { lastHeartbeatTime: minutesAgo(5) })] });
    assert.equal(evaluateRule(network, fiveMinutesOld, { now: NOW }).conditions[0]!.stale, false);
    assert.equal(evaluateRule(network, fiveMinutesOld, { now: NOW, staleAfterSeconds: 120 }).conditions[0]!.stale, true);
  });

  it('records reason, message and both timestamps of each condition', () => {
    const verdict = evaluateRule(
      network,
      node('n', { conditions: [condition(calico, 'False', { reason: 'EndpointNotReady', message: 'down' })] }),
      { now: NOW },
    );
    const [result] = verdict.conditions;
    assert.deepEqual(
      { reason: result!.reason, message: result!.message, transition: result!.lastTransitionTime, heartbeat: result!.lastHeartbeatTime },
      { reason: 'EndpointNotReady', message: 'down', transition: minutesAgo(10), heartbeat: minutesAgo(1) },
    );
  });

  it('keeps an untrusted message verbatim in the data and quoted in the reason', () => {
    const message = '<script>alert(1)</script>\n"quoted"';
    const verdict = evaluateRule(network, node('n', { taints: [networkTaint], conditions: [condition(calico, 'False', { message })] }), {
      now: NOW,
    });
    assert.equal(verdict.conditions[0]!.message, message);
    assert.ok(verdict.reason.includes(JSON.stringify(message)));
    assert.ok(!verdict.reason.includes('\n'), 'the one-line reason must stay on one line');
  });
});

describe('evaluation properties', () => {
  const ruleLike = fc.record(
    {
      metadata: fc.oneof(fc.jsonValue(), fc.record({ name: fc.string(), uid: fc.string() })),
      spec: fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            conditions: fc.oneof(
              fc.jsonValue(),
              fc.array(
                fc.record(
                  { type: fc.oneof(fc.string(), fc.jsonValue()), requiredStatus: fc.jsonValue(), defaultStatus: fc.jsonValue() },
                  { requiredKeys: [] },
                ),
              ),
            ),
            conditionPolicy: fc.jsonValue(),
            enforcementMode: fc.oneof(fc.constantFrom('continuous', 'bootstrap-only'), fc.jsonValue()),
            taint: fc.oneof(
              fc.jsonValue(),
              fc.record({ key: fc.string(), effect: fc.string(), value: fc.jsonValue() }, { requiredKeys: [] }),
            ),
            nodeSelector: fc.jsonValue(),
            dryRun: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  );
  const nodeLike = fc.record(
    {
      metadata: fc.oneof(
        fc.jsonValue(),
        fc.record({ name: fc.string(), labels: fc.jsonValue(), annotations: fc.jsonValue() }, { requiredKeys: [] }),
      ),
      spec: fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            taints: fc.oneof(
              fc.jsonValue(),
              fc.array(fc.record({ key: fc.jsonValue(), effect: fc.jsonValue(), value: fc.jsonValue() }, { requiredKeys: [] })),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
      status: fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            conditions: fc.oneof(
              fc.jsonValue(),
              fc.array(
                fc.record(
                  {
                    type: fc.jsonValue(),
                    status: fc.jsonValue(),
                    lastHeartbeatTime: fc.oneof(fc.string(), fc.jsonValue()),
                    message: fc.jsonValue(),
                  },
                  { requiredKeys: [] },
                ),
              ),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  );

  it('never throws on arbitrary JSON shaped like nodes and rules, and always yields a known state', () => {
    fc.assert(
      fc.property(fc.oneof(ruleLike, fc.jsonValue()), fc.oneof(nodeLike, fc.jsonValue()), (anyRule, anyNode) => {
        const verdict = evaluateRule(anyRule, anyNode, { now: NOW });
        assert.ok(['not-selected', 'ready', 'held', 'releasing', 'unguarded', 'bootstrap-complete'].includes(verdict.state));
        assert.equal(typeof verdict.reason, 'string');
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('a node cut to its essentials gets the same verdict from every rule', () => {
    fc.assert(
      fc.property(fc.oneof(ruleLike, fc.jsonValue()), fc.oneof(nodeLike, fc.jsonValue()), (anyRule, anyNode) => {
        const essentials = nodeEssentials(anyNode);
        assert.deepEqual(readNode(essentials), readNode(anyNode));
        assert.deepEqual(evaluateRule(anyRule, essentials, { now: NOW }), evaluateRule(anyRule, anyNode, { now: NOW }));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('evaluateCluster never throws on arbitrary lists', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ruleLike, fc.jsonValue()), { maxLength: 4 }),
        fc.array(fc.oneof(nodeLike, fc.jsonValue()), { maxLength: 4 }),
        (rules, nodes) => {
          const result = evaluateCluster(rules, nodes, { now: NOW });
          assert.equal(result.nodes.length, nodes.length);
          assert.equal(result.rules.length, rules.length);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
