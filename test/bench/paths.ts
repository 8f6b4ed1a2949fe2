// P6 of docs/benchmarks.md: the escalation-path search at scale, on the real
// apiserver. 5,000 nodes, 10,000 ServiceAccounts, 1,500 roles, 3,000 bindings
// and 50 reporter DaemonSets; `verify` with the path search side by side with
// an earlier build without it (bundled from a git revision), and `status`
// for the memory ratio. SubjectAccessReviews are counted from the audit log.
// Usage: node test/bench/paths.ts [rounds=5] [earlier-revision=486e1b0]
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { auditedRequests } from '../cluster/audit.ts';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { createObjects, createScaleNodes, SCALE_CLUSTER } from '../cluster/scale.ts';
import { median, sideBySide, summaryRow } from './measure.ts';
import { installBenchScenario } from './rules.ts';

const root = join(import.meta.dirname, '..', '..');
const rounds = Number(process.argv[2] ?? 5);
const earlierRevision = process.argv[3] ?? '486e1b0';
const cli = join(root, 'kubectl-plugin', 'src', 'cli.ts');

const NODES = 5000;
const NAMESPACES = 50;
const SERVICE_ACCOUNTS = 10_000;
const ROLES = 1500;
const BINDINGS = 3000;
const REPORTERS = 50;

/** The CLI as it was at `revision`, bundled from a worktree (removed again) with this checkout's dependencies. */
async function earlierCli(revision: string): Promise<string> {
  const tree = mkdtempSync(join(tmpdir(), 'bench-earlier-'));
  execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', tree, revision], { stdio: 'ignore' });
  const outfile = join(mkdtempSync(join(tmpdir(), 'bench-earlier-cli-')), 'kubectl-readiness.cjs');
  try {
    await bundleFrom(tree, outfile);
  } finally {
    execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', tree], { stdio: 'ignore' });
  }
  return outfile;
}

async function bundleFrom(tree: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [join(tree, 'kubectl-plugin', 'src', 'cli.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outfile,
    nodePaths: [join(root, 'node_modules')],
    alias: { '@kubectl-readiness/shared': join(tree, 'shared', 'src', 'index.ts') },
    external: ['bufferutil', 'utf-8-validate'],
    logLevel: 'warning',
  });
}

const namespaceOf = (index: number) => `team-${index % NAMESPACES}`;

/** RBAC shaped like a large multi-tenant cluster: per-team roles and bindings, a few cluster-wide ones. */
async function createRbac(cluster: Cluster): Promise<number> {
  let ms = await createObjects(cluster, NAMESPACES, (index) => ({
    path: '/api/v1/namespaces',
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `team-${index}` } },
  }));
  ms += await createObjects(cluster, SERVICE_ACCOUNTS, (index) => ({
    path: `/api/v1/namespaces/${namespaceOf(index)}/serviceaccounts`,
    body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `app-${index}` } },
  }));
  const verbs = [['get', 'list', 'watch'], ['get', 'list', 'watch', 'create', 'update', 'patch'], ['*']];
  const resources = [['configmaps', 'services'], ['deployments', 'statefulsets'], ['pods', 'pods/log'], ['secrets']];
  ms += await createObjects(cluster, ROLES, (index) => ({
    path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespaceOf(index)}/roles`,
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: `role-${index}` },
      rules: [{ apiGroups: ['', 'apps'], resources: resources[index % resources.length], verbs: verbs[index % verbs.length] }],
    },
  }));
  ms += await createObjects(cluster, BINDINGS, (index) => {
    const role = index % ROLES;
    return {
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespaceOf(role)}/rolebindings`,
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `binding-${index}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `role-${role}` },
        subjects: [
          { kind: 'ServiceAccount', name: `app-${(index * 3) % SERVICE_ACCOUNTS}`, namespace: namespaceOf(role) },
          { kind: 'ServiceAccount', name: `app-${(index * 3 + 1) % SERVICE_ACCOUNTS}`, namespace: namespaceOf(role) },
        ],
      },
    };
  });
  return ms;
}

/** 50 reporter DaemonSets, each with its own ServiceAccount bound to NRC's constrained roles. */
async function createReporters(cluster: Cluster): Promise<number> {
  const roleBindings = ['node-readiness-impersonator', 'node-status-patcher-constrained'];
  let ms = await createObjects(cluster, REPORTERS, (index) => ({
    path: '/api/v1/namespaces/kube-system/serviceaccounts',
    body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `reporter-${index}` } },
  }));
  ms += await createObjects(cluster, REPORTERS * roleBindings.length, (index) => {
    const reporter = Math.floor(index / roleBindings.length);
    const role = roleBindings[index % roleBindings.length]!;
    return {
      path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `reporter-${reporter}-${role}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'ServiceAccount', name: `reporter-${reporter}`, namespace: 'kube-system' }],
      },
    };
  });
  ms += await createObjects(cluster, REPORTERS, (index) => ({
    path: '/apis/apps/v1/namespaces/kube-system/daemonsets',
    body: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: `reporter-${index}` },
      spec: {
        selector: { matchLabels: { app: `reporter-${index}` } },
        template: {
          metadata: { labels: { app: `reporter-${index}` } },
          spec: {
            serviceAccountName: `reporter-${index}`,
            containers: [
              {
                name: 'reporter',
                image: 'registry.k8s.io/node-readiness-controller/node-readiness-reporter:v0.5.0',
                env: [
                  { name: 'CONDITION_TYPE', value: `example.com/Reporter${index}Ready` },
                  { name: 'IMPERSONATE_NODE', value: 'true' },
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                ],
              },
            ],
          },
        },
      },
    },
  }));
  return ms;
}

const cluster = await startCluster(SCALE_CLUSTER);
try {
  await installBenchScenario(cluster);
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, NO_COLOR: '1' };
  const nodesMs = await createScaleNodes(cluster, NODES);
  const rbacMs = await createRbac(cluster);
  const reportersMs = await createReporters(cluster);
  console.log(
    `# P6 at ${new Date().toISOString()}: ${NODES} nodes (${(nodesMs / 1000).toFixed(0)} s), ${SERVICE_ACCOUNTS} ServiceAccounts, ${ROLES} roles and ${BINDINGS} bindings in ${NAMESPACES} namespaces (${(rbacMs / 1000).toFixed(0)} s), ${REPORTERS} reporters (${(reportersMs / 1000).toFixed(0)} s); ${rounds} alternating rounds, median (min-max)\n`,
  );
  const earlier = await earlierCli(earlierRevision);
  const subjects: Record<string, string[]> = {
    [`kubectl readiness verify, before the path search (${earlierRevision})`]: [
      process.execPath,
      earlier,
      'verify',
      '--exit-zero',
      '-o',
      'json',
    ],
    'kubectl readiness verify, with the path search': [process.execPath, cli, 'verify', '--exit-zero', '-o', 'json'],
    'kubectl readiness status': [process.execPath, cli, 'status', '-o', 'json'],
  };
  const samples = sideBySide(subjects, rounds, env);
  const baseline = Object.values(samples)[0]!;
  console.log('| command | wall ms | × before | peak RSS MB | × before |\n|---|---|---|---|---|');
  for (const [name, values] of Object.entries(samples)) console.log(summaryRow(name, values, baseline));
  const rss = (name: string) => median(samples[name]!.map((sample) => sample.rssKb));
  console.log(
    `\nverify with the path search, peak RSS × status: ${(rss('kubectl readiness verify, with the path search') / rss('kubectl readiness status')).toFixed(2)}×`,
  );
  for (const [name, command] of Object.entries(subjects).slice(0, 2)) {
    const before = auditedRequests(cluster, /^kubectl-readiness\//).length;
    execFileSync(command[0]!, command.slice(1), { env, stdio: 'ignore' });
    const requests = auditedRequests(cluster, /^kubectl-readiness\//).slice(before);
    const reviews = requests.filter((event) => event.objectRef?.resource === 'subjectaccessreviews').length;
    console.log(`${name}: ${reviews} SubjectAccessReviews, ${requests.length} requests in all (audit log)`);
  }
} finally {
  await cluster.stop();
}
