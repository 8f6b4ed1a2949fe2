import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateCluster, failingConditions, staleConditions } from '../../src/index.ts';
import { NOW, condition, minutesAgo, networkTaint, node } from '../nodes.ts';
import { calico, network, problemGate, rule } from '../rules.ts';

describe('evaluateCluster', () => {
  const nodes = [
    node('a', { conditions: [condition(calico, 'True')] }),
    node('b', { taints: [networkTaint], conditions: [condition(calico, 'False')] }),
    node('c', { taints: [networkTaint], conditions: [condition(calico, 'True')] }),
    node('cp', { labels: { 'node-role.kubernetes.io/control-plane': '' } }),
    node('orphan', { taints: [{ key: 'readiness.k8s.io/OldRule', effect: 'NoExecute' }], conditions: [condition(calico, 'True')] }),
  ];
  const result = evaluateCluster([network, problemGate], nodes, { now: NOW });

  it('counts each rule state and lists the nodes', () => {
    const summary = result.rules[0]!;
    assert.equal(summary.rule, 'network-readiness-rule');
    assert.equal(summary.selected, 4);
    assert.deepEqual(summary.counts, { ready: 2, held: 1, releasing: 1, unguarded: 0, 'bootstrap-complete': 0 });
    assert.deepEqual(summary.nodes.held, ['b']);
    assert.equal(summary.taintsToRemove, 1);
  });

  it('labels nodes and decides schedulability from readiness taints', () => {
    const byName = Object.fromEntries(result.nodes.map((entry) => [entry.node, entry]));
    assert.equal(byName['a']!.label, 'ready');
    assert.equal(byName['a']!.schedulable, true);
    assert.equal(byName['b']!.label, 'held by network-readiness-rule');
    assert.equal(byName['b']!.schedulable, false);
    assert.equal(byName['c']!.label, 'releasing');
    assert.equal(byName['cp']!.verdicts.length, 1, 'only the problem gate selects the control plane');
    assert.equal(byName['orphan']!.schedulable, false);
    assert.deepEqual(
      byName['orphan']!.unmanagedTaints.map((taint) => taint.key),
      ['readiness.k8s.io/OldRule'],
    );
  });

  it('labels a node held by several rules with a count', () => {
    const second = rule('second', { taint: { key: 'readiness.k8s.io/Second', effect: 'NoSchedule' } });
    const held = node('h', { taints: [networkTaint, { key: 'readiness.k8s.io/Second', effect: 'NoSchedule' }] });
    const [entry] = evaluateCluster([network, second, problemGate], [held], { now: NOW }).nodes;
    assert.equal(entry!.label, 'held by 2/3 rules');
  });

  it('lists failing and stale conditions per node, once per type', () => {
    const stale = node('s', { taints: [networkTaint], conditions: [condition(calico, 'False', { lastHeartbeatTime: minutesAgo(30) })] });
    const [entry] = evaluateCluster([network, rule('dry', { dryRun: true })], [stale], { now: NOW }).nodes;
    assert.deepEqual(failingConditions(entry!), ['projectcalico.org/CalicoReady=False']);
    assert.deepEqual(staleConditions(entry!), ['projectcalico.org/CalicoReady']);
    const [missing] = evaluateCluster([network], [node('m', { taints: [networkTaint] })], { now: NOW }).nodes;
    assert.deepEqual(failingConditions(missing!), ['projectcalico.org/CalicoReady=missing']);
    const [ready] = evaluateCluster([network], [node('r', { conditions: [condition(calico, 'True')] })], { now: NOW }).nodes;
    assert.deepEqual([failingConditions(ready!), staleConditions(ready!)], [[], []]);
  });

  it('carries the controller-reported failed nodes', () => {
    const failing = {
      ...network,
      status: { failedNodes: [{ nodeName: 'b', reason: 'EvaluationError', message: 'conflict', lastEvaluationTime: minutesAgo(1) }] },
    };
    assert.deepEqual(
      evaluateCluster([failing], nodes, { now: NOW }).rules[0]!.failedNodes.map((failure) => failure.nodeName),
      ['b'],
    );
  });
});
