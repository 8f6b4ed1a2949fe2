// Reporters write their condition through constrained impersonation with
// pod-bound tokens, and the readiness taint really comes off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { CONDITION, TAINT, loadScenario, startController, startReporters, type Reporters } from '../cluster/scenario.ts';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('reporters and the readiness taint on the real apiserver', () => {
  let cluster: Cluster;
  let reporters: Reporters;
  const taintKeys = async (node: string) =>
    (await cluster.kubectlOk(['get', 'node', node, '-o', 'jsonpath={.spec.taints[*].key}'])).split(' ').filter(Boolean);
  const conditionOf = async (node: string) =>
    cluster.kubectlOk(['get', 'node', node, '-o', `jsonpath={.status.conditions[?(@.type=="${CONDITION}")].status}`]);

  before(async () => {
    cluster = await startCluster();
    const scenario = await loadScenario(cluster, 'hardened');
    await startController(cluster);
    reporters = await startReporters(cluster, scenario, { 'node-a': true, 'node-b': false, 'node-c': false });
  });
  after(() => cluster?.stop());

  it('each reporter writes its own node through constrained impersonation', async () => {
    await waitFor('conditions on all nodes', async () =>
      (await conditionOf('node-a')) === 'True' && (await conditionOf('node-b')) === 'False' ? true : undefined,
    );
    assert.equal(await conditionOf('node-c'), 'False');
  });

  it('the taint comes off node-a once CalicoReady is True, and stays on the others', async () => {
    await waitFor('node-a released', async () => (!(await taintKeys('node-a')).includes(TAINT.key) ? true : undefined));
    assert.ok((await taintKeys('node-b')).includes(TAINT.key));
    assert.ok((await taintKeys('node-c')).includes(TAINT.key));
  });

  it('a TaintRemoved event records the release', async () => {
    const events = await cluster.kubectlOk([
      'get',
      'events',
      '-A',
      '--field-selector',
      'involvedObject.name=node-a,reason=TaintRemoved',
      '-o',
      'jsonpath={.items[*].message}',
    ]);
    assert.match(events, /Taint 'readiness.k8s.io\/NetworkReady:NoSchedule' removed by rule 'network-readiness-rule'/);
  });

  it('a condition flipping to True releases node-b, and flipping back re-taints it (continuous)', async () => {
    reporters.report('node-b', true);
    await waitFor('node-b released', async () => (!(await taintKeys('node-b')).includes(TAINT.key) ? true : undefined));
    reporters.report('node-b', false, 'calico-node crashed');
    await waitFor('node-b tainted again', async () => ((await taintKeys('node-b')).includes(TAINT.key) ? true : undefined));
  });

  it('the audit log shows the reporter writing as its node under the associated-node constraint', async () => {
    const { readFileSync } = await import('node:fs');
    const events = readFileSync(cluster.auditLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as {
            verb: string;
            objectRef?: { resource?: string; subresource?: string; name?: string };
            impersonatedUser?: { username?: string };
            authenticationMetadata?: { impersonationConstraint?: string };
            responseStatus?: { code?: number };
          },
      );
    const writes = events.filter(
      (event) =>
        event.verb === 'update' && event.objectRef?.subresource === 'status' && event.impersonatedUser?.username === 'system:node:node-a',
    );
    assert.ok(writes.length > 0, 'no impersonated status update of node-a in the audit log');
    assert.ok(writes.every((event) => event.authenticationMetadata?.impersonationConstraint === 'impersonate:associated-node'));
  });
});
