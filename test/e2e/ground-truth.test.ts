// The first proof the project owes: what kube-apiserver really decides when a
// reporter's pod-bound token asks for node access, in every scenario.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import type { ApiResponse } from '../cluster/requests.ts';
import { CONDITION, VARIANTS, featureGatesFor, loadScenario, podBoundToken } from '../cluster/scenario.ts';
import { PROBES, expectedStatus, send } from './ground-truth-cases.ts';

const resultsDir = join(import.meta.dirname, 'results');

for (const variant of VARIANTS) {
  describe(`ground truth: ${variant}`, () => {
    let cluster: Cluster;
    const outcomes: Record<string, ApiResponse> = {};

    before(async () => {
      cluster = await startCluster({ featureGates: featureGatesFor(variant) });
      await loadScenario(cluster, variant, { withRule: false });
      const token = await podBoundToken(cluster, 'node-a');
      for (const probe of PROBES) outcomes[probe.id] = await send(cluster, token, probe);
      mkdirSync(resultsDir, { recursive: true });
      const record = PROBES.map((probe) => ({ ...probe, status: outcomes[probe.id]!.status, message: outcomes[probe.id]!.message }));
      writeFileSync(
        join(resultsDir, `ground-truth-${variant}.json`),
        JSON.stringify({ variant, featureGates: cluster.featureGates, record }, null, 2),
      );
    });
    after(() => cluster?.stop());

    for (const probe of PROBES) {
      const expected = expectedStatus(variant, probe.id);
      it(`${probe.id} → ${expected}`, () => {
        const outcome = outcomes[probe.id]!;
        assert.equal(outcome.status, expected, outcome.message);
      });
    }

    if (variant === 'hardened') {
      it('NodeRestriction is what stops a write to another node', () => {
        assert.match(outcomes['update-other-status-as-own']!.message, /node "node-a" is not allowed to modify node "node-b"/);
      });
      it('the Node authorizer is what stops reading another node', () => {
        assert.match(
          outcomes['get-other-as-own']!.message,
          /User "system:node:node-a" cannot get resource "nodes".*only its own Node object/,
        );
      });
      it('without impersonation the ServiceAccount itself has no node rights', () => {
        assert.match(
          outcomes['get-own-direct']!.message,
          /User "system:serviceaccount:kube-system:cni-reporter" cannot get resource "nodes"/,
        );
      });
      it('impersonating another node by name is refused at the arbitrary-node check', () => {
        assert.match(
          outcomes['update-other-status-as-other']!.message,
          /cannot impersonate-on:arbitrary-node:update resource "nodes\/status"/,
        );
      });
    }
    if (variant === 'broad') {
      it("node-a's token really rewrote node-b's condition", async () => {
        const conditions = await cluster.kubectlOk([
          'get',
          'node',
          'node-b',
          '-o',
          `jsonpath={.status.conditions[?(@.type=="${CONDITION}")].message}`,
        ]);
        assert.equal(conditions, 'written by update-other-status-direct');
      });
    }
    if (variant === 'legacy-impersonation') {
      it("legacy impersonation with Impersonate-Group lets node-a's token write node-b", async () => {
        const message = await cluster.kubectlOk([
          'get',
          'node',
          'node-b',
          '-o',
          `jsonpath={.status.conditions[?(@.type=="${CONDITION}")].message}`,
        ]);
        assert.equal(message, 'written by update-other-status-as-other-with-groups');
      });
    }
    if (variant === 'gate-off') {
      it('with the gate off, node impersonation is judged by legacy rules only', () => {
        assert.match(outcomes['get-own-as-own']!.message, /cannot impersonate resource "users"/);
      });
    }
  });
}
