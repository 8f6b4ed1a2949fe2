// Reporters write their condition through constrained impersonation with
// pod-bound tokens, and the readiness taint really comes off.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditEvents, auditedRequests } from '../cluster/audit.ts';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { reporterPart } from '../cluster/parts.ts';
import { CONDITION, TAINT, loadScenario, startController } from '../cluster/scenario.ts';
import { startReporters, type Reporters } from '../cluster/reporters.ts';
import { waitFor } from './wait.ts';

/** client-go's user agent starts with the binary's name: the reporter's requests are told apart by it. */
const reporterAgent = basename(reporterPart.binary);

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

  it('the nodes are Ready and the DaemonSet controller made each reporter pod, which the scheduler bound', async () => {
    const nodes = JSON.parse(await cluster.kubectlOk(['get', 'nodes', '-o', 'json'])) as {
      items: {
        metadata: { name: string };
        spec: { taints?: { key: string }[] };
        status: { conditions: { type: string; status: string }[] };
      }[];
    };
    for (const node of nodes.items) {
      assert.equal(node.status.conditions.find((condition) => condition.type === 'Ready')?.status, 'True', node.metadata.name);
      assert.deepEqual(
        (node.spec.taints ?? []).map((taint) => taint.key).filter((key) => key.startsWith('node.kubernetes.io/')),
        [],
        `${node.metadata.name} keeps no node-lifecycle taint`,
      );
    }
    const pods = JSON.parse(await cluster.kubectlOk(['-n', 'kube-system', 'get', 'pods', '-l', 'app=cni-reporter', '-o', 'json'])) as {
      items: { metadata: { ownerReferences?: { kind: string; name: string }[] }; spec: { nodeName?: string }; status: { phase: string } }[];
    };
    assert.deepEqual(pods.items.map((pod) => pod.spec.nodeName).sort(), ['node-a', 'node-b', 'node-c']);
    for (const pod of pods.items) {
      assert.deepEqual(
        pod.metadata.ownerReferences?.map((owner) => `${owner.kind}/${owner.name}`),
        ['DaemonSet/cni-reporter'],
      );
      assert.equal(pod.status.phase, 'Running');
    }
    const binds = auditEvents(cluster).filter((event) => event.objectRef?.subresource === 'binding' && event.verb === 'create');
    assert.equal(binds.filter((event) => event.user?.username === 'system:kube-scheduler').length, 3);
  });

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
    const events = auditEvents(cluster);
    const writes = events.filter(
      (event) =>
        event.verb === 'update' && event.objectRef?.subresource === 'status' && event.impersonatedUser?.username === 'system:node:node-a',
    );
    assert.ok(writes.length > 0, 'no impersonated status update of node-a in the audit log');
    assert.ok(writes.every((event) => event.authenticationMetadata?.impersonationConstraint === 'impersonate:associated-node'));
    assert.ok(
      writes.every((event) => event.userAgent?.startsWith(reporterAgent)),
      `the writes come from the reporter binary (${reporterPart.description})`,
    );
  });

  it("each reporter serves NRC's metrics on its own METRICS_BIND_ADDRESS", async () => {
    for (const node of ['node-a', 'node-b']) {
      const metrics = await (await fetch(`http://${reporters.metrics[node]}/metrics`)).text();
      assert.match(metrics, /^node_readiness_reporter_condition_writes_total\{result="success"\} [1-9]/m);
      assert.match(metrics, /^node_readiness_reporter_checks_total\{result="(un)?healthy"\} [1-9]/m);
    }
  });

  it('keeps writing after its projected token is rotated, with the new token', { timeout: 150_000 }, async () => {
    const credentialsOf = (node: string) =>
      new Set(
        auditedRequests(cluster, new RegExp(`^${reporterAgent}`))
          .filter((event) => event.verb === 'update' && event.impersonatedUser?.username === `system:node:${node}`)
          .map((event) => event.user?.extra?.['authentication.kubernetes.io/credential-id']?.[0]),
      );
    const before = credentialsOf('node-c');
    assert.equal(before.size, 1, 'one token so far');
    await reporters.rotateTokens();
    // client-go re-reads a token file once a minute; flip node-c until a write carries the new credential.
    const changed = await waitFor(
      'a write of node-c with the rotated token',
      async () => {
        reporters.report('node-c', !(await conditionOf('node-c')).startsWith('True'));
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const fresh = [...credentialsOf('node-c')].filter((credential) => !before.has(credential));
        return fresh.length > 0 ? fresh : undefined;
      },
      120_000,
    );
    assert.match(changed[0]!, /^JTI=/);
    reporters.report('node-c', false);
  });
});
