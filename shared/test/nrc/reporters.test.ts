import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discoverReporters, type Workload } from '../../src/index.ts';
import { loadManifests, ofKind } from '../fixtures.ts';

const constrained = loadManifests('examples/constrained-impersonation');
const broad = loadManifests('examples/cni-readiness');
const npd = loadManifests('examples/security-agent-readiness/npd-variant');
const falcoRules = loadManifests('examples/security-agent-readiness/nrr-variant');

const objects = (manifests: ReturnType<typeof loadManifests>, kind: string) => ofKind(manifests, kind).map((manifest) => manifest.object);

// NPD's monitor config, shaped like the falco example expects it.
const npdConfig = {
  kind: 'ConfigMap',
  metadata: { name: 'npd-falco-config', namespace: 'falco' },
  data: {
    'falco-plugin.json': JSON.stringify({
      plugin: 'custom',
      source: 'falco-monitor',
      conditions: [{ type: 'falco.org/FalcoNotReady', reason: 'FalcoReady', message: 'Falco is running' }],
    }),
  },
};

describe('discoverReporters', () => {
  it('finds the hardened CNI reporter: impersonates its node, feeds the network rule', () => {
    const { reporters, unattributed } = discoverReporters(objects(constrained, 'DaemonSet'), objects(constrained, 'NodeReadinessRule'));
    assert.equal(reporters.length, 1);
    const [reporter] = reporters;
    assert.deepEqual(reporter!.workload, { kind: 'DaemonSet', namespace: 'kube-system', name: 'cni-reporter' });
    assert.deepEqual(reporter!.serviceAccount, { namespace: 'kube-system', name: 'cni-reporter' });
    assert.equal(reporter!.kind, 'nrc-reporter');
    assert.deepEqual(reporter!.conditionTypes, ['projectcalico.org/CalicoReady']);
    assert.equal(reporter!.impersonatesNode, true);
    assert.equal(reporter!.nodeNameFromSpec, true);
    assert.equal(reporter!.projectedToken, true);
    assert.deepEqual(reporter!.feedsRules, ['network-readiness-rule']);
    assert.deepEqual(unattributed, []);
  });

  it('finds the broad-RBAC CNI reporter without impersonation, feeding the CNI rule', () => {
    const { reporters } = discoverReporters(objects(broad, 'DaemonSet'), objects(broad, 'NodeReadinessRule'));
    assert.equal(reporters.length, 1);
    assert.equal(reporters[0]!.impersonatesNode, false);
    assert.deepEqual(reporters[0]!.feedsRules, ['network-readiness-rule']);
  });

  it('reads Node Problem Detector condition types from its monitor ConfigMap', () => {
    const { reporters, unattributed } = discoverReporters(objects(npd, 'DaemonSet'), objects(npd, 'NodeReadinessRule'), [npdConfig]);
    assert.equal(reporters[0]!.kind, 'node-problem-detector');
    assert.deepEqual(reporters[0]!.serviceAccount, { namespace: 'falco', name: 'node-problem-detector' });
    assert.deepEqual(reporters[0]!.conditionTypes, ['falco.org/FalcoNotReady']);
    assert.equal(reporters[0]!.unresolved, null);
    assert.deepEqual(reporters[0]!.feedsRules, ['security-agent-readiness-rule-npd']);
    assert.deepEqual(unattributed, []);
  });

  it('says when it could not read NPD condition types, and does not guess', () => {
    const { reporters, unattributed } = discoverReporters(objects(npd, 'DaemonSet'), objects(npd, 'NodeReadinessRule'));
    assert.deepEqual(reporters[0]!.conditionTypes, []);
    assert.match(reporters[0]!.unresolved ?? '', /ConfigMap falco\/npd-falco-config was not read/);
    assert.deepEqual(unattributed, [{ type: 'falco.org/FalcoNotReady', rules: ['security-agent-readiness-rule-npd'] }]);
  });

  it('reports a rule condition no workload writes as unattributed', () => {
    const { reporters, unattributed } = discoverReporters([], objects(falcoRules, 'NodeReadinessRule'));
    assert.deepEqual(reporters, []);
    assert.deepEqual(unattributed, [{ type: 'falco.org/FalcoReady', rules: ['security-agent-readiness-rule'] }]);
  });

  it('does not take a DaemonSet with only NODE_NAME for a reporter', () => {
    const logShipper: Workload = {
      kind: 'DaemonSet',
      metadata: { name: 'fluent-bit', namespace: 'logging' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'fluent-bit',
                image: 'fluent/fluent-bit:3',
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
              },
            ],
          },
        },
      },
    };
    assert.deepEqual(discoverReporters([logShipper], []).reporters, []);
  });

  it('records a custom reporter, its default ServiceAccount and a mounted Secret', () => {
    const custom: Workload = {
      kind: 'Deployment',
      metadata: { name: 'gpu-checker', namespace: 'gpu' },
      spec: {
        template: {
          spec: {
            automountServiceAccountToken: false,
            volumes: [{ name: 'token', secret: { secretName: 'gpu-checker-token' } }],
            containers: [
              {
                name: 'check',
                image: 'example.com/gpu-check:1',
                env: [
                  { name: 'CONDITION_TYPE', value: 'example.com/GPUReady' },
                  { name: 'IMPERSONATE_NODE', value: 'false' },
                ],
              },
            ],
          },
        },
      },
    };
    const [reporter] = discoverReporters([custom], []).reporters;
    assert.equal(reporter!.kind, 'custom');
    assert.deepEqual(reporter!.serviceAccount, { namespace: 'gpu', name: 'default' });
    assert.equal(reporter!.impersonatesNode, false);
    assert.equal(reporter!.nodeNameFromSpec, false);
    assert.equal(reporter!.projectedToken, false);
    assert.deepEqual(reporter!.secretVolumes, ['gpu-checker-token']);
    assert.deepEqual(reporter!.identifiedBy, ['env CONDITION_TYPE=example.com/GPUReady', 'env IMPERSONATE_NODE=false']);
  });
});
