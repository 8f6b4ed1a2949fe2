// Offline verify's cases and their live twins: the same manifests judged from
// files and then applied to a real cluster, compared verdict for verdict.
// The default suite's offline test and the release matrix share them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { clusterDir, type Cluster } from '../cluster/cluster.ts';
import { reporterManifests, upstreamDir, type Variant } from '../cluster/scenario.ts';
import { cli } from './cli-runner.ts';
import { scratchDir } from '../scratch.ts';
import { NEWEST_VERSION } from '../cluster/releases.ts';

const helmBin = join(clusterDir, 'bin', 'helm');
export const chartDir = join(upstreamDir, 'charts', 'node-readiness-controller');
export const work = scratchDir('offline-verify-');

export interface Report {
  source: string;
  reporters: {
    serviceAccount: { namespace: string; name: string };
    posture: string;
    threats: { capability: string; reachable: boolean }[] | null;
  }[];
  findings: { id: string; severity: string; subject: string; title: string }[];
}

/**
 * Findings that depend on the cluster, not the manifests: node coverage, that offline answers come from RBAC, and
 * whether NRC has observed a rule or its controller is available (a manifest carries no generation and no status;
 * this cluster runs no NRC).
 */
const CLUSTER_ONLY = new Set(['condition-coverage', 'answers-from-rbac', 'rule-not-observed', 'controller-unavailable']);

export function verdicts(report: Report) {
  return {
    reporters: report.reporters.map(({ serviceAccount, posture, threats }) => ({
      serviceAccount,
      posture,
      threats: threats?.map(({ capability, reachable }) => `${capability}: ${reachable}`) ?? null,
    })),
    findings: report.findings
      .filter((finding) => !CLUSTER_ONLY.has(finding.id))
      .map(({ severity, id, subject, title }) => `${severity} ${id} ${subject}: ${title}`)
      .sort(),
  };
}

const verifyJson = (args: string[]): Report => {
  const result = cli(['verify', '-o', 'json', ...args]);
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  return JSON.parse(result.stdout) as Report;
};

/** Objects the local apiserver serves; a chart's cert-manager or monitoring objects would need their CRDs. */
const SERVED_GROUPS =
  /^(v1|apps\/v1|rbac\.authorization\.k8s\.io\/v1|admissionregistration\.k8s\.io\/v1|readiness\.node\.x-k8s\.io\/v1alpha1)$/;

function servedOnly(yaml: string): string {
  return parseAllDocuments(yaml, { version: '1.1' })
    .map((document) => document.toJSON() as { apiVersion?: string } | null)
    .filter((object) => object !== null && SERVED_GROUPS.test(object.apiVersion ?? ''))
    .map((object) => stringify(object))
    .join('---\n');
}

export function renderChart(): string {
  return execFileSync(helmBin, ['template', 'nrc', chartDir, '--namespace', 'nrc-system', '--kube-version', NEWEST_VERSION], {
    encoding: 'utf8',
  });
}

export interface Case {
  name: string;
  /** The file offline verify reads, and the objects applied for the live run. */
  file: string;
  apply: string;
  namespace?: string;
}

export const caseFile = (name: string, yaml: string): string => {
  const file = join(work, `${name.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
  writeFileSync(file, yaml);
  return file;
};

export const exampleCases = (): Case[] =>
  ['cni-readiness', 'constrained-impersonation', 'problem-gate-readiness', 'security-agent-readiness'].map((example) => {
    const yaml = readExampleTree(join(upstreamDir, 'examples', example));
    return { name: `upstream example ${example}`, file: caseFile(example, yaml), apply: yaml };
  });

/** An example directory's manifests, subdirectories included, as one multi-document file. */
function readExampleTree(dir: string): string {
  return (
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      // A dry-run variant is the same rule again, an alternative to apply instead of the other.
      .filter((entry) => entry.endsWith('.yaml') && !entry.includes('dryrun'))
      .sort()
      .map((entry) => readFileSync(join(dir, entry), 'utf8'))
      .join('\n---\n')
  );
}

export const scenarioCase = (variant: Variant): Case => {
  const yaml = reporterManifests(variant)
    .map((manifest) => stringify(manifest))
    .join('---\n');
  return { name: `scenario ${variant}`, file: caseFile(`scenario-${variant}`, yaml), apply: yaml };
};

/** The namespaces objects name, created first as an installer would. */
function namespacesOf(yaml: string): string {
  const names = new Set(
    parseAllDocuments(yaml, { version: '1.1' })
      .map((document) => (document.toJSON() as { metadata?: { namespace?: string } } | null)?.metadata?.namespace)
      .filter((name): name is string => typeof name === 'string'),
  );
  return [...names].map((name) => stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })).join('---\n');
}

export async function liveAndOffline(cluster: Cluster, testCase: Case, offlineFlags: string[] = []) {
  const offline = verifyJson(['-f', testCase.file, ...offlineFlags]);
  assert.equal(offline.source, 'manifests');
  const objects = servedOnly(testCase.apply);
  try {
    if (namespacesOf(objects)) await cluster.kubectlOk(['apply', '-f', '-'], namespacesOf(objects));
    await cluster.kubectlOk(['apply', '-f', '-'], objects);
    const live = verifyJson(['--kubeconfig', cluster.kubeconfig]);
    assert.equal(live.source, 'reviews');
    return { offline: verdicts(offline), live: verdicts(live) };
  } finally {
    await cluster.kubectlOk(['delete', '--ignore-not-found', '-f', '-'], objects);
  }
}
