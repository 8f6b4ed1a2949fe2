// The README's main command, run as a user would, to its end: the cluster's
// show, which parts and which Headlamp ran, and how to load the plugin into
// one's own Headlamp.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

describe('npm run demo', () => {
  it('builds, starts the cluster, shows every node going from held to ready, and cleans up', () => {
    const demo = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'demo.ts'), '--once'], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    assert.equal(demo.status, 0, demo.stderr);
    const lines = demo.stdout.split('\n');
    assert.ok(lines.some((line) => /node-b\s+tainted\s+held by network-readiness-rule/.test(line)));
    for (const node of ['node-a', 'node-b', 'node-c']) {
      assert.ok(
        lines.some((line) => new RegExp(`${node}\\s+schedulable\\s+ready`).test(line)),
        `${node} never became ready:\n${demo.stdout}`,
      );
    }
    assert.match(demo.stdout, /\$ kubectl auth can-i get nodes --as=system:serviceaccount:kube-system:cni-reporter\nno/);
    assert.match(demo.stdout, /\$ kubectl readiness verify\n[\s\S]*Reporters: kube-system\/cni-reporter: Constrained\./);
    assert.match(demo.stdout, /PASS\s+constrained-impersonation-gate/);
    assert.match(demo.stdout, /--on-node node-a\nno\n/);
    assert.match(demo.stdout, /Open Headlamp with the plugin in a browser:\n {2}http:\/\/127\.0\.0\.1:\d+\/c\/localcluster\/nodes/);
    assert.match(demo.stdout, /^demo: controller: .+; reporter: .+$/m);
    assert.match(demo.stdout, /^demo: Headlamp: .+$/m);
    assert.match(
      demo.stdout,
      /cp \S+\/headlamp-readiness\/\{main\.js,package\.json\} ~\/\.config\/Headlamp\/plugins\/headlamp-readiness\//,
    );
    assert.match(demo.stdout, /headlamp-server -plugins-dir \S+ -kubeconfig \S+/);
    assert.match(demo.stdout, /demo: stopping the cluster and removing its state/);
  });
});
