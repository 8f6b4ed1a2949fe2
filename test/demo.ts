// `npm run demo`: builds the real cluster if needed, starts it with the
// hardened CNI scenario of NRC's secure-reporting guide, shows the nodes going from held to ready as
// their reporters report, serves Headlamp with the plugin against it (its lib
// frontend on our host, or a full Headlamp with READINESS_HEADLAMP), says how
// to load the plugin into one's own Headlamp, then waits so kubectl and a
// browser can look at it.
// Ctrl-C stops everything and removes the state. `--once` exits after the show.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { evaluateCluster } from '@kubectl-readiness/shared';
import { kubectlBin, startCluster, type Cluster } from './cluster/cluster.ts';
import { CAN_I_REWRITE_OTHER_NODE, CONDITION, REPORTER, TAINT, loadScenario, startController } from './cluster/scenario.ts';
import { startReporters } from './cluster/reporters.ts';
import { buildPlugin } from '../headlamp-plugin/release/package.ts';
import { developmentPluginsDir } from './headlamp/browser.ts';
import { scratchDir } from './scratch.ts';
import { HEADLAMP_CLUSTER, headlampLine, startHeadlamp } from './headlamp/headlamp.ts';
import { partsLine } from './cluster/parts.ts';

const once = process.argv.includes('--once');
const say = (line: string) => console.log(`demo: ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function build(): void {
  say('building kube-apiserver, etcd and kubectl from the k8s.io/kubernetes Go module (first build: several minutes; later: seconds)');
  const result = spawnSync('bash', [join(import.meta.dirname, 'cluster', 'build.sh')], { stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    console.error(`demo: build failed${result.status === 3 ? ': Go >= 1.26 must be on PATH' : ''}`);
    process.exit(1);
  }
}

async function showReadiness(cluster: Cluster): Promise<boolean> {
  const [nodes, rules] = await Promise.all([
    cluster.kubectlOk(['get', 'nodes', '-o', 'json']),
    cluster.kubectlOk(['get', 'nodereadinessrules', '-o', 'json']),
  ]);
  const result = evaluateCluster((JSON.parse(rules) as { items: unknown[] }).items, (JSON.parse(nodes) as { items: unknown[] }).items);
  for (const node of result.nodes) {
    const reason = node.verdicts.map((verdict) => verdict.reason).join('; ');
    console.log(`  ${node.node.padEnd(8)} ${(node.schedulable ? 'schedulable' : 'tainted').padEnd(12)} ${node.label.padEnd(34)} ${reason}`);
  }
  return result.nodes.every((node) => node.schedulable);
}

/** Runs kubectl-readiness against the demo cluster, as a user would. */
function readiness(cluster: Cluster, ...args: string[]): void {
  console.log(`$ kubectl readiness ${args.join(' ')}`);
  spawnSync(process.execPath, [join(import.meta.dirname, '..', 'kubectl-plugin', 'src', 'cli.ts'), ...args], {
    stdio: 'inherit',
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
  });
}

/** Waits until the controller has taken the readiness taint off `node` (at most 30 s). */
async function untainted(cluster: Cluster, node: string): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(250)) {
    const keys = await cluster.kubectlOk(['get', 'node', node, '-o', 'jsonpath={.spec.taints[*].key}']);
    if (!keys.split(' ').includes(TAINT.key)) return;
  }
  throw new Error(`the controller did not release ${node} within 30 s`);
}

async function main(): Promise<void> {
  build();
  say('starting kube-apiserver v1.36 with embedded etcd on 127.0.0.1 (ConstrainedImpersonation=true, Node,RBAC, NodeRestriction)');
  const cluster = await startCluster();
  let stopping = false;
  let closeHeadlamp = async () => {};
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping the cluster and removing its state');
    await closeHeadlamp();
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  say(
    `loading the hardened scenario: 3 worker nodes with ${'readiness.k8s.io/NetworkReady'}, the cni-reporter DaemonSet, constrained RBAC, the rule`,
  );
  const scenario = await loadScenario(cluster, 'hardened');
  await startController(cluster);
  say('starting the controller and one reporter per node (pod-bound token, Impersonate-User: system:node:<node>)');
  say(partsLine());
  const reporters = await startReporters(cluster, scenario, {});

  for (const node of scenario.nodes) {
    await sleep(2_000);
    say(`${node}'s CNI comes up: its reporter sets ${CONDITION}=True`);
    reporters.report(node, true);
    // Each table is printed once the controller has acted on the report, not a step behind it.
    await untainted(cluster, node);
    await showReadiness(cluster);
  }

  say('why each node is or is not accepting workloads, and whether its reporter can lie about the others:');
  readiness(cluster, 'status');
  readiness(cluster, 'verify');
  readiness(cluster, ...CAN_I_REWRITE_OTHER_NODE);

  say("NRC's guide's own checks, with the real kubectl, for comparison:");
  const sa = `system:serviceaccount:${REPORTER.namespace}:${REPORTER.serviceAccount}`;
  for (const check of [
    ['auth', 'can-i', 'get', 'nodes', `--as=${sa}`],
    ['auth', 'can-i', 'update', 'nodes/status', `--as=${sa}`],
    [
      'get',
      'nodes',
      '-o',
      `custom-columns=NAME:.metadata.name,CALICO_READY:.status.conditions[?(@.type=="${CONDITION}")].status,TAINTS:.spec.taints[*].key`,
    ],
  ]) {
    const result = await cluster.kubectl(check);
    console.log(`$ kubectl ${check.join(' ')}\n${(result.stdout + result.stderr).trimEnd()}`);
  }

  say("building the Headlamp plugin, and serving Headlamp with it (the host's first build: a minute or two, then cached)");
  const pluginsDir = developmentPluginsDir(buildPlugin(scratchDir('headlamp-build-')));
  const headlamp = await startHeadlamp(cluster, pluginsDir);
  closeHeadlamp = headlamp.stop;
  say(headlampLine());

  console.log(`
The cluster is running. Open Headlamp with the plugin in a browser:
  ${headlamp.url}/c/${HEADLAMP_CLUSTER}/nodes                      (Readiness and Reporter security columns)
  ${headlamp.url}/c/${HEADLAMP_CLUSTER}/node-readiness/security    (what kubectl readiness verify reports)
Or load the plugin into your own Headlamp, against this cluster (it names the cluster ${HEADLAMP_CLUSTER}, after the kubeconfig's context):
  desktop app: mkdir -p ~/.config/Headlamp/plugins/headlamp-readiness &&
               cp ${join(pluginsDir, 'headlamp-readiness')}/{main.js,package.json} ~/.config/Headlamp/plugins/headlamp-readiness/
               then start Headlamp with KUBECONFIG=${cluster.kubeconfig}
  server:      headlamp-server -plugins-dir ${pluginsDir} -kubeconfig ${cluster.kubeconfig}
Point tools at it:
  export KUBECONFIG=${cluster.kubeconfig}
  ${kubectlBin} get nodes
  ${kubectlBin} get nodereadinessrules
  node kubectl-plugin/src/cli.ts status      (kubectl-readiness; on PATH as kubectl-readiness it is \`kubectl readiness\`)
Flip a node back to not-ready: echo False > ${join(cluster.stateDir, 'reporters', 'node-b.status')}
Audit log of every request: ${cluster.auditLog}
`);
  if (once) await stop();
  else say('press Ctrl-C to stop');
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
