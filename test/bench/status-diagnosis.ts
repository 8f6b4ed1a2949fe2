// Issue 16's budget in docs/benchmarks.md: fleet `status` with the diagnosis
// reads (NRC's taint events for held durations, the blockers summary) against
// `status` as it was before them, built from a git ref, side by side on one
// cluster. The fixture carries one NRC event per node, as a busy cluster
// whose events have not yet expired would, and the kubelet's and node
// controller's boot events for every held node (held nodes are new ones).
// Usage: node test/bench/status-diagnosis.ts [size=5000] [rounds=7] [baseline=d2f662d]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../cluster/cluster.ts';
import { createObjects, createScaleNodes, SCALE_CLUSTER, scaleNode } from '../cluster/scale.ts';
import { auditedRequests } from '../cluster/audit.ts';
import { installBenchScenario } from './rules.ts';
import { median, processUsage, sideBySide, summaryRow, type Sample } from './measure.ts';

const root = join(import.meta.dirname, '..', '..');
const size = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 7);
/** The last commit before issue 16 added the diagnosis reads. */
const baselineRef = process.argv[4] ?? 'd2f662d';

/**
 * A checkout of `ref` that runs from source like the main tree: its own
 * workspace packages, every third-party package borrowed from ours.
 */
function checkoutOf(ref: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'bench-baseline-')), 'tree');
  execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', '--quiet', dir, ref]);
  mkdirSync(join(dir, 'node_modules', '@kubectl-readiness'), { recursive: true });
  for (const entry of readdirSync(join(root, 'node_modules')))
    if (entry !== '@kubectl-readiness' && entry !== '.bin')
      symlinkSync(join(root, 'node_modules', entry), join(dir, 'node_modules', entry));
  symlinkSync(join(dir, 'shared'), join(dir, 'node_modules', '@kubectl-readiness', 'shared'));
  return dir;
}

/** What NRC's recorder writes (events.k8s.io/v1) when it taints a node, or releases one. */
/** The fields of a fixture node the events are made from. */
interface FixtureNode {
  metadata: { name: string };
  spec: { taints: unknown[] };
}

function nrcEvent(node: FixtureNode, index: number, now: number) {
  const tainted = node.spec.taints.length > 0;
  const time = new Date(now - ((index * 7919) % 10_800_000)).toISOString().replace('Z', '000Z');
  return {
    path: '/apis/events.k8s.io/v1/namespaces/default/events',
    body: {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${node.metadata.name}.bench${index}` },
      eventTime: time,
      reportingController: 'node-readiness-controller',
      reportingInstance: 'node-readiness-controller-7d9c8-abcde',
      type: 'Normal',
      reason: tainted ? 'TaintAdded' : 'TaintRemoved',
      action: tainted ? 'AddTaint' : 'RemoveTaint',
      note: `Taint 'readiness.k8s.io/NetworkReady:NoSchedule' ${tainted ? 'added' : 'removed'} by rule 'network'`,
      regarding: { apiVersion: 'v1', kind: 'Node', name: node.metadata.name },
    },
  };
}

/** What a node's first minute leaves in events: the kubelet's and the node controller's. */
const BOOT_EVENTS = [
  'Starting',
  'NodeHasSufficientMemory',
  'NodeHasNoDiskPressure',
  'NodeHasSufficientPID',
  'NodeAllocatableEnforced',
  'NodeReady',
  'RegisteredNode',
];

function bootEvent(name: string, reason: string, index: number, now: number) {
  const time = new Date(now - 600_000).toISOString();
  return {
    path: '/api/v1/namespaces/default/events',
    body: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.boot${index}` },
      involvedObject: { kind: 'Node', name, uid: name },
      reason,
      message: `Node ${name} status is now: ${reason}`,
      source: { component: reason === 'RegisteredNode' ? 'node-controller' : 'kubelet', host: name },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type: 'Normal',
    },
  };
}

/**
 * Waits until the apiserver is quiet: for a minute or two after 18,000 creates
 * it still serves the controller-manager's reactions, which would add to
 * whichever command runs first.
 */
async function settle(stateDir: string): Promise<string> {
  const apiserver = Number(JSON.parse(readFileSync(join(stateDir, 'cluster.json'), 'utf8')).pid);
  const started = performance.now();
  for (;;) {
    const before = processUsage(apiserver).cpuMs;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const share = (processUsage(apiserver).cpuMs - before) / 5_000;
    if (share < 0.15 || performance.now() - started > 300_000)
      return `apiserver at ${(share * 100).toFixed(0)} % of a core after ${((performance.now() - started) / 1000).toFixed(0)} s`;
  }
}

const cluster = await startCluster(SCALE_CLUSTER);
const baseline = checkoutOf(baselineRef);
try {
  await installBenchScenario(cluster);
  const created = await createScaleNodes(cluster, size);
  const now = Date.now();
  const nodes = Array.from({ length: size }, (_, index) => scaleNode(index, now) as unknown as FixtureNode);
  const held = nodes.filter((node) => node.spec.taints.length > 0).map((node) => node.metadata.name);
  const events = await createObjects(cluster, size, (index) => nrcEvent(nodes[index]!, index, now));
  const boots = held.flatMap((name) => BOOT_EVENTS.map((reason) => ({ name, reason })));
  await createObjects(cluster, boots.length, (index) => bootEvent(boots[index]!.name, boots[index]!.reason, index, now));
  console.log(
    `# status with the diagnosis reads vs before them (${baselineRef}), ${size} nodes, ${size} NRC events and ${boots.length} boot events, at ${new Date().toISOString()}\n` +
      `# fixture: nodes in ${(created / 1000).toFixed(0)} s, events in ${(events / 1000).toFixed(0)} s; ${rounds} alternating rounds; median (min-max)\n`,
  );
  console.log(`# settled: ${await settle(cluster.stateDir)}\n`);
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, NO_COLOR: '1' };
  const cliOf = (tree: string) => join(tree, 'kubectl-plugin', 'src', 'cli.ts');
  // A benchmark of reads whose answers go unused would measure nothing: the held column must be filled from the events.
  const report = JSON.parse(execFileSync(process.execPath, [cliOf(root), 'status', '-o', 'json'], { env, maxBuffer: 2 ** 30 }).toString());
  const timed = report.nodes.filter((node: { held: { seconds: number }[] }) => node.held.some((hold) => hold.seconds > 0)).length;
  if (timed === 0) throw new Error('no held node got a duration from the fixture events');
  console.log(`# ${timed} held nodes have a duration from NRC's events; ${report.blockers.length} (rule, condition) blockers\n`);
  const subjects: Record<string, string[]> = {
    [`status before the diagnosis reads (${baselineRef})`]: [process.execPath, cliOf(baseline), 'status'],
    'status with held durations and blockers': [process.execPath, cliOf(root), 'status'],
    [`status -o json before (${baselineRef})`]: [process.execPath, cliOf(baseline), 'status', '-o', 'json'],
    'status -o json with held and blockers': [process.execPath, cliOf(root), 'status', '-o', 'json'],
  };
  const samples = sideBySide(subjects, rounds, env);
  const [before, after, jsonBefore, jsonAfter] = Object.values(samples) as [Sample[], Sample[], Sample[], Sample[]];
  const names = Object.keys(samples);
  console.log('| command | wall ms | × before | peak RSS MB | × before |\n|---|---|---|---|---|');
  console.log(summaryRow(names[0]!, before, before));
  console.log(summaryRow(names[1]!, after, before));
  console.log(summaryRow(names[2]!, jsonBefore, jsonBefore));
  console.log(summaryRow(names[3]!, jsonAfter, jsonBefore));
  const ratio = (mine: Sample[], theirs: Sample[]) =>
    (median(mine.map((sample) => sample.ms)) / median(theirs.map((sample) => sample.ms))).toFixed(2);
  console.log(`\nwall time, after / before: table ${ratio(after, before)}×, json ${ratio(jsonAfter, jsonBefore)}×`);

  for (const [name, tree] of [
    ['before', baseline],
    ['after', root],
  ] as const) {
    const start = auditedRequests(cluster, /^kubectl-readiness\//).length;
    spawnSync(process.execPath, [cliOf(tree), 'status'], { env });
    const requests = auditedRequests(cluster, /^kubectl-readiness\//).slice(start);
    const byResource = new Map<string, number>();
    for (const event of requests) {
      const key = `${event.verb} ${event.objectRef?.resource ?? '?'}`;
      byResource.set(key, (byResource.get(key) ?? 0) + 1);
    }
    console.log(`requests ${name} (audit log): ${[...byResource].map(([key, count]) => `${count} ${key}`).join(', ')}`);
  }
} finally {
  await cluster.stop();
  execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', baseline]);
}
