// The first minute with the CLI (issue 31): every flag and argument that can
// be checked without a cluster is checked before the kubeconfig is read, and
// the error names it. Each bad input runs three ways: against a loopback
// apiserver of this test's own, which records every connection and request
// and must see none; with no kubeconfig at all; and against a server nobody
// listens on. The first line of stderr and the exit code are the same in all three.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/main.ts';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readStdin: () => '',
  });
  return { code, stdout, stderr, firstLine: stderr.split('\n')[0] };
}

/** An apiserver that refuses everything, after writing down what it was asked. */
function recordingServer(): { server: Server; connections: number[]; requests: string[] } {
  const seen = { connections: [] as number[], requests: [] as string[] };
  const server = createServer((request, response) => {
    seen.requests.push(`${request.method} ${request.url}`);
    response.writeHead(403, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Forbidden', message: 'recorded, not served', code: 403 }));
  });
  server.on('connection', () => seen.connections.push(Date.now()));
  return { server, ...seen };
}

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

// client-node takes plain HTTP only with TLS verification off; the recording server needs no certificate that way.
const kubeconfigFor = (server: string) => `apiVersion: v1
kind: Config
current-context: c
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
`;

const DURATION_HINT = 'use a duration such as 90s, 1m30s or 2h, or a number of seconds';
const CAN_I = ['--reporter', 'kube-system/cni-reporter', '--on-node', 'node-a'];

/** One case per item of the issue: the arguments, and the error's exact first line. */
const BAD_INPUTS: [string, string[], string][] = [
  ['a malformed --stale-after', ['status', '--stale-after=xyz'], `error: invalid --stale-after "xyz": ${DURATION_HINT}`],
  ['a --stale-after without digits', ['verify', '--stale-after', 'm'], `error: invalid --stale-after "m": ${DURATION_HINT}`],
  ['a negative --reconcile-grace', ['status', '--reconcile-grace=-1m'], `error: invalid --reconcile-grace "-1m": ${DURATION_HINT}`],
  ['a zero --reconcile-grace', ['status', '--reconcile-grace=0s'], 'error: invalid --reconcile-grace "0s": must be longer than 0s'],
  ['a day, which Go durations do not have', ['status', '--stale-after=1d'], `error: invalid --stale-after "1d": ${DURATION_HINT}`],
  ['a malformed --request-timeout', ['status', '--request-timeout=abc'], `error: invalid --request-timeout "abc": ${DURATION_HINT}`],
  ['a malformed -v', ['status', '-v', 'loud'], 'error: invalid -v "loud": use a level from 0 to 10'],
  [
    'a label selector that does not parse',
    ['status', '-l', '!!!'],
    `error: invalid --selector "!!!": unable to parse requirement: found '!', expected: identifier`,
  ],
  [
    'a set selector left open',
    ['status', '--selector', 'zone in (a'],
    `error: invalid --selector "zone in (a": unable to parse requirement: found '', expected: ',' or ')'`,
  ],
  [
    'a selector with a trailing comma',
    ['status', '-l', 'zone=a,'],
    `error: invalid --selector "zone=a,": found '', expected: identifier after ','`,
  ],
  [
    'an invalid label key in a selector',
    ['status', '-l', 'Example.com/gpu'],
    'error: invalid --selector "Example.com/gpu": unable to parse requirement: invalid label key "Example.com/gpu": prefix must be a DNS subdomain',
  ],
  [
    'an output format no command knows',
    ['status', '-o', 'xml'],
    `error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are wide, json, yaml, junit, sarif.`,
  ],
  [
    'an output format status does not print',
    ['status', '-o', 'junit'],
    'error: invalid --output "junit": this command prints wide, json, yaml',
  ],
  ['--watch with -o json', ['status', '-w', '-o', 'json'], 'error: --watch prints one line per change: it does not take -o json or yaml'],
  [
    'a node name no node can have',
    ['status', 'Node_A'],
    `error: invalid NODE "Node_A": a name is lowercase letters, digits, '-' and '.', at most 253 characters`,
  ],
  [
    'a rule name no rule can have',
    ['status', '--rule', 'GPU rule'],
    `error: invalid --rule "GPU rule": a name is lowercase letters, digits, '-' and '.', at most 253 characters`,
  ],
  [
    'a --kubernetes-version newer than any release this build knows',
    ['verify', '-f', 'rules.yaml', '--kubernetes-version', '1.38'],
    'error: --kubernetes-version 1.38: newer than the releases this build knows (1.35, 1.36, 1.37); upgrade kubectl-readiness',
  ],
  ['a --remediation that is not a bool', ['verify', '--remediation=no'], 'error: invalid --remediation "no": use true or false'],
  ['a --fail-on severity verify does not know', ['verify', '--fail-on', 'info'], 'error: --fail-on "info": use fail or warn'],
  [
    'a verify --reporter of no known shape',
    ['verify', '--reporter', 'cni-reporter'],
    'error: --reporter "cni-reporter": use NAMESPACE/SERVICEACCOUNT or daemonset/NAME',
  ],
  [
    'a can-i --reporter that is not a ServiceAccount',
    ['can-i', 'get', 'nodes/node-b', '--reporter', 'cni-reporter', '--on-node', 'node-a'],
    'error: --reporter "cni-reporter": use NAMESPACE/SERVICEACCOUNT',
  ],
  [
    'an --on-node no node can have',
    ['can-i', 'get', 'nodes/node-b', '--reporter', 'a/b', '--on-node', 'Node A'],
    `error: invalid --on-node "Node A": a name is lowercase letters, digits, '-' and '.', at most 253 characters`,
  ],
  [
    'a readiness question without its node',
    ['can-i', 'forge-conditions', ...CAN_I],
    'error: can-i forge-conditions needs the node: NODE or nodes/NODE',
  ],
  [
    'a readiness question about something other than a node',
    ['can-i', 'lift-taint', 'pods/node-b', ...CAN_I],
    `error: invalid NODE "pods/node-b": a name is lowercase letters, digits, '-' and '.', at most 253 characters`,
  ],
  ['a verb without a resource', ['can-i', 'update', ...CAN_I], 'error: can-i needs VERB and RESOURCE[/NAME], or --list'],
  [
    'a resource that is only a slash',
    ['can-i', 'get', '/node-b', ...CAN_I],
    'error: invalid RESOURCE "/node-b": use RESOURCE[/NAME], e.g. nodes/node-b',
  ],
  ['--list with a verb', ['can-i', '--list', 'get', ...CAN_I], 'error: --list takes no VERB or RESOURCE'],
  ['--list with --quiet', ['can-i', '--list', '-q', ...CAN_I], 'error: --list cannot be combined with --quiet or --subresource'],
];

describe('bad input is refused before the kubeconfig is read or any request is made', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
  const recording = recordingServer();
  let recorded = '';
  let unreachable = '';
  let unreachableServer = '';
  const savedKubeconfig = process.env['KUBECONFIG'];

  before(async () => {
    const port = await listen(recording.server);
    recorded = join(dir, 'recorded');
    writeFileSync(recorded, kubeconfigFor(`http://127.0.0.1:${port}`));
    // A port that was just free: nothing listens on it any more.
    const closed = createServer();
    const freePort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    unreachableServer = `https://127.0.0.1:${freePort}`;
    unreachable = join(dir, 'unreachable');
    writeFileSync(unreachable, kubeconfigFor(unreachableServer));
  });
  after(() => {
    recording.server.close();
    rmSync(dir, { recursive: true, force: true });
    if (savedKubeconfig === undefined) delete process.env['KUBECONFIG'];
    else process.env['KUBECONFIG'] = savedKubeconfig;
  });

  const ways: [string, () => void][] = [
    ['against the recording apiserver', () => (process.env['KUBECONFIG'] = recorded)],
    ['with no kubeconfig at all', () => (process.env['KUBECONFIG'] = join(dir, 'missing'))],
    ['against a server nobody listens on', () => (process.env['KUBECONFIG'] = unreachable)],
  ];
  for (const [name, args, firstLine] of BAD_INPUTS) {
    it(name, async () => {
      for (const [way, useKubeconfig] of ways) {
        useKubeconfig();
        const result = await run(args);
        assert.equal(result.firstLine, firstLine, `${way}: ${result.stderr}`);
        assert.equal(result.code, 2, way);
        assert.equal(result.stderr.trimEnd().split('\n').length, 1, `${way}: one line: ${result.stderr}`);
        assert.equal(result.stdout, '', way);
      }
      assert.deepEqual(recording.requests, [], 'no request reached the apiserver');
      assert.deepEqual(recording.connections, [], 'no connection was even opened');
    });
  }

  describe('good input does go to the cluster (the control)', () => {
    const reset = () => {
      recording.requests.length = 0;
      recording.connections.length = 0;
    };

    it('status with a set-based selector reaches the apiserver, selector intact', async () => {
      reset();
      process.env['KUBECONFIG'] = recorded;
      const result = await run(['status', '-l', 'zone in (a,b),!gpu', '--stale-after=1m30s', '--request-timeout=5']);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.firstLine, 'error: GET /api/v1/nodes: HTTP 403: recorded, not served');
      assert.ok(recording.connections.length > 0);
      const nodeList = recording.requests.find((request) => request.startsWith('GET /api/v1/nodes?'));
      assert.ok(nodeList, recording.requests.join('\n'));
      assert.equal(new URL(nodeList.slice(4), 'http://x').searchParams.get('labelSelector'), 'zone in (a,b),!gpu');
    });

    it('with no kubeconfig, a good command says so', async () => {
      process.env['KUBECONFIG'] = join(dir, 'missing');
      const result = await run(['status']);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, `error: kubeconfig ${join(dir, 'missing')} does not exist\n`);
    });

    it('against a server nobody listens on, a good command says it cannot reach it', async () => {
      process.env['KUBECONFIG'] = unreachable;
      const result = await run(['status', '--stale-after', '90']);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, `error: cannot reach ${unreachableServer}: connection refused\n`);
    });

    it("an unknown verb is answered as kubectl auth can-i answers it: kubectl's warning first, then the answer", async () => {
      reset();
      process.env['KUBECONFIG'] = recorded;
      const result = await run(['can-i', 'fly', 'nodes/node-b', ...CAN_I]);
      assert.equal(result.firstLine, "Warning: verb 'fly' is not a known verb");
      assert.ok(recording.requests.length > 0, 'the question still goes to the apiserver');
      process.env['KUBECONFIG'] = join(dir, 'missing');
      const offline = await run(['can-i', 'fly', 'nodes/node-b', ...CAN_I]);
      assert.equal(offline.stderr, `Warning: verb 'fly' is not a known verb\nerror: kubeconfig ${join(dir, 'missing')} does not exist\n`);
      assert.equal(offline.code, 2);
    });
  });
});

describe('help shows every duration default with its unit', () => {
  const commands: [string[], Record<string, string>][] = [
    [['--help'], { 'request-timeout': '0s' }],
    [['status', '--help'], { 'stale-after': '6m0s', 'reconcile-grace': '1m0s', 'request-timeout': '0s' }],
    [['verify', '--help'], { 'stale-after': '6m0s', 'request-timeout': '0s' }],
    [['can-i', '--help'], { 'request-timeout': '0s' }],
    [['version', '--help'], { 'request-timeout': '0s' }],
    [['completion', '--help'], { 'request-timeout': '0s' }],
  ];
  for (const [args, defaults] of commands) {
    it(args.join(' '), async () => {
      const result = await run(args);
      assert.equal(result.code, 0);
      const help = result.stdout.replace(/\s+/g, ' ');
      const shown = Object.fromEntries(
        [...help.matchAll(/--([\w-]+) <duration> [^(]*\(default: ([^)]+)\)/g)].map(([, flag, value]) => [flag, value]),
      );
      assert.deepEqual(shown, defaults);
      assert.equal(help.match(/<duration>/g)?.length, Object.keys(defaults).length, 'every duration flag shows its default');
      assert.match(help, /Durations take kubectl's forms, such as 90s, 1m30s, 2h or 500ms; a bare number is seconds\./);
    });
  }
});
