import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featureGateFromMetrics } from '../../src/index.ts';

describe('featureGateFromMetrics', () => {
  it('reads the feature gate metric from /metrics text', () => {
    const text = [
      '# HELP kubernetes_feature_enabled [BETA] This metric records the data about the stage and enablement of a k8s feature.',
      'kubernetes_feature_enabled{name="APIResponseCompression",stage="BETA"} 1',
      'kubernetes_feature_enabled{name="ConstrainedImpersonation",stage="BETA"} 0',
    ].join('\n');
    assert.equal(featureGateFromMetrics(text), 0);
    assert.equal(featureGateFromMetrics(text, 'APIResponseCompression'), 1);
    assert.equal(featureGateFromMetrics('', 'ConstrainedImpersonation'), null);
  });
});
