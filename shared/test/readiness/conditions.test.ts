import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conditionCoverage, queryCondition, readNode } from '../../src/index.ts';
import { NOW, condition, minutesAgo, node } from '../nodes.ts';

const calico = 'projectcalico.org/CalicoReady';
const nodes = [
  node('fresh', { conditions: [condition(calico, 'True')] }),
  node('stale', { conditions: [condition(calico, 'True', { lastHeartbeatTime: minutesAgo(20) })] }),
  node('down', { conditions: [condition(calico, 'False')] }),
  node('absent'),
  node('cp', { labels: { 'node-role.kubernetes.io/control-plane': '' } }),
  node('booted', { labels: { pool: 'boot' }, annotations: { 'readiness.k8s.io/bootstrap-completed-boot-rule': 'true' } }),
];

describe('queryCondition', () => {
  it('lists nodes where the condition is missing, stale or not at its required status', () => {
    const report = queryCondition(nodes.map(readNode), { type: calico, requiredStatus: 'True' }, { now: NOW });
    assert.deepEqual(
      { checked: report.checked, missing: report.missing, stale: report.stale, offStatus: report.offStatus },
      { checked: 6, missing: ['absent', 'cp', 'booted'], stale: ['stale'], offStatus: ['down'] },
    );
  });

  it('without a required status lists only missing and stale', () => {
    const report = queryCondition(nodes.map(readNode), { type: calico }, { now: NOW });
    assert.deepEqual(report.offStatus, []);
  });
});

describe('conditionCoverage', () => {
  const cniRule = {
    metadata: { name: 'network-readiness-rule' },
    spec: {
      conditions: [{ type: calico, requiredStatus: 'True' }],
      enforcementMode: 'continuous',
      taint: { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule' },
      nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
    },
  };
  const bootRule = {
    metadata: { name: 'boot-rule' },
    spec: {
      conditions: [{ type: 'BootReady', requiredStatus: 'True' }],
      enforcementMode: 'bootstrap-only',
      taint: { key: 'readiness.k8s.io/Boot', effect: 'NoSchedule' },
      nodeSelector: { matchLabels: { pool: 'boot' } },
    },
  };

  it('checks only the nodes each rule targets, skipping completed bootstrap nodes', () => {
    const coverage = conditionCoverage([cniRule, bootRule], nodes, { now: NOW });
    assert.equal(coverage.length, 2);
    const [cni, boot] = coverage;
    assert.equal(cni!.rule, 'network-readiness-rule');
    assert.equal(cni!.checked, 5);
    assert.deepEqual(cni!.missing, ['absent', 'booted']);
    assert.equal(boot!.checked, 0, 'the only boot-pool node completed bootstrap');
  });
});
