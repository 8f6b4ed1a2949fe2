import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideChain, planChain, rbacAnswerer, type Action, type ChainRequest, type GateState, type RbacObjects } from '../../src/index.ts';
import { arbitraryNode, legacyImpersonator, rbacFrom, upstream } from '../rbac-fixtures.ts';

const sa = { namespace: 'kube-system', name: 'cni-reporter' };
const getNode = (name: string): Action => ({ verb: 'get', group: '', resource: 'nodes', name });
const updateStatus = (name: string): Action => ({ verb: 'update', group: '', resource: 'nodes', subresource: 'status', name });
const patchStatus = (name: string): Action => ({ verb: 'patch', group: '', resource: 'nodes', subresource: 'status', name });
const patchNode = (name: string): Action => ({ verb: 'patch', group: '', resource: 'nodes', name });

function request(action: Action, impersonate: string | null, gate: GateState = 'enabled'): ChainRequest {
  return { serviceAccount: sa, runsOn: 'node-a', impersonate, action, gate };
}

describe('planChain', () => {
  it('asks the associated-node checks with extras rewritten to their keys, then arbitrary-node, legacy, and the action as the node', () => {
    const plan = planChain(request(updateStatus('node-a'), 'node-a'));
    assert.deepEqual(
      plan.questions.map((question) => question.step),
      [
        'associated-node-action',
        'associated-node-identity',
        'arbitrary-node-action',
        'arbitrary-node-identity',
        'legacy-identity',
        'as-node',
        'as-legacy-user',
      ],
    );
    const [action, identity] = plan.questions;
    assert.deepEqual(action!.review, {
      user: 'system:serviceaccount:kube-system:cni-reporter',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/associated-node-keys': [
          'authentication.kubernetes.io/credential-id',
          'authentication.kubernetes.io/node-name',
          'authentication.kubernetes.io/node-uid',
          'authentication.kubernetes.io/pod-name',
          'authentication.kubernetes.io/pod-uid',
        ],
      },
      resourceAttributes: {
        verb: 'impersonate-on:associated-node:update',
        group: '',
        version: 'v1',
        resource: 'nodes',
        subresource: 'status',
        name: 'node-a',
      },
    });
    assert.deepEqual(identity!.review.resourceAttributes, {
      verb: 'impersonate:associated-node',
      group: 'authentication.k8s.io',
      version: 'v1',
      resource: 'nodes',
      name: '*',
    });
    const asNode = plan.questions.find((question) => question.step === 'as-node')!;
    assert.deepEqual([asNode.review.user, asNode.review.groups], ['system:node:node-a', ['system:nodes', 'system:authenticated']]);
    const legacy = plan.questions.find((question) => question.step === 'legacy-identity')!;
    assert.deepEqual(legacy.review.resourceAttributes, {
      verb: 'impersonate',
      group: '',
      version: 'v1',
      resource: 'users',
      name: 'system:node:node-a',
    });
  });

  it('skips associated-node when impersonating a node other than its own', () => {
    const steps = planChain(request(updateStatus('node-b'), 'node-b')).questions.map((question) => question.step);
    assert.ok(!steps.includes('associated-node-action'));
    const identity = planChain(request(updateStatus('node-b'), 'node-b')).questions.find(
      (question) => question.step === 'arbitrary-node-identity',
    )!;
    assert.equal(identity.review.resourceAttributes.name, 'node-b');
  });

  it('with the gate off, only legacy impersonation is tried', () => {
    const steps = planChain(request(getNode('node-a'), 'node-a', 'disabled')).questions.map((question) => question.step);
    assert.deepEqual(steps, ['legacy-identity', 'as-node', 'as-legacy-user']);
  });

  it('without impersonation, asks once as the ServiceAccount with its node-name extra', () => {
    const [question, ...rest] = planChain(request(getNode('node-a'), null)).questions;
    assert.equal(rest.length, 0);
    assert.equal(question!.step, 'direct');
    assert.deepEqual(question!.review.extra, { 'authentication.kubernetes.io/node-name': ['node-a'] });
  });
});

// The probes of the real-cluster ground truth, predicted from RBAC objects alone.
const probes: { id: string; action: Action; impersonate: string | null }[] = [
  { id: 'get-own-as-own', action: getNode('node-a'), impersonate: 'node-a' },
  { id: 'get-other-as-own', action: getNode('node-b'), impersonate: 'node-a' },
  { id: 'update-own-status-as-own', action: updateStatus('node-a'), impersonate: 'node-a' },
  { id: 'update-other-status-as-own', action: updateStatus('node-b'), impersonate: 'node-a' },
  { id: 'patch-own-status-as-own', action: patchStatus('node-a'), impersonate: 'node-a' },
  { id: 'patch-own-spec-as-own', action: patchNode('node-a'), impersonate: 'node-a' },
  { id: 'get-own-direct', action: getNode('node-a'), impersonate: null },
  { id: 'update-own-status-direct', action: updateStatus('node-a'), impersonate: null },
  { id: 'update-other-status-direct', action: updateStatus('node-b'), impersonate: null },
  { id: 'update-other-status-as-other', action: updateStatus('node-b'), impersonate: 'node-b' },
];

const scenarios: { name: string; rbac: RbacObjects; gate: GateState; allowed: string[] }[] = [
  { name: 'hardened', rbac: rbacFrom(upstream.constrained()), gate: 'enabled', allowed: ['get-own-as-own', 'update-own-status-as-own'] },
  {
    name: 'broad',
    rbac: rbacFrom(upstream.broad()),
    gate: 'enabled',
    allowed: ['get-own-direct', 'update-own-status-direct', 'update-other-status-direct'],
  },
  {
    name: 'legacy-impersonation',
    rbac: rbacFrom(upstream.constrained(), legacyImpersonator),
    gate: 'enabled',
    allowed: ['get-own-as-own', 'update-own-status-as-own'],
  },
  { name: 'gate-off', rbac: rbacFrom(upstream.constrained()), gate: 'disabled', allowed: [] },
  {
    name: 'arbitrary-node',
    rbac: rbacFrom(upstream.constrained(), arbitraryNode),
    gate: 'enabled',
    allowed: ['get-own-as-own', 'update-own-status-as-own', 'update-other-status-as-other'],
  },
];

describe('decideChain with answers from RBAC objects', () => {
  for (const scenario of scenarios) {
    const answer = rbacAnswerer(scenario.rbac);
    for (const probe of probes) {
      const expected = scenario.allowed.includes(probe.id);
      it(`${scenario.name}: ${probe.id} → ${expected ? 'allowed' : 'denied'}`, () => {
        const verdict = decideChain(
          planChain({
            serviceAccount: sa,
            runsOn: 'node-a',
            impersonate: probe.impersonate,
            action: probe.action,
            gate: scenario.gate,
          }),
          answer,
        );
        assert.equal(verdict.allowed, expected, verdict.explanation);
      });
    }
  }

  const hardened = rbacAnswerer(rbacFrom(upstream.constrained()));
  const decide = (action: Action, impersonate: string | null) => decideChain(planChain(request(action, impersonate)), hardened);

  it('says NodeRestriction (modelled) is what stops writing another node', () => {
    const verdict = decide(updateStatus('node-b'), 'node-a');
    assert.deepEqual([verdict.mode, verdict.decidedBy], ['associated-node', 'admission (modelled)']);
    assert.equal(verdict.admission.reason, 'node "node-a" is not allowed to modify node "node-b"');
  });

  it('says the Node authorizer is what stops reading another node', () => {
    const verdict = decide(getNode('node-b'), 'node-a');
    assert.deepEqual([verdict.mode, verdict.decidedBy], ['associated-node', 'authorization']);
    assert.match(verdict.steps.find((step) => step.step === 'as-node')!.answer!.reason!, /cannot read 'node-b'/);
  });

  it('marks the decisive steps of an allowed request', () => {
    const verdict = decide(updateStatus('node-a'), 'node-a');
    assert.deepEqual(
      verdict.steps.filter((step) => step.decisive).map((step) => step.step),
      ['associated-node-action', 'associated-node-identity', 'as-node'],
    );
    assert.equal(verdict.explanation, 'allowed impersonating system:node:node-a via associated-node');
  });

  it('a denied impersonation names the first check that failed', () => {
    const verdict = decide(patchStatus('node-a'), 'node-a');
    assert.equal(verdict.decidedBy, 'impersonation');
    assert.match(verdict.explanation, /impersonate-on:associated-node:patch on patch nodes\/status node-a is not granted/);
  });

  it('legacy impersonation yields a node name without the system:nodes group', () => {
    const legacy = rbacAnswerer(rbacFrom(upstream.constrained(), legacyImpersonator));
    const verdict = decideChain(planChain(request(patchStatus('node-a'), 'node-a')), legacy);
    assert.deepEqual([verdict.mode, verdict.identity?.groups], ['legacy', ['system:authenticated']]);
    assert.equal(verdict.allowed, false);
  });

  it('returns unknown, naming the missing answer, when a needed review was not answered', () => {
    const verdict = decideChain(planChain(request(updateStatus('node-a'), 'node-a')), (question) =>
      question.step === 'associated-node-action' ? { allowed: true } : undefined,
    );
    assert.equal(verdict.allowed, null);
    assert.match(verdict.explanation, /associated-node-identity/);
  });
});
