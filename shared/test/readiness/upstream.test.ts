// Every NodeReadinessRule NRC v0.5.0 ships (examples, samples, e2e testdata),
// evaluated against nodes in each state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateRule, readRule, type RuleView } from '../../src/index.ts';
import { loadManifests, ofKind } from '../fixtures.ts';
import { NOW, condition, node } from '../nodes.ts';

const rules = ofKind(loadManifests(), 'NodeReadinessRule');

// Labels that each upstream selector picks, so every rule gets a node to judge.
function selectedLabels(view: RuleView): Record<string, string> {
  const selector = view.nodeSelector as { matchLabels?: Record<string, string> };
  return { 'kubernetes.io/os': 'linux', ...(selector.matchLabels ?? {}) };
}

function satisfying(view: RuleView): ReturnType<typeof condition>[] {
  return view.conditions.map((requirement) => condition(requirement.type, requirement.requiredStatus));
}

function failing(view: RuleView): ReturnType<typeof condition>[] {
  return view.conditions.map((requirement) => condition(requirement.type, requirement.requiredStatus === 'True' ? 'False' : 'True'));
}

describe('upstream rule manifests', () => {
  it('are all found (examples, samples and e2e testdata)', () => {
    const files = new Set(rules.map((manifest) => manifest.file.split('/')[0]));
    assert.deepEqual([...files].sort(), ['config', 'examples', 'test']);
    assert.equal(rules.length, 13);
  });

  for (const manifest of rules) {
    describe(`${manifest.file}`, () => {
      const view = readRule(manifest.object);
      const taint = { key: view.taint.key, effect: view.taint.effect, ...(view.taint.value ? { value: view.taint.value } : {}) };
      const labels = selectedLabels(view);

      it('reads with no spec problems', () => {
        assert.deepEqual(view.problems, []);
        assert.ok(view.taint.key.startsWith('readiness.k8s.io/'));
      });

      it('is ready when its conditions are met and the taint is gone', () => {
        const verdict = evaluateRule(manifest.object, node('n', { labels, conditions: satisfying(view) }), { now: NOW });
        assert.equal(verdict.state, 'ready', verdict.reason);
      });

      it('holds a node whose conditions fail while the taint is on', () => {
        const verdict = evaluateRule(manifest.object, node('n', { labels, taints: [taint], conditions: failing(view) }), { now: NOW });
        assert.equal(verdict.state, 'held', verdict.reason);
        assert.equal(verdict.blocksScheduling, true);
        assert.equal(verdict.dryRun, view.dryRun);
      });

      it('is releasing when conditions pass but the taint remains', () => {
        const verdict = evaluateRule(manifest.object, node('n', { labels, taints: [taint], conditions: satisfying(view) }), { now: NOW });
        assert.equal(verdict.state, 'releasing', verdict.reason);
        assert.equal(verdict.action, 'remove-taint');
      });

      it(view.dryRun ? 'as a dry-run, says it would add the taint' : 'reports drift when the taint is missing', () => {
        const verdict = evaluateRule(manifest.object, node('n', { labels, conditions: failing(view) }), { now: NOW });
        assert.equal(verdict.state, 'unguarded', verdict.reason);
        assert.match(verdict.reason, view.dryRun ? /^dry-run: would add/ : /NRC has yet to add it/);
      });

      if (view.mode === 'bootstrap-only') {
        it('stops gating once bootstrap completed', () => {
          const annotations = { [`readiness.k8s.io/bootstrap-completed-${view.name}`]: 'true' };
          const verdict = evaluateRule(manifest.object, node('n', { labels, annotations, conditions: failing(view) }), { now: NOW });
          assert.equal(verdict.state, 'bootstrap-complete');
        });
      }
    });
  }

  it('the problem gate (defaultStatus False) lets a node without the condition through', () => {
    const gate = rules.find((manifest) => manifest.file.includes('problem-gate'))!;
    const verdict = evaluateRule(gate.object, node('n', { labels: { 'kubernetes.io/os': 'linux' } }), { now: NOW });
    assert.equal(verdict.state, 'ready', verdict.reason);
  });

  it('the CNI rule skips control-plane nodes', () => {
    const cni = rules.find((manifest) => manifest.file === 'examples/cni-readiness/network-readiness-rule.yaml')!;
    const verdict = evaluateRule(cni.object, node('cp', { labels: { 'node-role.kubernetes.io/control-plane': '' } }), { now: NOW });
    assert.equal(verdict.state, 'not-selected');
  });

  it('the multi-condition rule needs every condition (allOf by default)', () => {
    const multi = rules.find((manifest) => manifest.file.endsWith('multi-condition-rule.yaml'))!;
    const verdict = evaluateRule(
      multi.object,
      node('n', {
        labels: { 'e2e-test': 'multi-condition' },
        taints: [{ key: 'readiness.k8s.io/Ready', effect: 'NoSchedule', value: 'pending' }],
        conditions: [condition('NetworkReady', 'True')],
      }),
      { now: NOW },
    );
    assert.equal(verdict.policy, 'allOf');
    assert.equal(verdict.state, 'held');
    assert.match(verdict.reason, /StorageReady is missing/);
  });
});
