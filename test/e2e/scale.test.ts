import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { evaluateCluster } from '@kubectl-readiness/shared';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { installCRD, readManifests } from '../cluster/scenario.ts';
import { SCALE_LABEL, createScaleNodes, deleteScaleNodes, scaleNode, SCALE_CLUSTER } from '../cluster/scale.ts';

describe('scale fixture', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(SCALE_CLUSTER);
    await installCRD(cluster);
  });
  after(() => cluster?.stop());

  it('nodes are sized like real ones (10-30 KB of JSON)', () => {
    for (const index of [0, 1, 39, 79]) {
      const size = JSON.stringify(scaleNode(index)).length;
      assert.ok(size >= 10_000 && size <= 30_000, `node ${index} is ${size} bytes`);
    }
  });

  it('creates 300 nodes with mixed readiness, then deletes them', async () => {
    await createScaleNodes(cluster, 300);
    const list = JSON.parse(await cluster.kubectlOk(['get', 'nodes', '-l', SCALE_LABEL, '-o', 'json'])) as { items: unknown[] };
    assert.equal(list.items.length, 300);
    const [rule] = readManifests('examples/cni-readiness/network-readiness-rule.yaml');
    const [summary] = evaluateCluster([rule], list.items).rules;
    assert.equal(summary!.counts.held, 60 + 18 - 4, 'every 5th node is held, every 17th lacks the condition (4 overlap)');
    assert.equal(summary!.counts.ready, 300 - summary!.counts.held);
    await deleteScaleNodes(cluster);
    const left = await cluster.kubectlOk(['get', 'nodes', '-l', SCALE_LABEL, '-o', 'name']);
    assert.equal(left.trim(), '');
  });
});
