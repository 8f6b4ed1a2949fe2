// P1 and P2 of docs/benchmarks.md on the real apiserver with the scale fixture:
// `kubectl readiness status` against the kubectl custom-columns query it
// replaces and against the raw floor (paginated GET + JSON.parse), and
// `verify`'s wall time and request counts, at growing node counts.
// Usage: node test/bench/scale.ts [sizes=1000,5000,10000] [rounds=5]
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startCluster } from '../cluster/cluster.ts';
import { createScaleNodes, SCALE_CLUSTER } from '../cluster/scale.ts';
import { CONDITION } from '../cluster/scenario.ts';
import { installBenchScenario } from './rules.ts';
import { auditedRequests } from '../cluster/audit.ts';
import { median, sideBySide, summaryRow } from './measure.ts';
import { scratchDir } from '../scratch.ts';

const root = join(import.meta.dirname, '..', '..');
const sizes = (process.argv[2] ?? '1000,5000,10000').split(',').map(Number);
const rounds = Number(process.argv[3] ?? 5);
const cli = join(root, 'kubectl-plugin', 'src', 'cli.ts');

function singleExecutable(): string | null {
  const archive = join(root, 'dist', 'release', 'kubectl-readiness-v0.1.0-linux-amd64.tar.gz');
  if (!existsSync(archive)) return null;
  const dir = scratchDir('bench-sea-');
  spawnSync('tar', ['-xzf', archive, '-C', dir]);
  return join(dir, 'kubectl-readiness');
}

const cluster = await startCluster(SCALE_CLUSTER);
try {
  await installBenchScenario(cluster);
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, NO_COLOR: '1' };
  const kubectl = join(root, 'test', 'cluster', 'bin', 'kubectl');
  const sea = singleExecutable();
  console.log(`# P1/P2 at ${new Date().toISOString()}: ${rounds} alternating rounds per size; median (min-max)\n`);
  for (const size of sizes) {
    const created = await createScaleNodes(cluster, size);
    const listBytes = Number(spawnSync(kubectl, ['get', '--raw', '/api/v1/nodes'], { env, maxBuffer: 2 ** 31 - 1 }).stdout.length);
    console.log(
      `## ${size} nodes (list ${(listBytes / 1e6).toFixed(0)} MB of JSON; fixture created in ${(created / 1000).toFixed(0)} s)\n`,
    );
    const subjects: Record<string, string[]> = {
      'kubectl get nodes -o custom-columns (baseline)': [
        kubectl,
        'get',
        'nodes',
        '-o',
        `custom-columns=NAME:.metadata.name,COND:.status.conditions[?(@.type=="${CONDITION}")].status,TAINTS:.spec.taints[*].key`,
      ],
      'raw floor: paginated GET + JSON.parse': [
        process.execPath,
        join(import.meta.dirname, 'raw-list.ts'),
        cluster.server,
        cluster.caFile,
        cluster.adminCertFile,
        cluster.adminKeyFile,
      ],
      'kubectl readiness status (node entry)': [process.execPath, cli, 'status'],
      ...(sea ? { 'kubectl readiness status (single executable)': [sea, 'status'] } : {}),
      'kubectl readiness verify (node entry)': [process.execPath, cli, 'verify', '--exit-zero'],
    };
    const samples = sideBySide(subjects, rounds, env);
    const baseline = samples['kubectl get nodes -o custom-columns (baseline)']!;
    console.log('| command | wall ms | × kubectl | peak RSS MB | × kubectl |\n|---|---|---|---|---|');
    for (const [name, values] of Object.entries(samples)) console.log(summaryRow(name, values, baseline));
    const floor = median(samples['raw floor: paginated GET + JSON.parse']!.map((sample) => sample.ms));
    const status = median(samples['kubectl readiness status (node entry)']!.map((sample) => sample.ms));
    const verify = median(samples['kubectl readiness verify (node entry)']!.map((sample) => sample.ms));
    console.log(
      `\nstatus over the raw floor: ${(status - floor).toFixed(0)} ms (${(status / floor).toFixed(2)}×); verify / status: ${(verify / status).toFixed(2)}×`,
    );

    const before = auditedRequests(cluster, /^kubectl-readiness\//).length;
    spawnSync(process.execPath, [cli, 'verify', '--exit-zero'], { env });
    const requests = auditedRequests(cluster, /^kubectl-readiness\//).slice(before);
    const reviews = requests.filter((event) => event.objectRef?.resource === 'subjectaccessreviews').length;
    const lists = requests.filter((event) => event.verb === 'list').length;
    const nodePages = requests.filter((event) => event.verb === 'list' && event.objectRef?.resource === 'nodes').length;
    console.log(
      `verify's requests (audit log): ${requests.length} in all; ${reviews} SubjectAccessReviews; ${lists} list pages (${nodePages} of nodes at 500 per page); ${requests.length - reviews - lists} other\n`,
    );
  }
  if (sea) console.log(`single executable: ${(statSync(sea).size / 1e6).toFixed(1)} MB`);
} finally {
  await cluster.stop();
}
