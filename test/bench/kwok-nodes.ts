// Can kwok keep the scale fixture alive? The same nodes two ways, each in a
// cluster of its own: as static snapshots (the fixture the benchmarks use,
// no node lifecycle controller), and annotated for kwok, which marks them
// Ready, renews a Lease per node and lets the node lifecycle controller run.
// Reports creation time, time until kwok has reported every node Ready, and
// the memory and CPU of the apiserver and kwok over a minute of steady state.
// Usage: node test/bench/kwok-nodes.ts [nodes=5000] [leaseSeconds=40]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster, type ClusterOptions } from '../cluster/cluster.ts';
import { SCALE_CLUSTER, createObjects, scaleNode } from '../cluster/scale.ts';
import { KWOK_NODE_ANNOTATION } from '../cluster/scenario.ts';
import { processUsage, type ProcessUsage } from './measure.ts';

const nodes = Number(process.argv[2] ?? 5000);
const leaseSeconds = Number(process.argv[3] ?? 40);
const steadyMs = 60_000;

function pidOf(cluster: Cluster, command: RegExp): number | undefined {
  const apiserver = Number(JSON.parse(readFileSync(join(cluster.stateDir, 'cluster.json'), 'utf8')).pid);
  if (command.test('apiserver')) return apiserver;
  // Children started from any of the Go process's threads.
  const children = readdirSync(`/proc/${apiserver}/task`).flatMap((task) =>
    readFileSync(`/proc/${apiserver}/task/${task}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number),
  );
  return children.find((pid) => command.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8')));
}

async function readyCount(cluster: Cluster): Promise<number> {
  const out = await cluster.kubectlOk([
    'get',
    'nodes',
    '-o',
    'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
  ]);
  return out.split('\n').filter((status) => status === 'True').length;
}

async function measure(name: string, options: ClusterOptions, kwok: boolean): Promise<string> {
  const cluster = await startCluster(options);
  try {
    const now = Date.now();
    const createMs = await createObjects(cluster, nodes, (index) => {
      const node = scaleNode(index, now) as {
        metadata: { annotations: Record<string, string> };
        status: { conditions: { type: string }[] };
      };
      if (kwok) {
        node.metadata.annotations = { ...node.metadata.annotations, ...KWOK_NODE_ANNOTATION };
        // kwok's node-initialize stage acts on nodes that are not yet Ready: register them as a kubelet does, before its first status.
        node.status.conditions = node.status.conditions.filter((condition) => condition.type !== 'Ready');
      }
      return { path: '/api/v1/nodes', body: node };
    });
    const started = performance.now();
    while ((await readyCount(cluster)) < nodes) await new Promise((resolve) => setTimeout(resolve, 1000));
    const readyMs = performance.now() + createMs - started;
    const apiserver = pidOf(cluster, /apiserver/)!;
    const kwokPid = kwok ? pidOf(cluster, /kwok/) : undefined;
    const before = { apiserver: processUsage(apiserver), kwok: kwokPid ? processUsage(kwokPid) : undefined };
    await new Promise((resolve) => setTimeout(resolve, steadyMs));
    const after = { apiserver: processUsage(apiserver), kwok: kwokPid ? processUsage(kwokPid) : undefined };
    const cpu = (a: ProcessUsage, b: ProcessUsage) => `${(((b.cpuMs - a.cpuMs) / steadyMs) * 100).toFixed(0)} %`;
    return `| ${name} | ${(createMs / 1000).toFixed(1)} | ${(readyMs / 1000).toFixed(1)} | ${after.apiserver.rssMb.toFixed(0)} | ${cpu(before.apiserver, after.apiserver)} | ${after.kwok ? `${after.kwok.rssMb.toFixed(0)} MB, ${cpu(before.kwok!, after.kwok)}` : '-'} |`;
  } finally {
    await cluster.stop();
  }
}

const rows = [
  await measure('static snapshots (the fixture; no node lifecycle controller)', SCALE_CLUSTER, false),
  await measure(`kwok-managed, ${leaseSeconds} s Leases, node lifecycle controller on`, { nodeLeaseSeconds: leaseSeconds }, true),
];
console.log(`# ${nodes} nodes at ${new Date().toISOString()}\n`);
console.log(
  '| nodes | created in, s | all Ready after, s | apiserver RSS, MB | apiserver CPU (steady minute) | kwok RSS, CPU |\n|---|---|---|---|---|---|',
);
console.log(rows.join('\n'));
