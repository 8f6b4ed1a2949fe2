import { describe, expect, it } from 'vitest';
import { DAEMONSET_SOURCE, NODE_SOURCE, nodeGatedByRule, RULE_SOURCE, ruleFedByReporter } from '../src/resources/relations';

const taint = { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule' };
const rule = {
  apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
  kind: 'NodeReadinessRule',
  metadata: { name: 'network' },
  spec: {
    conditions: [{ type: 'projectcalico.org/CalicoReady', requiredStatus: 'True' }],
    taint,
    enforcementMode: 'continuous',
    nodeSelector: { matchLabels: { 'node-role.kubernetes.io/worker': '' } },
  },
};

function node(name: string, labels: Record<string, string>, calico: string, taints: object[]) {
  return {
    metadata: { name, labels },
    spec: { taints },
    status: { conditions: [{ type: 'projectcalico.org/CalicoReady', status: calico, lastHeartbeatTime: new Date().toISOString() }] },
  };
}

function reporter(conditionType: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { namespace: 'kube-system', name: `reporter-${conditionType}` },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'reporter',
              image: 'registry.k8s.io/node-readiness-controller/readiness-condition-reporter:v0.3.0',
              env: [{ name: 'CONDITION_TYPE', value: conditionType }],
            },
          ],
        },
      },
    },
  };
}

const worker = { 'node-role.kubernetes.io/worker': '' };
const inMap = (jsonData: object, cluster = 'main') => ({ kubeObject: { jsonData, cluster } });

describe('resource map relations', () => {
  it('name the sources Headlamp 0.45 gives nodes, custom resources and DaemonSets', () => {
    expect([nodeGatedByRule.fromSource, nodeGatedByRule.toSource, ruleFedByReporter.toSource]).toEqual([
      NODE_SOURCE,
      RULE_SOURCE,
      DAEMONSET_SOURCE,
    ]);
    expect(RULE_SOURCE).toBe('crd-readiness.node.x-k8s.io/NodeReadinessRule');
  });

  it.each([
    ['a held node', node('b', worker, 'False', [taint]), true, 'held'],
    ['a ready node', node('a', worker, 'True', []), true, 'ready'],
    ['a node the selector leaves out', node('cp', {}, 'False', []), false, null],
  ])('relate %s to the rule that gates it, labelled with the verdict', (_, subject, related, label) => {
    expect(nodeGatedByRule.predicate(inMap(subject), inMap(rule))).toBe(related);
    if (label) expect(nodeGatedByRule.edgeAttributes!(inMap(subject), inMap(rule)).label).toBe(label);
  });

  it('never relate objects of two clusters', () => {
    expect(nodeGatedByRule.predicate(inMap(node('b', worker, 'False', [taint]), 'one'), inMap(rule, 'two'))).toBe(false);
  });

  it.each([
    ['writes one of its conditions', reporter('projectcalico.org/CalicoReady'), true],
    ['writes another condition', reporter('example.com/StorageReady'), false],
  ])('relate a rule to a DaemonSet whose reporter %s', (_, workload, related) => {
    expect(ruleFedByReporter.predicate(inMap(rule), inMap(workload))).toBe(related);
  });
});
