import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NODE_GROUPS, rbacAnswerer, type SubjectAccessReviewSpec } from '../../src/index.ts';
import { rbacFrom, upstream } from '../rbac-fixtures.ts';

const ask = rbacAnswerer(rbacFrom(upstream.broad()));
const review = (user: string, groups: string[], verb: string, name?: string): { review: SubjectAccessReviewSpec } => ({
  review: { user, groups, resourceAttributes: { verb, group: '', version: 'v1', resource: 'nodes', ...(name ? { name } : {}) } },
});

describe('rbacAnswerer: RBAC objects plus the Node authorizer, modelled', () => {
  const cases: [string, { review: SubjectAccessReviewSpec }, boolean][] = [
    ['a node reads itself', review('system:node:a', NODE_GROUPS, 'get', 'a'), true],
    ['a node cannot read another node', review('system:node:a', NODE_GROUPS, 'get', 'b'), false],
    ['a node may write Node objects (NodeRestriction limits which)', review('system:node:a', NODE_GROUPS, 'update', 'b'), true],
    ['a node user without system:nodes is only RBAC', review('system:node:a', ['system:authenticated'], 'get', 'a'), false],
    [
      'the broad reporter writes any node status by RBAC',
      {
        review: {
          user: 'system:serviceaccount:kube-system:cni-reporter',
          groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
          resourceAttributes: { verb: 'update', group: '', version: 'v1', resource: 'nodes', subresource: 'status', name: 'b' },
        },
      },
      true,
    ],
  ];
  for (const [name, question, allowed] of cases) it(name, () => assert.equal(ask(question).allowed, allowed));

  it('names the grants behind an RBAC allow', () => {
    const answer = ask(cases[4]![1]);
    assert.ok(answer.grants && answer.grants.length > 0);
  });
});
