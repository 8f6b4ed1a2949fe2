// The engine offers a class an identity only when one of the identity's rules
// touches a resource the class lists (graph.ts), so a class that asked about
// anything else would miss hops without a word. Every class's hops are run
// here under many mixes of allowed and denied answers, and every request they
// ask about must be one the class lists.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE } from '../../src/security/escalation/catalogue.ts';
import type { Bound, MoveContext, Principal } from '../../src/security/escalation/model.ts';
import type { ResourceAttributes } from '../../src/security/rbac.ts';
import { bind, clusterRole, rbacFrom } from '../rbac-fixtures.ts';

const everything: Bound = {
  binding: { kind: 'ClusterRoleBinding', name: 'all' },
  role: { kind: 'ClusterRole', name: 'all' },
  subject: { kind: 'User', name: 'attacker' },
  rule: { verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: ['named-a', 'named-b'], nonResourceURLs: [] },
  scope: undefined,
};
const everythingByAnyName: Bound = { ...everything, rule: { ...everything.rule, resourceNames: [] } };

const rbac = rbacFrom([
  clusterRole('aggregating', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } }),
  clusterRole('status-writer', [{ apiGroups: [''], resources: ['nodes/status'], verbs: ['update'] }]),
  bind('ClusterRoleBinding', 'attacker-aggregating', { kind: 'ClusterRole', name: 'aggregating' }, [{ kind: 'User', name: 'attacker' }]),
  bind('RoleBinding', 'team', { kind: 'ClusterRole', name: 'status-writer' }, [{ kind: 'User', name: 'attacker' }], 'team-a'),
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'team-role', namespace: 'team-a' }, rules: [] },
]);

const attacker = (credential: boolean): Principal => ({
  label: 'User attacker',
  kind: 'identity',
  user: { username: 'attacker', groups: ['system:authenticated'] },
  constrained: null,
  anyNodeToken: false,
  ownNodeToken: true,
  credential,
});

/** A deterministic mix: whether request `attributes` is allowed in round `seed`. */
function allowedIn(seed: number, attributes: ResourceAttributes): boolean {
  let hash = seed * 2654435761;
  for (const char of JSON.stringify(attributes)) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  return seed === 0 || (seed > 1 && (hash >>> 7) % 2 === 0);
}

const requested = (attributes: ResourceAttributes) =>
  attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;

describe('every class asks only about the resources it lists', () => {
  for (const entry of CATALOGUE.filter((candidate) => candidate.moves.length > 0))
    it(entry.id, () => {
      const listed = new Set(entry.resources);
      const asked = new Set<string>();
      for (let seed = 0; seed < 40; seed++)
        for (const credential of [true, false]) {
          const context: MoveContext = {
            from: attacker(credential),
            rules: [everything, everythingByAnyName],
            ask: (attributes) => {
              asked.add(requested(attributes));
              return allowedIn(seed, attributes) ? `grant ${seed}` : null;
            },
            powerOf: () => [everything, everythingByAnyName],
            rbac,
            pool: {
              accounts: [{ namespace: 'team-a', name: 'app' }],
              users: ['alice'],
              groups: ['ops'],
              running: [{ namespace: 'team-a', name: 'app' }],
            },
            accountsIn: new Map([['team-a', [{ namespace: 'team-a', name: 'app' }]]]),
            namespaces: ['team-a', 'kube-system'],
            constrainedOn: true,
            otherNode: 'node-b',
            admitsHostAccess: () => seed % 3 === 0,
          };
          for (const move of entry.moves) Array.from(move(context));
        }
      assert.ok(asked.size > 0, 'its hops asked nothing');
      assert.deepEqual(
        [...asked].filter((resource) => !listed.has(resource)),
        [],
        `asked about resources ${entry.id}'s \`resources\` does not list`,
      );
    });
});
