import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featureAt, gateOf, isNewerThanKnown, type Maturity } from '../../src/index.ts';

describe('release facts', () => {
  const table: [release: string, feature: string, maturity: Maturity, onByDefault: boolean][] = [
    ['1.34', 'ConstrainedImpersonation', 'absent', false],
    ['1.35', 'ConstrainedImpersonation', 'alpha', false],
    ['1.36', 'ConstrainedImpersonation', 'beta', true],
    ['1.37', 'ConstrainedImpersonation', 'beta', true],
    ['1.31', 'MutatingAdmissionPolicy', 'absent', false],
    ['1.34', 'MutatingAdmissionPolicy', 'beta', false],
    ['1.35', 'MutatingAdmissionPolicy', 'beta', false],
    ['1.36', 'MutatingAdmissionPolicy', 'GA', true],
    ['1.29', 'ValidatingAdmissionPolicy', 'beta', false],
    ['1.35', 'ValidatingAdmissionPolicy', 'GA', true],
  ];
  for (const [release, feature, maturity, onByDefault] of table)
    it(`${feature} in ${release}: ${maturity}, ${onByDefault ? 'on' : 'off'} by default`, () => {
      assert.deepEqual((({ maturity: m, onByDefault: o }) => ({ maturity: m, onByDefault: o }))(featureAt(release, feature)), {
        maturity,
        onByDefault,
      });
    });

  it('a release newer than the newest known is not guessed at', () => {
    assert.equal(isNewerThanKnown('1.37'), false);
    assert.equal(isNewerThanKnown('1.38'), true);
    assert.equal(isNewerThanKnown('1.30'), false);
  });

  const gates: [gitVersion: string | null, metric: 0 | 1 | null, gate: string][] = [
    ['v1.34.4', 1, 'disabled'],
    ['v1.35.4', null, 'unknown'],
    ['v1.35.4', 1, 'enabled'],
    ['v1.36.3', null, 'enabled'],
    ['v1.37.2', 0, 'disabled'],
    [null, null, 'unknown'],
  ];
  for (const [gitVersion, featureMetric, gate] of gates)
    it(`the gate on ${gitVersion ?? 'an unknown release'} with metric ${featureMetric}: ${gate}`, () => {
      assert.equal(gateOf({ gitVersion, featureMetric }), gate);
    });
});
