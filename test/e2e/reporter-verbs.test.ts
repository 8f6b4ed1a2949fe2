// The two faults found next to the escalation paths, against the real apiserver:
// patch and update of a node's own status are the same power (a reporter with
// patch instead of update is broken, not over-privileged), and a node may not
// lift its own readiness taint whatever impersonate-on verbs it holds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from '../cluster/cluster.ts';
import { boundClusterRole, serviceAccountSubject } from '../cluster/rbac.ts';
import { apiRequest, putNodeStatus } from '../cluster/requests.ts';
import { REPORTER, TAINT, hardenedWithNodeAToken } from '../cluster/scenario.ts';
import { cli } from './cli-runner.ts';

const role = (name: string, rules: string) =>
  boundClusterRole(name, rules, serviceAccountSubject(REPORTER.namespace, REPORTER.serviceAccount));

/** The NRC reporter's own write: Get, then UpdateStatus (a PUT), impersonating its node. */
const reportOwnStatus = async (cluster: Cluster, token: string): Promise<number> =>
  (await putNodeStatus(cluster, { token, node: 'node-a', impersonateUser: 'system:node:node-a', message: 'ok' })).status;

const posture = (cluster: Cluster) =>
  (
    JSON.parse(cli(['verify', '-o', 'json', '--kubeconfig', cluster.kubeconfig]).stdout) as {
      reporters: { posture: string; reasons: string[] }[];
    }
  ).reporters[0]!;

describe("a reporter's own verbs, against the real apiserver", () => {
  let cluster: Cluster;
  let token: string;
  before(async () => {
    ({ cluster, token } = await hardenedWithNodeAToken());
  });
  after(() => cluster?.stop());

  it('patch of its own status on top of update: it reports, and verify says constrained', async () => {
    await cluster.kubectlOk(
      ['apply', '-f', '-'],
      role('status-patch-too', '[{apiGroups: [""], resources: [nodes/status], verbs: ["impersonate-on:associated-node:patch"]}]'),
    );
    try {
      assert.equal(await reportOwnStatus(cluster, token), 200);
      assert.equal(posture(cluster).posture, 'constrained');
    } finally {
      await cluster.kubectlOk(['delete', 'clusterrole,clusterrolebinding', 'status-patch-too']);
    }
  });

  it('patch instead of update: its PUT is denied, and verify says misconfigured, not over-privileged', async () => {
    await cluster.kubectlOk(['delete', 'clusterrolebinding', 'cni-reporter-constrained-binding']);
    await cluster.kubectlOk(
      ['apply', '-f', '-'],
      role(
        'status-patch-only',
        '[{apiGroups: [""], resources: [nodes], verbs: ["impersonate-on:associated-node:get"]}, {apiGroups: [""], resources: [nodes/status], verbs: ["impersonate-on:associated-node:patch"]}]',
      ),
    );
    // Granted impersonation is cached for about 10 seconds: wait out the grant this test just removed.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    try {
      assert.equal(await reportOwnStatus(cluster, token), 403);
      const reporter = posture(cluster);
      assert.equal(reporter.posture, 'misconfigured', reporter.reasons.join('; '));
      assert.match(reporter.reasons.join('; '), /associated-node grants are missing: its writes are denied/);
    } finally {
      await cluster.kubectlOk(['delete', 'clusterrole,clusterrolebinding', 'status-patch-only']);
    }
  });

  it('a node may not lift its own readiness taint, even with impersonate-on:associated-node:patch on nodes; can-i says so', async () => {
    await cluster.kubectlOk(
      ['apply', '-f', '-'],
      role(
        'node-patcher',
        '[{apiGroups: [""], resources: [nodes], verbs: ["impersonate-on:associated-node:get", "impersonate-on:associated-node:patch"]}]',
      ),
    );
    try {
      const lifted = await apiRequest(cluster, {
        method: 'PATCH',
        path: '/api/v1/nodes/node-a',
        token,
        impersonateUser: 'system:node:node-a',
        body: { spec: { taints: [] } },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(lifted.status, 403, lifted.message);
      assert.match(lifted.message, /is not allowed to modify taints/);
      const taints = await cluster.kubectlOk(['get', 'node', 'node-a', '-o', 'jsonpath={.spec.taints[*].key}']);
      assert.match(taints, new RegExp(TAINT.key.replace(/\./g, '\\.')));
      const canI = cli([
        'can-i',
        'patch',
        'nodes/node-a',
        '--reporter',
        `${REPORTER.namespace}/${REPORTER.serviceAccount}`,
        '--on-node',
        'node-a',
        '-o',
        'wide',
        '--kubeconfig',
        cluster.kubeconfig,
      ]);
      assert.match(canI.stdout, /not its taints .* so not lift its readiness taint/);
      const reporterFlags = [
        '--reporter',
        `${REPORTER.namespace}/${REPORTER.serviceAccount}`,
        '--on-node',
        'node-a',
        '--kubeconfig',
        cluster.kubeconfig,
      ];
      // The apiserver refuses the lift (above), but patch of its own Node object still reaches its labels, which
      // decide which rules select it: no class walks that yet, so can-i says unassessed, not no.
      const lift = cli(['can-i', 'lift-taint', 'node-a', ...reporterFlags]);
      assert.deepEqual([lift.code, lift.stdout], [1, 'unassessed\n'], lift.stderr);
      assert.match(lift.stderr, /unassessed: impersonate-on:associated-node:patch nodes cluster-wide: ClusterRoleBinding node-patcher/);
      // The previous test left the reporter without update on its own status: can-i must agree with its real PUT.
      // Denied directly, as the real PUT shows; the same unwalked patch keeps the answer unassessed rather than no.
      const own = cli(['can-i', 'forge-conditions', 'nodes/node-a', ...reporterFlags]);
      const reported = await reportOwnStatus(cluster, token);
      assert.deepEqual([own.code, own.stdout, reported], [1, 'unassessed\n', 403], own.stderr);
      assert.match(
        own.stderr,
        /rewrite its own node's conditions \(node-a\): denied: .*impersonate-on:associated-node:update on update nodes\/status node-a is not granted/,
      );
    } finally {
      await cluster.kubectlOk(['delete', 'clusterrole,clusterrolebinding', 'node-patcher']);
    }
  });
});
