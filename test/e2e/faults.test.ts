// The fault and bad-input matrix: every command against the real apiserver,
// directly or through a loopback fault proxy. Each failure is one line on
// stderr with the documented exit code and no stack trace, and nothing is
// half-written on stdout.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { startFaultProxy, type Fault, type FaultPlan, type FaultProxy, type ProxiedCall } from '../cluster/faults.ts';
import { CONDITION, installCRD, upstreamDir, workerNode, applyManifests } from '../cluster/scenario.ts';
import { boundClusterRole, serviceAccountSubject } from '../cluster/rbac.ts';
import { EXIT, assertFailure, cli, cliAsync, startCli, type CliResult } from './cli-runner.ts';
import { scratchDir } from '../scratch.ts';

const scratch = scratchDir('faults-');
const RULE = 'network-readiness-rule';

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

function kubeconfig(name: string, cluster: string, user: string): string {
  return file(
    name,
    `apiVersion: v1
kind: Config
current-context: c
clusters: [{name: c, cluster: ${cluster}}]
users: [{name: u, user: ${user}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
`,
  );
}

/** A degraded read: exit 0, a one-line note on stderr, a whole report on stdout. */
function assertNote(result: CliResult, note: RegExp): void {
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, note);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
  JSON.parse(result.stdout);
}

async function waitFor(what: () => boolean, description: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('fault and bad-input matrix', () => {
  let cluster: Cluster;
  let proxy: FaultProxy;
  let stall: Server;
  let admin: Record<string, string>;
  let viaProxy: Record<string, string>;
  const withCA = () => `{server: "${cluster.server}", certificate-authority: "${cluster.caFile}"}`;
  const token = async (serviceAccount: string) => (await cluster.kubectlOk(['-n', 'default', 'create', 'token', serviceAccount])).trim();
  const tokenConfig = async (serviceAccount: string) => kubeconfig(serviceAccount, withCA(), `{token: ${await token(serviceAccount)}}`);
  const setCondition = (node: string, status: string) =>
    cluster.kubectlOk([
      'patch',
      'node',
      node,
      '--subresource=status',
      '-p',
      JSON.stringify({ status: { conditions: [{ type: CONDITION, status, reason: 'Test', message: 'set by the fault matrix' }] } }),
    ]);
  const faults = (plan: FaultPlan) => proxy.plan(plan);
  const isNodeList = (call: ProxiedCall) => call.path.startsWith('/api/v1/nodes?');
  /** Every node list page (and watch) gets `fault`; other calls pass. */
  const onNodeList = (fault: Fault) => faults((call) => (isNodeList(call) ? fault : undefined));

  before(async () => {
    cluster = await startCluster();
    admin = { KUBECONFIG: cluster.kubeconfig };
    await applyManifests(cluster, [workerNode('node-a')]);
    for (const serviceAccount of ['nobody', 'nodes-only', 'node-reader', 'revoked'])
      await cluster.kubectlOk(['-n', 'default', 'create', 'serviceaccount', serviceAccount]);
    // nodes-only reads nodes; node-reader also reads rules and workloads. Neither may create reviews or read RBAC.
    const reader = (name: string, rules: string) => boundClusterRole(name, rules, serviceAccountSubject('default', name));
    await cluster.kubectlOk(['apply', '-f', '-'], reader('nodes-only', `[{apiGroups: [""], resources: [nodes], verbs: [get, list]}]`));
    await cluster.kubectlOk(
      ['apply', '-f', '-'],
      reader(
        'node-reader',
        `[{apiGroups: [""], resources: [nodes], verbs: [get, list]}, {apiGroups: [apps], resources: [daemonsets, deployments], verbs: [list]}, {apiGroups: [readiness.node.x-k8s.io], resources: [nodereadinessrules], verbs: [list]}]`,
      ),
    );
    await cluster.kubectlOk(['apply', '-f', join(upstreamDir, 'examples/constrained-impersonation/reporter-ds.yaml')]);
    // Completes the TLS handshake with the apiserver's own certificate, then never answers.
    stall = createServer(
      {
        cert: readFileSync(join(cluster.stateDir, 'pki', 'apiserver.crt')),
        key: readFileSync(join(cluster.stateDir, 'pki', 'apiserver.key')),
      },
      () => undefined,
    );
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    proxy = await startFaultProxy(cluster);
    viaProxy = { KUBECONFIG: proxy.kubeconfig };
  });
  after(async () => {
    stall?.close();
    await proxy?.close();
    await cluster?.stop();
  });

  describe('kubeconfig and credentials', () => {
    it('kubeconfig missing', () =>
      assertFailure(cli(['status', '--kubeconfig', join(scratch, 'absent')]), /^error: kubeconfig \S+ does not exist$/));
    it('kubeconfig empty', () =>
      assertFailure(cli(['status', '--kubeconfig', file('empty', '')]), /^error: no current context in \S+; pass --context$/));
    it('kubeconfig malformed YAML', () =>
      assertFailure(cli(['status', '--kubeconfig', file('malformed', 'clusters: [\n')]), /^error: kubeconfig \S+ is not valid YAML/));
    it('kubeconfig of another version', () =>
      assertFailure(
        cli(['verify', '--kubeconfig', file('v2', 'apiVersion: v2\nkind: Config\n')]),
        /has apiVersion "v2"; only v1 is supported$/,
      ));
    it('unknown context', () => assertFailure(cli(['status', '--context', 'nope'], admin), /^error: context "nope" does not exist/));
    it('unknown cluster', () => assertFailure(cli(['verify', '--cluster', 'nope'], admin), /^error: cluster "nope" does not exist$/));
    it('unknown user', () =>
      assertFailure(
        cli(['can-i', '--list', '--reporter', 'a/b', '--on-node', 'n', '--user', 'nope'], admin),
        /^error: user "nope" does not exist$/,
      ));
    it('exec plugin missing', () => {
      const path = kubeconfig(
        'exec-missing',
        withCA(),
        `{exec: {apiVersion: client.authentication.k8s.io/v1, command: /nonexistent/credential-helper, interactiveMode: Never}}`,
      );
      assertFailure(cli(['status', '--kubeconfig', path]), /^error: credentials: .*(ENOENT|not found|nonexistent)/);
    });
    it('exec plugin failing', () => {
      const path = kubeconfig(
        'exec-failing',
        withCA(),
        `{exec: {apiVersion: client.authentication.k8s.io/v1, command: sh, args: [-c, "echo expired >&2; exit 1"], interactiveMode: Never}}`,
      );
      assertFailure(cli(['status', '--kubeconfig', path, '-o', 'json']), /^error: credentials: /);
    });
  });

  describe('connection', () => {
    it('unreachable server', () =>
      assertFailure(
        cli(['status', '--kubeconfig', kubeconfig('unreachable', '{server: "https://127.0.0.1:1"}', '{token: x}')]),
        /^error: cannot reach https:\/\/127.0.0.1:1: connection refused$/,
      ));
    it('wrong CA', () =>
      assertFailure(
        cli([
          'status',
          '--kubeconfig',
          kubeconfig('wrong-ca', `{server: "${cluster.server}", certificate-authority: /etc/ssl/certs/ca-certificates.crt}`, '{token: x}'),
        ]),
        /^error: cannot reach .*: (the server's certificate is not trusted|.*certificate)/,
      ));
    it('a garbage token (401)', () =>
      assertFailure(
        cli(['status', '--kubeconfig', kubeconfig('garbage', withCA(), '{token: garbage}')]),
        /^error: GET \S+: unauthorized \(the credentials were rejected\)/,
      ));
    it('a token whose ServiceAccount was deleted (401)', async () => {
      const path = await tokenConfig('revoked');
      await cluster.kubectlOk(['-n', 'default', 'delete', 'serviceaccount', 'revoked']);
      assertFailure(cli(['verify', '--kubeconfig', path, '-o', 'json']), /unauthorized \(the credentials were rejected\)/);
    });
    it('a server that stalls: --request-timeout is honoured', () => {
      const port = (stall.address() as { port: number }).port;
      const path = kubeconfig('stall', `{server: "https://127.0.0.1:${port}", certificate-authority: "${cluster.caFile}"}`, '{token: x}');
      const started = Date.now();
      assertFailure(cli(['status', '--kubeconfig', path, '--request-timeout', '1s']), /no answer within 1s \(--request-timeout\)/);
      assert.ok(Date.now() - started < 20_000);
    });
  });

  describe('the NodeReadinessRule CRD', () => {
    it('absent: one note, node conditions still shown', () =>
      assertNote(
        cli(['status', '-o', 'json'], admin),
        /the NodeReadinessRule CRD \(readiness.node.x-k8s.io\/v1alpha1\) is not installed: showing node conditions only/,
      ));
    it('version skew: the group is served, but not v1alpha1', async () => {
      const crd = readFileSync(join(upstreamDir, 'config/crd/bases/readiness.node.x-k8s.io_nodereadinessrules.yaml'), 'utf8');
      await cluster.kubectlOk(['apply', '-f', '-'], crd.replace(/name: v1alpha1/, 'name: v1alpha2'));
      await cluster.kubectlOk(['wait', '--for=condition=Established', 'crd/nodereadinessrules.readiness.node.x-k8s.io']);
      await waitFor(() => /v1alpha2/.test(cli(['status'], admin).stderr), 'discovery to serve v1alpha2');
      assertNote(
        cli(['status', '-o', 'json'], admin),
        /the cluster serves readiness.node.x-k8s.io v1alpha2 but not v1alpha1, the version this kubectl-readiness reads: showing node conditions only/,
      );
      await cluster.kubectlOk(['delete', 'crd', 'nodereadinessrules.readiness.node.x-k8s.io', '--wait']);
      await installCRD(cluster);
      await cluster.kubectlOk(['apply', '-f', join(upstreamDir, 'examples/constrained-impersonation/readiness-rule.yaml')]);
    });
    it('fields from a newer version are ignored', async () => {
      faults((call) =>
        call.path.startsWith('/apis/readiness.node.x-k8s.io/v1alpha1/nodereadinessrules')
          ? {
              rewrite: (body) => {
                const list = JSON.parse(body);
                for (const rule of list.items) {
                  rule.spec.futureField = { nested: [1, 2] };
                  rule.spec.conditions[0].futureWeight = 3;
                  rule.status = { ...rule.status, futureSummary: 'x' };
                }
                return JSON.stringify(list);
              },
            }
          : undefined,
      );
      const result = await cliAsync(['status', '-o', 'json'], viaProxy);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).rules[0].rule, RULE);
    });
  });

  describe('rules and nodes the cluster or the user hands over', () => {
    it('a rule whose selector the apiserver accepts but NRC cannot use', async () => {
      await cluster.kubectlOk(
        ['apply', '-f', '-'],
        `apiVersion: readiness.node.x-k8s.io/v1alpha1
kind: NodeReadinessRule
metadata: {name: odd-selector}
spec:
  conditions: [{type: ${CONDITION}, requiredStatus: "True"}]
  taint: {key: readiness.k8s.io/Odd, effect: NoSchedule}
  enforcementMode: continuous
  nodeSelector: {matchExpressions: [{key: role, operator: Sometimes, values: [x]}]}
`,
      );
      const result = cli(['status', '-o', 'json'], admin);
      assertNote(result, /^rule odd-selector: node selector is invalid, so NRC applies it to no node: .*Sometimes/m);
      const summary = JSON.parse(result.stdout).rules.find((rule: { rule: string }) => rule.rule === 'odd-selector');
      assert.equal(summary.selected, 0);
      await cluster.kubectlOk(['delete', 'nodereadinessrule', 'odd-selector']);
    });
    it('rules NRC would reject, as a what-if: unknown status, no conditions', () => {
      const rule = readFileSync(join(upstreamDir, 'examples/constrained-impersonation/readiness-rule.yaml'), 'utf8');
      assertFailure(
        cli(['status', '-f', '-'], admin, rule.replace(/requiredStatus: "True"/, 'requiredStatus: "Maybe"')),
        /^error: -: NodeReadinessRule \S+ would be rejected by NRC: spec.conditions\[0\].requiredStatus "Maybe" is not one of True, False, Unknown$/,
      );
      assertFailure(
        cli(['status', '-f', '-', '-o', 'json'], admin, rule.replace(/conditions:\n(\s+- .*\n(\s+ .*\n)*)/, 'conditions: []\n')),
        /spec.conditions has 0 entries, not 1 to 32/,
      );
    });
    it('a malformed rule file', () => assertFailure(cli(['status', '-f', '-'], admin, 'kind: [\n'), /^error: -: invalid YAML/));
    it('an invalid label selector, refused before any request', () =>
      assertFailure(
        cli(['status', '-l', '!!!', '-o', 'json'], admin),
        /^error: invalid --selector "!!!": unable to parse requirement: found '!', expected: identifier$/,
      ));
    it('a node without status', async () => {
      await cluster.kubectlOk(['apply', '-f', '-'], 'apiVersion: v1\nkind: Node\nmetadata: {name: bare}\n');
      const result = cli(['status', 'bare', '-o', 'json'], admin);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).nodes[0].node, 'bare');
      await cluster.kubectlOk(['delete', 'node', 'bare']);
    });
  });

  describe('authorization: 403 on each call type', () => {
    it('on nodes', async () =>
      assertFailure(
        cli(['status', '--kubeconfig', await tokenConfig('nobody')]),
        /^error: GET \/api\/v1\/nodes: HTTP 403: .*cannot list resource "nodes"/,
      ));
    it('on rules and events: notes, the node conditions still shown', async () => {
      const path = await tokenConfig('nodes-only');
      assertNote(cli(['status', '--kubeconfig', path, '-o', 'json']), /^not allowed to list nodereadinessrules.readiness.node.x-k8s.io$/m);
      const detail = cli(['status', 'node-a', '--kubeconfig', path]);
      assert.equal(detail.code, 0, detail.stderr);
      assert.match(detail.stdout, /Note: reporters: not allowed to list daemonsets[\s\S]*Note: events: not allowed to list events/);
    });
    it('on reviews and RBAC objects: verify says which permission is missing', async () =>
      assertFailure(
        cli(['verify', '--kubeconfig', await tokenConfig('node-reader'), '-o', 'json']),
        /^error: cannot check reporter security: needs create on subjectaccessreviews.authorization.k8s.io, or list on clusterroles/,
      ));
    it('on reviews: can-i', async () =>
      assertFailure(
        cli([
          'can-i',
          'update',
          'nodes/node-a',
          '--subresource=status',
          '--reporter',
          'kube-system/cni-reporter',
          '--on-node',
          'node-a',
          '--kubeconfig',
          await tokenConfig('node-reader'),
        ]),
        /^error: can-i needs create on subjectaccessreviews.authorization.k8s.io/,
      ));
    it('on the metrics endpoint: the gate is reported as unverified, not guessed', async () => {
      faults((call) => (call.path.startsWith('/metrics') ? { respond: 403, body: '{"message":"forbidden: /metrics"}' } : undefined));
      const result = await cliAsync(['verify', '-o', 'json', '--exit-zero'], viaProxy);
      assert.equal(result.code, 0, result.stderr);
      const gate = JSON.parse(result.stdout).findings.find((finding: { id: string }) => finding.id === 'constrained-impersonation-gate');
      assert.notEqual(gate.verdict, 'pass');
    });
  });

  describe('faults in transit (fault proxy)', () => {
    it('a 429 with Retry-After is retried', async () => {
      faults((call) =>
        isNodeList(call) && call.repeat === 0
          ? { respond: 429, headers: { 'retry-after': '1' }, body: '{"message":"slow down"}' }
          : undefined,
      );
      const result = await cliAsync(['status', '-o', 'json', '-v', '6'], viaProxy);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /HTTP 429: retrying GET \/api\/v1\/nodes in 1s/);
      assert.equal(proxy.calls.filter((call) => isNodeList(call)).length, 2);
    });
    it('a 429 that never ends: retries are bounded', async () => {
      onNodeList({ respond: 429, headers: { 'retry-after': '0' }, body: '{"message":"slow down"}' });
      assertFailure(
        await cliAsync(['status', '-o', 'json'], viaProxy),
        /^error: GET \/api\/v1\/nodes: HTTP 429: slow down \(gave up after 5 retries\)$/,
      );
      assert.equal(proxy.calls.filter((call) => isNodeList(call)).length, 6);
    });
    it('a 500 mid-pagination', async () => {
      faults((call) => {
        if (!isNodeList(call)) return undefined;
        if (call.path.includes('continue=')) return { respond: 500, body: '{"message":"etcd leader changed"}' };
        return { rewrite: (body) => JSON.stringify({ ...JSON.parse(body), metadata: { continue: 'page-2' } }) };
      });
      assertFailure(await cliAsync(['status', '-o', 'json'], viaProxy), /^error: GET \/api\/v1\/nodes: HTTP 500: etcd leader changed$/);
    });
    it('the connection cut mid-body', async () => {
      onNodeList({ cutAfterBytes: 100 });
      assertFailure(
        await cliAsync(['status', '-o', 'json'], viaProxy),
        /^error: GET \/api\/v1\/nodes: the connection was cut before the response was complete$/,
      );
    });
    it('an answer that is not JSON', async () => {
      onNodeList({ respond: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' });
      assertFailure(
        await cliAsync(['verify', '-o', 'json'], viaProxy),
        /^error: GET \/api\/v1\/nodes\S*: the server answered with something that is not JSON$/,
      );
    });
    it('a watch dropped: status -w reconnects and keeps following', async () => {
      await setCondition('node-a', 'False');
      faults((call) => (call.watch && call.repeat === 0 ? { dropAfterMs: 1000 } : undefined));
      const watcher = startCli(['status', '-w'], viaProxy);
      try {
        await waitFor(() => proxy.calls.filter((call) => call.watch).length >= 2, 'a second watch');
        await setCondition('node-a', 'True');
        await waitFor(() => /node-a\s+(ready|releasing)/.test(watcher.output.stdout), `the flip after the drop:\n${watcher.output.stdout}`);
      } finally {
        watcher.child.kill('SIGINT');
      }
      const result = await watcher.exited;
      assert.equal(result.code, 0);
      assert.match(result.stderr, /watch interrupted: .*; reconnecting/);
    });
    it('a watch that expired (410 Gone): status -w lists again', async () => {
      faults((call) =>
        call.watch && call.repeat === 0
          ? {
              respond: 200,
              body: `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } })}\n`,
            }
          : undefined,
      );
      const watcher = startCli(['status', '-w'], viaProxy);
      try {
        await waitFor(() => /410 Gone/.test(watcher.output.stderr), 'the 410 note');
        await waitFor(() => proxy.calls.filter((call) => isNodeList(call) && !call.watch).length >= 2, 'a second list');
        await setCondition('node-a', 'False');
        await waitFor(() => /node-a\s+held/.test(watcher.output.stdout), `the flip after the relist:\n${watcher.output.stdout}`);
      } finally {
        watcher.child.kill('SIGINT');
      }
      assert.equal((await watcher.exited).code, 0);
    });
    it('Ctrl-C during verify: exit 130, one line, nothing half-written', async () => {
      faults((call) => (call.method === 'POST' ? { stall: true } : undefined));
      const verify = startCli(['verify', '-o', 'json'], viaProxy);
      await waitFor(() => proxy.calls.some((call) => call.method === 'POST'), 'a review in flight');
      verify.child.kill('SIGINT');
      assertFailure(await verify.exited, /^error: interrupted: no report was written$/, EXIT.interrupted);
    });
  });

  describe('secrets: every command at -v 10 keeps tokens and keys out of its output', () => {
    const commands = [
      ['status'],
      ['status', 'node-a'],
      ['status', '-o', 'yaml'],
      ['verify', '--exit-zero'],
      ['verify', '-o', 'junit', '--exit-zero'],
      ['can-i', 'update', 'nodes/node-a', '--subresource=status', '--reporter', 'kube-system/cni-reporter', '--on-node', 'node-a'],
      ['can-i', '--list', '--reporter', 'kube-system/cni-reporter', '--on-node', 'node-a', '-o', 'json'],
      ['__complete', 'status', ''],
    ];
    const assertClean = (env: Record<string, string>, secrets: string[]) => {
      for (const command of commands) {
        const result = cli([...command, '-v', '10'], env);
        const output = result.stdout + result.stderr;
        if (command[0] !== '__complete')
          assert.match(result.stderr, /^(GET|POST) \/\S* 20[01] in \d+ ms$/m, `${command.join(' ')} logged no requests`);
        for (const secret of secrets) assert.ok(!output.includes(secret), `${command.join(' ')} printed a secret`);
        assert.doesNotMatch(output, /Authorization:|Bearer\s+\S/i, command.join(' '));
      }
    };
    it('a client certificate and key', () => {
      const key = readFileSync(cluster.adminKeyFile, 'utf8');
      assertClean(
        admin,
        key.split('\n').filter((line) => line.length > 20),
      );
    });
    it('a ServiceAccount token', async () => {
      await cluster.kubectlOk([
        'create',
        'clusterrolebinding',
        'secrets-admin',
        '--clusterrole=cluster-admin',
        '--serviceaccount=default:nobody',
      ]);
      const secret = await token('nobody');
      assertClean({ KUBECONFIG: kubeconfig('token', withCA(), `{token: ${secret}}`) }, [secret, secret.split('.')[2]!]);
      const credential = file(
        'credential.json',
        JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: secret } }),
      );
      const exec = kubeconfig(
        'exec',
        withCA(),
        `{exec: {apiVersion: client.authentication.k8s.io/v1, command: cat, args: ["${credential}"], interactiveMode: Never}}`,
      );
      assertClean({ KUBECONFIG: exec }, [secret]);
      await cluster.kubectlOk(['delete', 'clusterrolebinding', 'secrets-admin']);
    });
  });

  describe('usage errors', () => {
    it('an unknown output format', () => assertFailure(cli(['status', '--output', 'xml'], admin), /argument 'xml' is invalid/));
    it('a malformed --request-timeout', () =>
      assertFailure(cli(['verify', '--request-timeout', 'soon'], admin), /invalid --request-timeout "soon"/));
    it('a malformed -v', () =>
      assertFailure(cli(['can-i', '--reporter', 'a/b', '--on-node', 'n', '-v', 'loud'], admin), /invalid -v "loud"/));
    it('can-i without its target', () => assertFailure(cli(['can-i', 'update'], admin), /required option|missing/));
  });
});
