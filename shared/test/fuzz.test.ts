// Fuzzing the security core: the RBAC matcher and the chain planner never
// throw on what a cluster hands them, and keep the invariants the verdicts
// rest on. FUZZ_RUNS cases per property.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decideChain,
  grantsFor,
  indexRbac,
  planChain,
  postureQuestions,
  rbacAnswerer,
  readPolicyRules,
  ruleAllows,
  serviceAccountUser,
  type ChainRequest,
  type GateState,
  type PolicyRule,
  type ResourceAttributes,
} from '../src/index.ts';
import { FUZZ_RUNS } from './fuzz-runs.ts';

const word = fc.oneof(
  fc.constantFrom('', '*', 'nodes', 'status', 'get', 'update', 'patch', 'kube-system', 'node-a'),
  fc.string({ maxLength: 12 }),
);
const attributes: fc.Arbitrary<ResourceAttributes> = fc.record(
  { verb: word, group: word, resource: word, subresource: word, name: word, namespace: word },
  { requiredKeys: ['verb', 'group', 'resource'] },
);
const rule: fc.Arbitrary<PolicyRule> = fc.record({
  verbs: fc.array(word, { maxLength: 3 }),
  apiGroups: fc.array(word, { maxLength: 3 }),
  resources: fc.array(word, { maxLength: 3 }),
  resourceNames: fc.array(word, { maxLength: 2 }),
  nonResourceURLs: fc.array(word, { maxLength: 2 }),
});
const anyObjects = fc.array(fc.jsonValue(), { maxLength: 4 });

describe('RBAC matcher, fuzzed', () => {
  it('indexes and answers arbitrary JSON as RBAC objects without throwing', () => {
    fc.assert(
      fc.property(
        anyObjects,
        anyObjects,
        anyObjects,
        anyObjects,
        attributes,
        (clusterRoles, clusterRoleBindings, roles, roleBindings, asked) => {
          const objects = { clusterRoles, clusterRoleBindings, roles, roleBindings };
          const grants = grantsFor(indexRbac(objects), serviceAccountUser('kube-system', 'cni-reporter'), asked);
          assert.ok(Array.isArray(grants));
          const answer = rbacAnswerer(objects);
          for (const question of postureQuestions(
            { namespace: 'kube-system', name: 'cni-reporter' },
            { ownNode: 'a', otherNode: 'b' },
          ).slice(0, 3))
            assert.equal(typeof answer(question).allowed, 'boolean');
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('reads arbitrary JSON roles into string-only rules', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (role) => {
        for (const parsed of readPolicyRules(role))
          for (const list of Object.values(parsed)) assert.ok((list as unknown[]).every((entry) => typeof entry === 'string'));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('a full wildcard rule without resourceNames allows everything', () => {
    const everything: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] };
    fc.assert(
      fc.property(attributes, (asked) => assert.ok(ruleAllows(everything, { ...asked, subresource: '' }))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('widening a rule (a verb, a group, a resource, dropping resourceNames) never takes a permission away', () => {
    fc.assert(
      fc.property(rule, attributes, word, (granted, asked, extra) => {
        if (!ruleAllows(granted, asked)) return;
        const widened = [
          { ...granted, verbs: [...granted.verbs, extra] },
          { ...granted, apiGroups: [...granted.apiGroups, extra] },
          { ...granted, resources: [...granted.resources, extra] },
          { ...granted, resourceNames: [] },
        ];
        for (const wider of widened) assert.ok(ruleAllows(wider, asked));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('chain planner, fuzzed', () => {
  const request: fc.Arbitrary<ChainRequest> = fc.record({
    serviceAccount: fc.record({ namespace: word, name: word }),
    runsOn: word,
    impersonate: fc.option(word, { nil: null }),
    action: attributes,
    gate: fc.constantFrom<GateState>('enabled', 'disabled', 'unknown'),
  });

  it('plans and decides any request; reviews ask as the requester except the node-identity steps; missing answers give "unknown", all denials give "denied"', () => {
    fc.assert(
      fc.property(request, (asked) => {
        const plan = planChain(asked);
        assert.ok(plan.questions.length > 0);
        const requester = serviceAccountUser(asked.serviceAccount.namespace, asked.serviceAccount.name).username;
        for (const question of plan.questions) {
          const asNode = question.step === 'as-node' || question.step === 'as-legacy-user';
          assert.equal(question.review.user, asNode ? `system:node:${asked.impersonate}` : requester);
        }
        assert.equal(decideChain(plan, () => undefined).allowed, null);
        assert.equal(decideChain(plan, () => ({ allowed: false })).allowed, false);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('when every review allows, only modelled admission can still deny, and only a node writing another node', () => {
    fc.assert(
      fc.property(request, (asked) => {
        const verdict = decideChain(planChain(asked), () => ({ allowed: true }));
        if (verdict.allowed === false) {
          assert.equal(verdict.decidedBy, 'admission (modelled)');
          assert.ok(verdict.admission.applies && !verdict.admission.allowed);
        } else assert.equal(verdict.allowed, true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
