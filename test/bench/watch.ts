// P4 of docs/benchmarks.md: `kubectl readiness status -w` on the scale fixture
// while the reporter condition of random nodes flips at a steady rate. Samples
// the watcher's CPU time and RSS from /proc, and checks that every flip shows
// up as a line, with how long it took.
// Usage: node test/bench/watch.ts [nodes=5000] [minutes=10] [flipsPerMinute=500]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startCluster } from '../cluster/cluster.ts';
import { apiRequest } from '../cluster/requests.ts';
import { createScaleNodes, scaleNode, SCALE_CLUSTER } from '../cluster/scale.ts';
import { CONDITION } from '../cluster/scenario.ts';
import { median, processUsage, type ProcessUsage } from './measure.ts';
import { installBenchScenario } from './rules.ts';

const nodes = Number(process.argv[2] ?? 5000);
const minutes = Number(process.argv[3] ?? 10);
const flipsPerMinute = Number(process.argv[4] ?? 500);
const cli = join(import.meta.dirname, '..', '..', 'kubectl-plugin', 'src', 'cli.ts');

/** The reporter condition's status per node as the fixture creates it; nodes without it are not flipped. */
function initialStatuses(count: number): Map<string, string> {
  const statuses = new Map<string, string>();
  for (let index = 0; index < count; index++) {
    const node = scaleNode(index) as { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } };
    const condition = node.status.conditions.find((entry) => entry.type === CONDITION);
    if (condition) statuses.set(node.metadata.name, condition.status);
  }
  return statuses;
}

const cluster = await startCluster(SCALE_CLUSTER);
try {
  await installBenchScenario(cluster);
  await createScaleNodes(cluster, nodes);
  const statuses = initialStatuses(nodes);
  const candidates = [...statuses.keys()];

  const watcher = spawn(process.execPath, [cli, 'status', '-w'], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  watcher.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const seen = new Map<string, { at: number; line: string }[]>();
  let initialLines = 0;
  createInterface({ input: watcher.stdout }).on('line', (line) => {
    const name = line.split(/\s+/)[1]!;
    const lines = seen.get(name) ?? [];
    lines.push({ at: performance.now(), line });
    seen.set(name, lines);
    initialLines++;
  });
  while (initialLines < nodes) await new Promise((resolve) => setTimeout(resolve, 200));
  const listedIn = initialLines;
  seen.clear();

  const flips: { node: string; status: string; at: number }[] = [];
  const samples: (ProcessUsage & { minute: number })[] = [];
  const started = performance.now();
  const interval = 60_000 / flipsPerMinute;
  const total = minutes * flipsPerMinute;
  let random = 42;
  for (let flip = 0; flip < total; flip++) {
    const due = started + flip * interval;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    random = (random * 1_103_515_245 + 12_345) % 2 ** 31;
    const node = candidates[random % candidates.length]!;
    const status = statuses.get(node) === 'True' ? 'False' : 'True';
    statuses.set(node, status);
    const now = new Date().toISOString();
    const sent = performance.now();
    const response = await apiRequest(cluster, {
      method: 'PATCH',
      path: `/api/v1/nodes/${node}/status`,
      contentType: 'application/strategic-merge-patch+json',
      body: {
        status: {
          conditions: [
            { type: CONDITION, status, reason: 'Flipped', message: 'benchmark flip', lastHeartbeatTime: now, lastTransitionTime: now },
          ],
        },
      },
    });
    if (response.status !== 200) throw new Error(`flipping ${node}: HTTP ${response.status} ${response.message}`);
    flips.push({ node, status, at: sent });
    if (flip % Math.round(flipsPerMinute / 2) === 0)
      samples.push({ minute: (performance.now() - started) / 60_000, ...processUsage(watcher.pid!) });
  }
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  samples.push({ minute: (performance.now() - started) / 60_000, ...processUsage(watcher.pid!) });
  watcher.kill('SIGINT');
  const exitCode = await new Promise<number | null>((resolve) => watcher.once('exit', resolve));

  // Flips of one node come out in order, one line each, since each changes the line.
  const lags: number[] = [];
  let missed = 0;
  const byNode = new Map<string, typeof flips>();
  for (const flip of flips) byNode.set(flip.node, [...(byNode.get(flip.node) ?? []), flip]);
  for (const [node, nodeFlips] of byNode) {
    const lines = seen.get(node) ?? [];
    nodeFlips.forEach((flip, index) => {
      const line = lines[index];
      const failing = line?.line.includes(CONDITION);
      if (!line || failing !== (flip.status === 'False')) missed++;
      else lags.push(line.at - flip.at);
    });
  }
  const sorted = [...lags].sort((a, b) => a - b);
  const perMinute = samples.slice(1).map((sample, index) => {
    const previous = samples[index]!;
    return ((sample.cpuMs - previous.cpuMs) / (sample.minute - previous.minute) / 60_000) * 100;
  });
  console.log(`# P4 at ${new Date().toISOString()}: status -w over ${nodes} nodes, ${total} flips in ${minutes} min`);
  console.log(`initial list: ${listedIn} lines; watcher exit code on Ctrl-C: ${exitCode}; stderr: ${JSON.stringify(stderr.trim())}`);
  console.log(`flips reflected: ${flips.length - missed} of ${flips.length}`);
  console.log(
    `lag from sending the PATCH to the line: median ${median(sorted).toFixed(0)} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`,
  );
  console.log('\n| minute | CPU % of one core (since last sample) | RSS MB |\n|---|---|---|');
  samples.slice(1).forEach((sample, index) => {
    console.log(`| ${sample.minute.toFixed(1)} | ${perMinute[index]!.toFixed(1)} | ${sample.rssMb.toFixed(0)} |`);
  });
} finally {
  await cluster.stop();
}
