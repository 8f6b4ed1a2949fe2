// Offline verify: manifests in, the same verdicts out as the real cluster
// gives once those manifests are applied. Every upstream example, every
// scenario the suites use and NRC's Helm chart rendered by real Helm, each
// judged from files and then live; plus SARIF checked against the official
// 2.1.0 schema, baselines and thresholds, and malformed input.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ajvDraft04 from 'ajv-draft-04';
import { builtinRbacFile, readBuiltinRbac } from '../cluster/builtin-rbac.ts';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { VARIANTS, featureGatesFor, upstreamDir } from '../cluster/scenario.ts';
import { assertFailure, cli } from './cli-runner.ts';
import {
  caseFile,
  chartDir,
  exampleCases,
  liveAndOffline,
  renderChart,
  scenarioCase,
  work,
  type Case,
  type Report,
} from './offline-cases.ts';

let agreements = 0;
let compared = 0;

describe('offline verify agrees with the real cluster', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
    await cluster.kubectlOk(['apply', '-f', join(upstreamDir, 'config', 'crd', 'bases')]);
  });
  after(() => cluster?.stop());

  it("the built-in RBAC offline verify adds is this cluster's, role for role", async () => {
    assert.deepEqual(await readBuiltinRbac(cluster), JSON.parse(readFileSync(builtinRbacFile(cluster.release), 'utf8')));
  });

  const cases = (): Case[] => [
    ...exampleCases(),
    ...VARIANTS.filter((variant) => variant !== 'gate-off').map(scenarioCase),
    { name: "NRC's Helm chart, rendered by Helm", file: caseFile('chart', renderChart()), apply: renderChart() },
  ];
  for (const testCase of cases())
    it(testCase.name, async () => {
      const { offline, live } = await liveAndOffline(cluster, testCase);
      compared += 1;
      assert.deepEqual(offline, live);
      agreements += 1;
    });
});

describe('offline verify agrees with a cluster whose ConstrainedImpersonation gate is off', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ featureGates: featureGatesFor('gate-off') });
    await cluster.kubectlOk(['apply', '-f', join(upstreamDir, 'config', 'crd', 'bases')]);
  });
  after(() => cluster?.stop());

  it('scenario gate-off, with --feature-gates ConstrainedImpersonation=false', async () => {
    const { offline, live } = await liveAndOffline(cluster, scenarioCase('gate-off'), [
      '--feature-gates',
      'ConstrainedImpersonation=false',
    ]);
    compared += 1;
    assert.deepEqual(offline, live);
    agreements += 1;
  });
});

after(() => console.log(`offline versus live verify: ${agreements}/${compared} agree`));

describe('SARIF, baselines and thresholds', () => {
  const broad = () => scenarioCase('broad').file;
  const hardened = () => scenarioCase('hardened').file;

  it('-o sarif validates against the official SARIF 2.1.0 schema and points at the binding behind each finding', () => {
    const schemaPath = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
    const validate = new ajvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false }).compile(
      JSON.parse(readFileSync(schemaPath, 'utf8')),
    );
    const file = broad();
    const result = cli(['verify', '-f', file, '-o', 'sarif']);
    assert.equal(result.code, 1, result.stderr);
    const log = JSON.parse(result.stdout) as {
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    assert.ok(validate(log), JSON.stringify(validate.errors));
    const [run] = log.runs;
    const direct = run!.results.find((entry) => entry.ruleId === 'direct-node-write')!;
    assert.equal(direct.level, 'error');
    const { artifactLocation, region } = direct.locations[0]!.physicalLocation;
    assert.equal(artifactLocation.uri, file);
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.match(lines.slice(region.startLine - 1, region.startLine + 1).join('\n'), /kind: ClusterRoleBinding|apiVersion: rbac/);
    assert.deepEqual(run!.tool.driver.rules.map((rule) => rule.id).sort(), [...new Set(run!.results.map((entry) => entry.ruleId))].sort());
  });

  it('--baseline reports only what is new or worse, and --fail-on sets what fails', () => {
    const baseline = join(work, 'baseline.json');
    writeFileSync(baseline, cli(['verify', '-f', hardened(), '-o', 'json']).stdout);
    const same = cli(['verify', '-f', hardened(), '--baseline', baseline, '-o', 'json']);
    assert.equal(same.code, 0, same.stderr);
    assert.deepEqual((JSON.parse(same.stdout) as Report).findings, []);
    const worse = cli(['verify', '-f', broad(), '--baseline', baseline, '-o', 'json']);
    assert.equal(worse.code, 1);
    assert.ok((JSON.parse(worse.stdout) as Report).findings.some((finding) => finding.id === 'direct-node-write'));
    assert.match(worse.stderr, /finding\(s\) unchanged, better or passing/);
    // The hardened example has only info and pass findings: warn does not trip on it, and broad's warnings do.
    assert.equal(cli(['verify', '-f', hardened(), '--fail-on', 'warn']).code, 0);
    const noImpersonate = cli(['verify', '-f', scenarioCase('no-impersonate-env').file, '--fail-on', 'warn', '--exit-zero']);
    assert.equal(noImpersonate.code, 0);
  });

  it('malformed input, unrendered templates, unknown kinds and bad flags: one line, exit 2', () => {
    const badYaml = caseFile('bad-yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x\n');
    const template = join(chartDir, 'templates', 'rbac.yaml');
    const typo = caseFile('typo', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBindng\nmetadata: {name: x}\n');
    const cases: [string[], RegExp][] = [
      [['-f', badYaml], /bad-yaml\.yaml:4: invalid YAML/],
      [['-f', template], /rbac\.yaml:1: an unrendered template/],
      [['-f', typo], /typo\.yaml:2: unknown kind "ClusterRoleBindng"|typo\.yaml:1: unknown kind "ClusterRoleBindng"/],
      [['-f', join(work, 'missing.yaml')], /cannot read .*missing\.yaml: no such file/],
      [['-f', badYaml, '--fail-on', 'error'], /--fail-on "error"/],
      [['-f', badYaml, '--baseline', badYaml], /--baseline .*: not JSON/],
    ];
    for (const [args, message] of cases) assertFailure(cli(['verify', ...args]), message);
  });
});
