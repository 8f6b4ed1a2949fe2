// kubectl-readiness against the real kube-apiserver: outputs, exit codes,
// what-if, watch, can-i against the ground truth, read-only proof, bad input.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { CAN_I_REWRITE_OTHER_NODE, VARIANTS, featureGatesFor, loadScenario, startController, upstreamDir } from '../cluster/scenario.ts';
import { startReporters, type Reporters } from '../cluster/reporters.ts';
import { PROBES, expectedStatus } from './ground-truth-cases.ts';
import { auditedRequests, writesAmong } from '../cluster/audit.ts';
import { assertFailure, cli, cliPath } from './cli-runner.ts';
import { scratchDir } from '../scratch.ts';

const scratch = scratchDir('cli-e2e-');

const ruleFile = (name: string, spec: string) => {
  const path = join(scratch, `${name}.yaml`);
  writeFileSync(path, `apiVersion: readiness.node.x-k8s.io/v1alpha1\nkind: NodeReadinessRule\nmetadata: {name: ${name}}\nspec:\n${spec}`);
  return path;
};

describe('kubectl-readiness on the hardened scenario', () => {
  let cluster: Cluster;
  let reporters: Reporters;
  let env: Record<string, string>;
  before(async () => {
    cluster = await startCluster();
    const scenario = await loadScenario(cluster, 'hardened');
    await startController(cluster);
    reporters = await startReporters(cluster, scenario, { 'node-a': true, 'node-b': false, 'node-c': false });
    env = { KUBECONFIG: cluster.kubeconfig };
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !/node-a\s+ready/.test(cli(['status'], env).stdout))
      await new Promise((resolve) => setTimeout(resolve, 300));
  });
  after(() => cluster?.stop());

  it('status: the rule summary and one line per node', () => {
    const result = cli(['status'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /network-readiness-rule\s+continuous\s+readiness.k8s.io\/NetworkReady:NoSchedule\s+false\s+3\s+2\s+0\s+0\s+0/,
    );
    assert.match(result.stdout, /node-a\s+ready\s+network-readiness-rule\s+<none>\s+<none>/);
    assert.match(
      result.stdout,
      /node-b\s+held by network-readiness-rule\s+network-readiness-rule\s+projectcalico.org\/CalicoReady=False\s+readiness.k8s.io\/NetworkReady:NoSchedule/,
    );
  });

  it('status NODE explains the node: conditions, taint, reporter, events', () => {
    const held = cli(['status', 'node-b'], env);
    assert.equal(held.code, 0, held.stderr);
    assert.match(
      held.stdout,
      // NRC's reporter puts the endpoint's answer in the condition's message.
      /readiness.k8s.io\/NetworkReady:NoSchedule stays: projectcalico.org\/CalicoReady is False \(required True\): reporter says "Endpoint returned non-2xx status code 503 at http:\/\/127.0.0.1:\d+\/node-b\/readiness: calico-node is not ready"/,
    );
    assert.match(held.stdout, /Taint readiness.k8s.io\/NetworkReady:NoSchedule: present, expected/);
    assert.match(
      held.stdout,
      /projectcalico.org\/CalicoReady ← DaemonSet kube-system\/cni-reporter \(ServiceAccount kube-system\/cni-reporter, impersonates its node\)/,
    );
    const released = cli(['status', 'node-a'], env);
    assert.match(
      released.stdout,
      /Normal\s+TaintRemoved\s+\S+\s+Taint 'readiness.k8s.io\/NetworkReady:NoSchedule' removed by rule 'network-readiness-rule'/,
    );
  });

  it('status filters and --fail-if-not-ready', () => {
    const notReady = cli(['status', '--not-ready'], env);
    assert.doesNotMatch(notReady.stdout, /node-a/);
    assert.match(notReady.stdout, /node-b/);
    assert.equal(cli(['status', '--fail-if-not-ready'], env).code, 1);
    assert.equal(cli(['status', 'node-a', '--fail-if-not-ready'], env).code, 0);
    assert.match(cli(['status', '-l', 'kubernetes.io/hostname=node-c'], env).stdout, /^(?![\s\S]*node-a)[\s\S]*node-c/);
    assertFailure(cli(['status', '--rule', 'nope'], env), /rule "nope" not found/);
  });

  it('status -o json carries a versioned report', () => {
    const report = JSON.parse(cli(['status', '-o', 'json'], env).stdout) as {
      apiVersion: string;
      kind: string;
      rules: { counts: { held: number } }[];
      nodes: unknown[];
    };
    assert.equal(report.apiVersion, 'kubectl-readiness/v1alpha1');
    assert.equal(report.kind, 'StatusReport');
    assert.equal(report.rules[0]!.counts.held, 2);
    assert.equal(report.nodes.length, 3);
    assert.match(cli(['status', '-o=yaml'], env).stdout, /^apiVersion: kubectl-readiness\/v1alpha1\nkind: StatusReport/);
  });

  it('status -f: what-if for a rule before it is applied', () => {
    const stricter = ruleFile(
      'needs-gpu',
      '  conditions: [{type: example.com/GPUReady, requiredStatus: "True"}]\n  enforcementMode: continuous\n  taint: {key: readiness.k8s.io/GPUReady, effect: NoSchedule}\n  nodeSelector: {matchLabels: {kubernetes.io/os: linux}}\n',
    );
    const result = cli(['status', '-f', stricter], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /what-if: 1 rule\(s\) from .*needs-gpu.yaml, evaluated against live nodes; nothing is applied/);
    assert.match(result.stdout, /needs-gpu\s+continuous\s+readiness.k8s.io\/GPUReady:NoSchedule\s+false\s+3\s+0\s+0\s+3\s+0/);
    const fromStdin = cli(
      ['status', '-f', '-', '-o', 'json'],
      env,
      readFileSync(join(upstreamDir, 'examples/constrained-impersonation/readiness-rule.yaml'), 'utf8'),
    );
    assert.equal((JSON.parse(fromStdin.stdout) as { whatIf: boolean }).whatIf, true);
  });

  it('status -w sees a condition flip without re-listing', async () => {
    const watcher = spawn(process.execPath, [cliPath, 'status', '-w'], { env: { ...process.env, ...env, NO_COLOR: '1' } });
    let output = '';
    watcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 30_000;
      while (!pattern.test(output)) {
        if (Date.now() > deadline) throw new Error(`status -w never printed ${pattern}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    await waitFor(/node-c\s+held by network-readiness-rule/);
    reporters.report('node-c', true);
    await waitFor(/node-c\s+(releasing|ready)/);
    await waitFor(/node-c\s+ready/);
    watcher.kill('SIGINT');
    reporters.report('node-c', false);
  });

  it('verify: constrained, exit 0', () => {
    const result = cli(['verify'], env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /PASS\s+constrained-grants\s+kube-system\/cni-reporter/);
    assert.match(result.stdout, /Reporters: kube-system\/cni-reporter: Constrained\./);
    assert.doesNotMatch(result.stdout, /# Remediation/);
  });

  it('verify -o junit and --reporter', () => {
    const xml = cli(['verify', '-o', 'junit', '--reporter', 'kube-system/cni-reporter'], env).stdout;
    assert.match(xml, /<testsuite name="kubectl-readiness verify" tests="\d+" failures="0">/);
    assert.match(cli(['verify', '--reporter', 'daemonset/cni-reporter', '-n', 'kube-system'], env).stdout, /Constrained/);
    assertFailure(
      cli(['verify', '--reporter', 'daemonset/missing', '-n', 'kube-system'], env),
      /no reporter container found in DaemonSet kube-system\/missing/,
    );
  });

  it("can-i answers the README's worked examples", () => {
    const ask = (...args: string[]) => cli(['can-i', ...args, '--reporter', 'kube-system/cni-reporter', '--on-node', 'node-a'], env);
    const other = ask('update', 'nodes/node-b', '--subresource=status');
    assert.deepEqual([other.code, other.stdout], [1, 'no\n']);
    assert.match(other.stderr, /NodeRestriction \(modelled\): node "node-a" is not allowed to modify node "node-b"/);
    assert.deepEqual(
      [ask('update', 'nodes/node-a', '--subresource=status').stdout, ask('update', 'nodes/node-a', '--subresource=status').code],
      ['yes\n', 0],
    );
    const read = ask('get', 'nodes/node-b');
    assert.deepEqual([read.code, read.stdout], [1, 'no\n']);
    assert.match(read.stderr, /is not authorized/);
    const wide = ask('update', 'nodes/node-a', '--subresource=status', '-o', 'wide');
    assert.match(wide.stdout, /associated-node-identity\s+impersonate:associated-node on nodes.authentication.k8s.io "\*"\s+allowed\s+yes/);
    const quiet = ask('get', 'nodes/node-b', '-q');
    assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [1, '', '']);
    const matrix = ask('--list', '--other-node', 'node-b');
    assert.match(matrix.stdout, /nodes\/status\s+update\s+yes\s+no\s+no/);
    assert.match(matrix.stdout, /nodes\s+get\s+yes\s+no\s+no/);
  });

  it('reads and creates SubjectAccessReviews only: the audit log proves it', () => {
    const ours = auditedRequests(cluster, /^kubectl-readiness\//);
    assert.ok(ours.length > 50, `only ${ours.length} requests from kubectl-readiness were audited`);
    assert.deepEqual(writesAmong(ours), []);
  });

  it('completion through the real kubectl completes subcommands, node names and rule names', () => {
    const bin = scratchDir('plugin-bin-');
    writeFileSync(join(bin, 'kubectl-readiness'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`, { mode: 0o755 });
    writeFileSync(join(bin, 'kubectl_complete-readiness'), cli(['completion']).stdout, { mode: 0o755 });
    const kubectl = join(import.meta.dirname, '..', 'cluster', 'bin', 'kubectl');
    const pathEnv = { ...process.env, ...env, PATH: `${bin}:${process.env['PATH']}` };
    const subcommands = spawnSync(kubectl, ['__complete', 'readiness', 've'], { encoding: 'utf8', env: pathEnv });
    assert.match(subcommands.stdout, /^verify\nversion\n:4/m);
    const nodes = spawnSync(kubectl, ['__complete', 'readiness', 'status', 'node-'], { encoding: 'utf8', env: pathEnv });
    assert.match(nodes.stdout, /node-a\nnode-b\nnode-c\n/);
    const rules = spawnSync(kubectl, ['__complete', 'readiness', 'status', '--rule', 'net'], { encoding: 'utf8', env: pathEnv });
    assert.match(rules.stdout, /^network-readiness-rule\n:4/m);
    const listed = spawnSync(kubectl, ['plugin', 'list'], { encoding: 'utf8', env: pathEnv });
    assert.match(listed.stdout, /kubectl-readiness/);
  });
});

describe('kubectl-readiness on the broad scenario', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
    await loadScenario(cluster, 'broad');
  });
  after(() => cluster?.stop());

  it('verify fails with the binding as evidence and prints the remediation', () => {
    const result = cli(['verify'], { KUBECONFIG: cluster.kubeconfig });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /FAIL\s+direct-node-write\s+kube-system\/cni-reporter/);
    assert.match(result.stdout, /Reporters: kube-system\/cni-reporter: Broad RBAC\./);
    assert.match(result.stdout, /# Remediation for kube-system\/cni-reporter\n# Constrained impersonation/);
    assert.match(result.stdout, /# {3}ClusterRoleBinding calico-node-status-patch-binding/);
    assert.match(result.stdout, /name: IMPERSONATE_NODE/);
    assert.equal(cli(['verify', '--exit-zero'], { KUBECONFIG: cluster.kubeconfig }).code, 0);
    assert.doesNotMatch(cli(['verify', '--remediation=false'], { KUBECONFIG: cluster.kubeconfig }).stdout, /# Remediation/);
  });

  it('can-i: the broad ServiceAccount can rewrite another node without impersonation', () => {
    const result = cli([...CAN_I_REWRITE_OTHER_NODE, '--direct'], { KUBECONFIG: cluster.kubeconfig });
    assert.deepEqual([result.code, result.stdout], [0, 'yes\n']);
  });
});

describe('can-i predicts the ground truth in every scenario', () => {
  for (const variant of VARIANTS) {
    describe(variant, () => {
      let cluster: Cluster;
      before(async () => {
        cluster = await startCluster({ featureGates: featureGatesFor(variant) });
        await loadScenario(cluster, variant, { withRule: false });
      });
      after(() => cluster?.stop());
      for (const probe of PROBES.filter((entry) => !entry.impersonate?.groups)) {
        const expected = expectedStatus(variant, probe.id) === 200;
        it(`${probe.id} → ${expected ? 'yes' : 'no'}`, () => {
          const impersonation =
            probe.impersonate === null ? ['--direct'] : ['--as-node', probe.impersonate.user.slice('system:node:'.length)];
          const result = cli(
            [
              'can-i',
              probe.verb,
              `nodes/${probe.target}`,
              ...(probe.subresource ? ['--subresource', probe.subresource] : []),
              '--reporter',
              'kube-system/cni-reporter',
              '--on-node',
              probe.tokenOf,
              ...impersonation,
              '-q',
            ],
            { KUBECONFIG: cluster.kubeconfig },
          );
          assert.equal(result.code, expected ? 0 : 1, result.stderr);
        });
      }
    });
  }
});
