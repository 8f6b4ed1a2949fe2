import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeReleaseFacts, gateOf, releaseFacts, type ClusterFacts } from '../../src/index.ts';

const described = (facts: ClusterFacts, assumed: 'flag' | 'default' | null) =>
  describeReleaseFacts(releaseFacts(facts, gateOf(facts), assumed));

describe('the release facts verify names', () => {
  it('live: the release, the gate and where it was read, and the admission policies', () => {
    assert.equal(
      described({ gitVersion: 'v1.36.3', featureMetric: 1 }, null),
      "Kubernetes v1.36.3: ConstrainedImpersonation beta, on by default, enabled (from the apiserver's kubernetes_feature_enabled metric); MutatingAdmissionPolicy GA, on by default; ValidatingAdmissionPolicy GA, on by default",
    );
  });

  it('offline: the gate from --feature-gates, or the release default', () => {
    assert.match(
      described({ gitVersion: 'v1.35', featureMetric: 1 }, 'flag'),
      /ConstrainedImpersonation alpha, off by default, enabled \(from --feature-gates\)/,
    );
    assert.match(
      described({ gitVersion: 'v1.35', featureMetric: 0 }, 'default'),
      /ConstrainedImpersonation alpha, off by default, disabled \(from the release's default\)/,
    );
  });

  it('a 1.35 whose metric cannot be read: the gate is unknown, and no source is claimed', () => {
    assert.match(
      described({ gitVersion: 'v1.35.4', featureMetric: null }, null),
      /ConstrainedImpersonation alpha, off by default, unknown;/,
    );
  });

  it('a release newer than the newest known: taken as the newest, and said so', () => {
    const facts = releaseFacts({ gitVersion: 'v1.38.0', featureMetric: 1 }, 'enabled', null);
    assert.equal(facts.factsOf, '1.37');
    assert.match(
      describeReleaseFacts(facts),
      /^Kubernetes v1\.38\.0 \(newer than 1\.37, the newest release these facts were proven on: taken as 1\.37\)/,
    );
  });

  it('an unknown release names nothing it cannot know', () => {
    assert.equal(releaseFacts({ gitVersion: null, featureMetric: null }, 'unknown', null).features.length, 0);
  });
});
