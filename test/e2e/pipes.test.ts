// `kubectl readiness ... | head`: when the reader of stdout goes away, every
// command and output format ends at once and quietly, as kubectl does (the Go
// runtime ends it with SIGPIPE, which a shell reports as 141).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { loadScenario } from '../cluster/scenario.ts';
import { cliPath } from './cli-runner.ts';

const EXIT_CLOSED_PIPE = 141;
const REPORTER = ['--reporter', 'kube-system/cni-reporter', '--on-node', 'node-a'];

const commands: [string, string[]][] = [
  ['--help', ['--help']],
  ['can-i --help', ['can-i', '--help']],
  ['version', ['version']],
  ['completion', ['completion']],
  ['status', ['status']],
  ['status -o wide', ['status', '-o', 'wide']],
  ['status -o json', ['status', '-o', 'json']],
  ['status -o yaml', ['status', '-o', 'yaml']],
  ['status NODE', ['status', 'node-a']],
  ['verify', ['verify']],
  ['verify -o json', ['verify', '-o', 'json']],
  ['verify -o junit', ['verify', '-o', 'junit']],
  ['can-i', ['can-i', 'update', 'nodes/node-a', '--subresource=status', ...REPORTER]],
  ['can-i -o wide', ['can-i', 'update', 'nodes/node-a', '--subresource=status', ...REPORTER, '-o', 'wide']],
  ['can-i --list', ['can-i', '--list', ...REPORTER]],
];

/** Runs the CLI with its stdout's reader already gone, as `| head -0` would leave it. */
function withClosedStdout(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env } });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

describe('a closed stdout ends every command quietly', () => {
  let cluster: Cluster;
  let env: Record<string, string>;
  before(async () => {
    cluster = await startCluster();
    await loadScenario(cluster, 'hardened');
    env = { KUBECONFIG: cluster.kubeconfig };
  });
  after(() => cluster?.stop());

  for (const [name, args] of commands) {
    it(name, async () => {
      const result = await withClosedStdout(args, env);
      // A command's own notes (can-i's explanation) may still reach stderr; an error about the pipe may not.
      assert.doesNotMatch(result.stderr, /EPIPE|error|\n\s+at /i, result.stderr);
      assert.equal(result.code, EXIT_CLOSED_PIPE, `exit ${result.code} (signal ${result.signal})`);
    });
  }

  it('in a shell pipeline, `| head -1` prints the first line and nothing else', () => {
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${cliPath}" can-i --help | head -1`], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    assert.equal(result.stdout, 'Usage: kubectl-readiness can-i [options] [VERB] [RESOURCE]\n');
    assert.equal(result.stderr, '');
  });
});
