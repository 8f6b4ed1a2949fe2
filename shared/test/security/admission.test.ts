import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NODE_GROUPS, nodeRestriction, type Action } from '../../src/index.ts';

const node = (name: string) => ({ username: `system:node:${name}`, groups: NODE_GROUPS });
const status = (verb: string, name?: string): Action => ({
  verb,
  group: '',
  resource: 'nodes',
  subresource: 'status',
  ...(name ? { name } : {}),
});

describe('nodeRestriction (modelled)', () => {
  const cases: [string, { username: string; groups: string[] }, Action, { applies: boolean; allowed: boolean }][] = [
    ['a node updates its own status', node('a'), status('update', 'a'), { applies: true, allowed: true }],
    ['a node updates another node', node('a'), status('update', 'b'), { applies: true, allowed: false }],
    [
      'a node deletes another node',
      node('a'),
      { verb: 'delete', group: '', resource: 'nodes', name: 'b' },
      { applies: true, allowed: false },
    ],
    ['a read is not admission', node('a'), { verb: 'get', group: '', resource: 'nodes', name: 'b' }, { applies: false, allowed: true }],
    ['another resource', node('a'), { verb: 'update', group: '', resource: 'pods', name: 'p' }, { applies: false, allowed: true }],
    [
      'a node name without the system:nodes group',
      { username: 'system:node:a', groups: ['system:authenticated'] },
      status('update', 'b'),
      { applies: false, allowed: true },
    ],
  ];
  it('a node may patch its own Node object, but the reason says it cannot lift its taints', () => {
    const verdict = nodeRestriction(node('a'), { verb: 'patch', group: '', resource: 'nodes', name: 'a' });
    assert.equal(verdict.allowed, true);
    assert.match(verdict.reason, /not its taints .* so not lift its readiness taint/);
  });

  for (const [name, identity, action, expected] of cases)
    it(name, () => {
      const { applies, allowed } = nodeRestriction(identity, action);
      assert.deepEqual({ applies, allowed }, expected);
    });
});
