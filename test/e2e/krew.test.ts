// Distribution: the release build's single executables and krew manifest,
// installed by the real krew and run by the real kubectl against the real
// cluster, with the same answers as the unbundled CLI.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { kubectlBin, startCluster, type Cluster } from '../cluster/cluster.ts';
import { CAN_I_REWRITE_OTHER_NODE, loadScenario } from '../cluster/scenario.ts';
import { scratchDir } from '../scratch.ts';

const root = join(import.meta.dirname, '..', '..');
const release = join(root, 'dist', 'release');
const krewBin = join(import.meta.dirname, '..', 'krew', 'bin');
const cliPath = join(root, 'kubectl-plugin', 'src', 'cli.ts');
const version = 'v0.1.0';

/** The parts of a verify report that must not depend on how the CLI was packaged. */
function verdicts(json: string): unknown {
  const report = JSON.parse(json) as {
    reporters: { posture: string }[];
    findings: { id: string; severity: string; subject: string }[];
    passed: boolean;
  };
  return {
    postures: report.reporters.map((reporter) => reporter.posture),
    findings: report.findings.map((finding) => `${finding.severity} ${finding.id} ${finding.subject}`).sort(),
    passed: report.passed,
  };
}

describe('release build, krew install, kubectl readiness', () => {
  let cluster: Cluster;
  let krewRoot: string;
  let pluginPath: string;
  before(async () => {
    execFileSync(process.execPath, [join(root, 'release', 'build.ts')], { stdio: 'inherit', cwd: root });
    cluster = await startCluster();
    await loadScenario(cluster, 'broad');
    krewRoot = scratchDir('krew-root-');
    const bin = scratchDir('krew-bin-');
    execFileSync('cp', [join(krewBin, 'krew'), join(bin, 'kubectl-krew')]);
    pluginPath = `${join(krewRoot, 'bin')}:${bin}:${join(import.meta.dirname, '..', 'cluster', 'bin')}:${process.env['PATH']}`;
  });
  after(() => cluster?.stop());

  it('builds an archive per platform, each with the executable and LICENSE, matching SHA256SUMS', () => {
    const archives = readdirSync(release)
      .filter((name) => /\.(tar\.gz|zip)$/.test(name))
      .sort();
    assert.deepEqual(
      archives,
      ['darwin-amd64.tar.gz', 'linux-amd64.tar.gz', 'linux-arm64.tar.gz', 'windows-amd64.zip'].map(
        (suffix) => `kubectl-readiness-${version}-${suffix}`,
      ),
    );
    for (const archive of archives) {
      const listing = archive.endsWith('.zip')
        ? execFileSync('python3', ['-m', 'zipfile', '-l', join(release, archive)], { encoding: 'utf8' })
        : execFileSync('tar', ['-tzf', join(release, archive)], { encoding: 'utf8' });
      assert.match(listing, archive.endsWith('.zip') ? /kubectl-readiness\.exe/ : /^kubectl-readiness$/m);
      assert.match(listing, /LICENSE/);
    }
    const sums = readFileSync(join(release, 'SHA256SUMS'), 'utf8').trim().split('\n');
    assert.equal(sums.length, 5, 'four archives and the Headlamp plugin tarball');
    for (const line of sums) {
      const [digest, file] = line.split(/\s+/);
      assert.equal(
        createHash('sha256')
          .update(readFileSync(join(release, file!)))
          .digest('hex'),
        digest,
        file,
      );
    }
  });

  it('lists every asset to publish, and the Headlamp metadata points at a published tarball', () => {
    const upload = readFileSync(join(release, 'upload.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((path) => basename(path));
    const published = new Set(upload);
    for (const line of readFileSync(join(release, 'SHA256SUMS'), 'utf8').trim().split('\n'))
      assert.ok(published.has(basename(line.split(/\s+/)[1]!)), line);
    for (const file of ['readiness.yaml', 'artifacthub-pkg.yml', 'SHA256SUMS']) assert.ok(published.has(file), file);
    const metadata = parse(readFileSync(join(release, 'headlamp', 'artifacthub-pkg.yml'), 'utf8')) as {
      annotations: Record<string, string>;
    };
    const archiveUrl = metadata.annotations['headlamp/plugin/archive-url']!;
    assert.ok(published.has(basename(new URL(archiveUrl).pathname)), archiveUrl);
  });

  it("passes krew's own manifest validation, plain and in the custom-index layout", () => {
    for (const manifest of [join(release, 'readiness.yaml'), join(release, 'krew-index', 'plugins', 'readiness.yaml')]) {
      const result = spawnSync(join(krewBin, 'validate-krew-manifest'), ['-manifest', manifest, '-skip-install'], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, /no overlapping spec.platform\[\].selector/);
    }
  });

  it('installs with the real krew from the manifest and the linux-amd64 archive', () => {
    const result = spawnSync(
      kubectlBin,
      [
        'krew',
        'install',
        `--manifest=${join(release, 'readiness.yaml')}`,
        `--archive=${join(release, `kubectl-readiness-${version}-linux-amd64.tar.gz`)}`,
      ],
      { encoding: 'utf8', env: { ...process.env, KREW_ROOT: krewRoot, PATH: pluginPath } },
    );
    assert.equal(result.status, 0, result.stderr);
    const listed = spawnSync(kubectlBin, ['plugin', 'list'], { encoding: 'utf8', env: { ...process.env, PATH: pluginPath } });
    assert.match(listed.stdout, new RegExp(`${krewRoot}/bin/kubectl-readiness`));
    const help = spawnSync(kubectlBin, ['readiness', '--help'], { encoding: 'utf8', env: { ...process.env, PATH: pluginPath } });
    assert.match(help.stdout, /^Usage: kubectl readiness /);
  });

  it('kubectl readiness verify from the krew-installed executable matches the unbundled CLI', () => {
    const env = { ...process.env, PATH: pluginPath, KUBECONFIG: cluster.kubeconfig };
    const installed = spawnSync(kubectlBin, ['readiness', 'verify', '-o', 'json'], { encoding: 'utf8', env });
    const unbundled = spawnSync(process.execPath, [cliPath, 'verify', '-o', 'json'], { encoding: 'utf8', env });
    assert.equal(installed.status, 1, installed.stderr);
    assert.equal(unbundled.status, 1, unbundled.stderr);
    assert.deepEqual(verdicts(installed.stdout), verdicts(unbundled.stdout));
    assert.ok((verdicts(installed.stdout) as { postures: string[] }).postures.includes('broad'));
  });

  it('runs with an exec-credential kubeconfig and a custom CA file', async () => {
    await cluster.kubectlOk(['-n', 'default', 'create', 'serviceaccount', 'auditor']);
    await cluster.kubectlOk(['create', 'clusterrolebinding', 'auditor', '--clusterrole=cluster-admin', '--serviceaccount=default:auditor']);
    const token = (await cluster.kubectlOk(['-n', 'default', 'create', 'token', 'auditor'])).trim();
    const dir = scratchDir('exec-auth-');
    const plugin = join(dir, 'credential-plugin');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}"}}'\n`,
      { mode: 0o755 },
    );
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
current-context: exec
clusters:
- name: local
  cluster: {server: ${cluster.server}, certificate-authority: ${cluster.caFile}}
users:
- name: exec
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ${plugin}, interactiveMode: Never}
contexts:
- name: exec
  context: {cluster: local, user: exec}
`,
    );
    const result = spawnSync(kubectlBin, ['readiness', ...CAN_I_REWRITE_OTHER_NODE, '--direct', '--kubeconfig', kubeconfig], {
      encoding: 'utf8',
      env: { ...process.env, PATH: pluginPath },
    });
    assert.deepEqual([result.status, result.stdout], [0, 'yes\n'], result.stderr);
    assert.ok(!result.stdout.includes(token) && !result.stderr.includes(token));
  });

  it('npm pack installs into a prefix and runs against the cluster', () => {
    const dir = scratchDir('npm-pack-');
    const packed = spawnSync('npm', ['pack', '-w', 'kubectl-readiness', '--pack-destination', dir, '--silent'], {
      encoding: 'utf8',
      cwd: root,
    });
    assert.equal(packed.status, 0, packed.stderr);
    const tarball = join(dir, packed.stdout.trim().split('\n').pop()!);
    assert.deepEqual(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort(), [
      'package/LICENSE',
      'package/dist/kubectl-readiness.cjs',
      'package/package.json',
    ]);
    const installed = spawnSync('npm', ['install', '-g', '--prefix', join(dir, 'prefix'), tarball], { encoding: 'utf8' });
    assert.equal(installed.status, 0, installed.stderr);
    // The bin's "#!/usr/bin/env node" must find a Node that meets its engines (>= 22.19), as a user's PATH would.
    const path = `${dirname(process.execPath)}:${process.env['PATH']}`;
    const result = spawnSync(join(dir, 'prefix', 'bin', 'kubectl-readiness'), ['status', '-o', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: path, KUBECONFIG: cluster.kubeconfig },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { kind: string }).kind, 'StatusReport');
  });
});
