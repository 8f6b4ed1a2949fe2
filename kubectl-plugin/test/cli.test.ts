import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Finding } from '@kubectl-readiness/shared';
import { parseTarget } from '../src/commands/can-i.ts';
import { formatDuration, parseDuration } from '../src/duration.ts';
import { CliError } from '../src/errors.ts';
import { loadKubeConfig } from '../src/kubeconfig.ts';
import { main, normalizeArgs } from '../src/main.ts';
import { colorAllowed, inert, junit, table } from '../src/render.ts';
import { parseRuleFile } from '../src/commands/status.ts';

async function run(args: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readStdin: () => stdin,
  });
  return { code, stdout, stderr };
}

describe('argument parsing', () => {
  it('splits the -n=x and -o=json forms pflag accepts', () => {
    assert.deepEqual(normalizeArgs(['status', '-n=kube-system', '-o=json', '--output=yaml', '-l', 'a=b']), [
      'status',
      '-n',
      'kube-system',
      '-o',
      'json',
      '--output=yaml',
      '-l',
      'a=b',
    ]);
  });

  const durations: [string, number][] = [
    ['0', 0],
    ['30', 30_000],
    ['1.5', 1500],
    ['30s', 30_000],
    ['90s', 90_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['2h45m', 9_900_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['500ms', 500],
    ['1500us', 1.5],
    ['0s', 0],
  ];
  for (const [text, ms] of durations)
    it(`duration ${text} is ${ms} ms`, () => assert.equal(parseDuration('--request-timeout', text, { allowZero: true }), ms));
  for (const text of ['soon', '', '1d', '-1s', '+1s', '1m30', '1..5s', 's', ' 30s', '30 s', '1h-5m'])
    it(`duration ${JSON.stringify(text)} is refused, naming the flag`, () =>
      assert.throws(
        () => parseDuration('--stale-after', text, { allowZero: true }),
        (error: Error) =>
          error instanceof CliError &&
          error.message === `invalid --stale-after "${text}": use a duration such as 90s, 1m30s or 2h, or a number of seconds`,
      ));
  it('a zero duration is refused where it would mean nothing', () =>
    assert.throws(
      () => parseDuration('--reconcile-grace', '0', { allowZero: false }),
      /invalid --reconcile-grace "0": must be longer than 0s/,
    ));

  const formatted: [number, string][] = [
    [0, '0s'],
    [500, '500ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
    [360_000, '6m0s'],
    [3_600_000, '1h0m0s'],
    [5_430_000, '1h30m30s'],
  ];
  for (const [ms, text] of formatted) it(`${ms} ms prints as Go prints it: ${text}`, () => assert.equal(formatDuration(ms), text));

  const targets: [string, string | undefined, object][] = [
    ['nodes/node-b', 'status', { verb: '', group: '', resource: 'nodes', subresource: 'status', name: 'node-b' }],
    ['nodes', undefined, { verb: '', group: '', resource: 'nodes' }],
    ['nodes.authentication.k8s.io/*', undefined, { verb: '', group: 'authentication.k8s.io', resource: 'nodes', name: '*' }],
  ];
  for (const [target, subresource, expected] of targets)
    it(`can-i target ${target}`, () => assert.deepEqual(parseTarget(target, subresource), expected));
});

describe('usage errors: one line on stderr, exit 2, no stack', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['status', '--bogus'], /unknown option '--bogus'/],
    ['an unknown output format', ['status', '-o', 'xml'], /argument 'xml' is invalid/],
    ['an unknown command', ['explain'], /unknown command 'explain'/],
    ['can-i without --reporter', ['can-i', 'get', 'nodes', '--on-node', 'a'], /required option '--reporter/],
    ['a missing kubeconfig', ['status', '--kubeconfig', '/nonexistent/config'], /^error: kubeconfig \/nonexistent\/config does not exist$/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const result = await run(args);
      assert.equal(result.code, 2);
      assert.match(result.stderr.trim(), message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      assert.equal(result.stdout, '');
    });
  }

  it('help is not an error', async () => {
    const result = await run(['can-i', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--reporter kube-system\/cni-reporter --on-node node-a/);
  });

  it('version prints a versioned report with -o json', async () => {
    const result = await run(['version', '-o', 'json']);
    assert.deepEqual(JSON.parse(result.stdout), { apiVersion: 'kubectl-readiness/v1alpha1', kind: 'Version', version: '0.1.0' });
  });

  it('completion prints the kubectl_complete-readiness shim', async () => {
    const result = await run(['completion']);
    assert.match(result.stdout, /^#!\/usr\/bin\/env sh\n/);
    assert.match(result.stdout, /exec kubectl-readiness __complete "\$@"/);
  });

  it("__complete answers a flag that does not parse yet with cobra's error directive, and nothing on stderr", async () => {
    const result = await run(['__complete', 'status', '--request-timeout=', '']);
    assert.deepEqual(result, { code: 0, stdout: ':1\n', stderr: '' });
  });

  it("__complete offers subcommands with kubectl's NoFileComp directive", async () => {
    const result = await run(['__complete', 'st']);
    assert.equal(result.stdout, 'status\n:4\n');
  });
});

describe('kubeconfig resolution', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const first = write(
    'first',
    `apiVersion: v1
kind: Config
current-context: one
clusters:
- name: shared
  cluster: {server: https://first.example:6443, certificate-authority: ca.crt}
users:
- name: shared
  user: {token: first-token}
contexts:
- name: one
  context: {cluster: shared, user: shared, namespace: team-a}
`,
  );
  const second = write(
    'second',
    `apiVersion: v1
kind: Config
current-context: two
clusters:
- name: shared
  cluster: {server: https://second.example:6443}
- name: other
  cluster: {server: https://other.example:6443}
users:
- name: shared
  user: {token: second-token}
contexts:
- name: two
  context: {cluster: other, user: shared}
`,
  );

  it('KUBECONFIG with several files: first file wins, no error on duplicate names', () => {
    const previous = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = [first, second].join(delimiter);
    try {
      const loaded = loadKubeConfig({});
      assert.equal(loaded.contextName, 'one');
      assert.equal(loaded.namespace, 'team-a');
      assert.equal(loaded.kubeConfig.getCurrentCluster()?.server, 'https://first.example:6443');
      assert.equal(loaded.kubeConfig.getCurrentCluster()?.caFile, join(dir, 'ca.crt'), 'relative paths resolve against their file');
      assert.equal(loaded.kubeConfig.getCurrentUser()?.token, 'first-token');
      assert.equal(loadKubeConfig({ context: 'two' }).kubeConfig.getCurrentCluster()?.server, 'https://other.example:6443');
    } finally {
      if (previous === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = previous;
    }
  });

  it('--cluster and --user override the context', () => {
    process.env['KUBECONFIG'] = [first, second].join(delimiter);
    assert.equal(loadKubeConfig({ cluster: 'other' }).kubeConfig.getCurrentCluster()?.server, 'https://other.example:6443');
    delete process.env['KUBECONFIG'];
  });

  const bad: [string, string, RegExp][] = [
    ['empty', '', /no current context/],
    ['malformed YAML', 'clusters: [\n', /is not valid YAML/],
    ['a list instead of a mapping', '- a\n- b\n', /is not a kubeconfig/],
    ['a wrong apiVersion', 'apiVersion: v2\nkind: Config\n', /apiVersion "v2"; only v1 is supported/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects a kubeconfig that is ${name}`, () =>
      assert.throws(() => loadKubeConfig({ kubeconfig: write(name.replace(/ /g, '-'), text) }), message));
  }
  it('rejects an unknown context, cluster or user', () => {
    assert.throws(() => loadKubeConfig({ kubeconfig: first, context: 'nope' }), /context "nope" does not exist/);
    assert.throws(() => loadKubeConfig({ kubeconfig: first, cluster: 'nope' }), /cluster "nope" does not exist/);
    assert.throws(() => loadKubeConfig({ kubeconfig: first, user: 'nope' }), /user "nope" does not exist/);
  });
});

describe('rendering', () => {
  it('aligns a table like kubectl, with <none> for empty cells', () => {
    assert.equal(
      table(
        ['NODE', 'READINESS', 'TAINTS'],
        [
          ['node-a', 'ready', ''],
          ['node-bb', 'held by rule', 'readiness.k8s.io/X:NoSchedule'],
        ],
      ),
      [
        'NODE      READINESS      TAINTS',
        'node-a    ready          <none>',
        'node-bb   held by rule   readiness.k8s.io/X:NoSchedule',
        '',
      ].join('\n'),
    );
  });

  it('shows control characters in untrusted text instead of interpreting them', () => {
    assert.equal(inert('ok\u001b[2J\r\nfake line\u0007'), 'ok\\u001b[2J\\u000d\\nfake line\\u0007');
    assert.equal(inert('<script>alert(1)</script>'), '<script>alert(1)</script>');
  });

  it('colours only a TTY, never with NO_COLOR or TERM=dumb or --no-color', () => {
    const saved = { NO_COLOR: process.env['NO_COLOR'], TERM: process.env['TERM'] };
    delete process.env['NO_COLOR'];
    process.env['TERM'] = 'xterm';
    assert.equal(colorAllowed({ isTTY: true }, false), true);
    assert.equal(colorAllowed({ isTTY: false }, false), false);
    assert.equal(colorAllowed({ isTTY: true }, true), false);
    process.env['NO_COLOR'] = '';
    assert.equal(colorAllowed({ isTTY: true }, false), false);
    delete process.env['NO_COLOR'];
    process.env['TERM'] = 'dumb';
    assert.equal(colorAllowed({ isTTY: true }, false), false);
    Object.assign(process.env, saved.TERM === undefined ? {} : { TERM: saved.TERM });
    if (saved.NO_COLOR !== undefined) process.env['NO_COLOR'] = saved.NO_COLOR;
  });

  it('writes one JUnit testcase per finding', () => {
    const findings: Finding[] = [
      {
        id: 'direct-node-write',
        severity: 'fail',
        title: 'can write <any> node',
        subject: 'kube-system/cni-reporter',
        evidence: ['ClusterRoleBinding x → ClusterRole y'],
        remediation: 'remove it',
      },
      { id: 'cluster-version', severity: 'pass', title: 'ok', subject: 'cluster', evidence: [], remediation: '' },
      { id: 'impersonation-cache', severity: 'info', title: 'cache', subject: 'cluster', evidence: [], remediation: '' },
    ];
    assert.equal(
      junit('verify', findings),
      `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="verify" tests="3" failures="1">
    <testcase classname="verify.kube-system/cni-reporter" name="direct-node-write: can write &#60;any&#62; node">
      <failure type="fail" message="direct-node-write: can write &#60;any&#62; node">ClusterRoleBinding x → ClusterRole y
remove it</failure>
    </testcase>
    <testcase classname="verify.cluster" name="cluster-version: ok"></testcase>
    <testcase classname="verify.cluster" name="impersonation-cache: cache">
      <skipped message="impersonation-cache: cache"/>
    </testcase>
  </testsuite>
</testsuites>
`,
    );
  });
});

describe('what-if rule files', () => {
  const rule =
    'apiVersion: readiness.node.x-k8s.io/v1alpha1\nkind: NodeReadinessRule\nmetadata: {name: r}\nspec: {conditions: [{type: A, requiredStatus: "True"}], enforcementMode: continuous, taint: {key: readiness.k8s.io/A, effect: NoSchedule}, nodeSelector: {matchLabels: {pool: a}}}\n';
  it('reads rules from stdin', () => assert.equal(parseRuleFile('-', rule).length, 1));
  it("rejects a rule whose taint a cluster rule already manages on overlapping nodes, as NRC's webhook does", () =>
    assert.throws(
      () =>
        parseRuleFile('-', rule, [
          { metadata: { name: 'existing' }, spec: { taint: { key: 'readiness.k8s.io/A', effect: 'NoSchedule' }, nodeSelector: {} } },
        ]),
      /conflicts with existing rule 'existing'/,
    ));
  it('rejects malformed YAML', () => assert.throws(() => parseRuleFile('-', 'kind: [\n'), /invalid YAML/));
  it('rejects other kinds', () => assert.throws(() => parseRuleFile('-', 'kind: Pod\n'), /expected kind NodeReadinessRule, found "Pod"/));
  it('rejects an empty file', () => assert.throws(() => parseRuleFile('-', ''), /no NodeReadinessRule found/));
});
