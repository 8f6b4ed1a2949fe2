// The Headlamp plugin in Headlamp's own frontend, in headless Chromium, against
// the real kube-apiserver: by default the frontend @kinvolk/headlamp-plugin
// ships in lib/, on our loopback host; with READINESS_HEADLAMP a full Headlamp.
// Columns, badges, sidebar, every route and the node section, for the hardened
// and the broad scenario; live updates; untrusted messages as text; the
// degraded cases; the package's install; and a session that only reads and
// creates reviews, as the apiserver's audit log records its ServiceAccount.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { parse } from 'yaml';
import { buildPlugin, packageHeadlampPlugin, type HeadlampRelease } from '../../headlamp-plugin/release/package.ts';
import { auditedRequestsOf, writesAmong, type AuditEvent } from '../cluster/audit.ts';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { installCRD, loadScenario, startController, workerNode, type Variant } from '../cluster/scenario.ts';
import { startReporters, type Reporters } from '../cluster/reporters.ts';
import { developmentPluginsDir, launchBrowser, openPage, type WatchedPage } from '../headlamp/browser.ts';
import { HEADLAMP_CLUSTER, headlampLine, startHeadlamp, type Headlamp } from '../headlamp/headlamp.ts';
import { scratchDir } from '../scratch.ts';

export const screenshotsDir = join(import.meta.dirname, 'results', 'screenshots');
const cliPath = join(import.meta.dirname, '..', '..', 'kubectl-plugin', 'src', 'cli.ts');
const HOSTILE_MESSAGE = '<img src=x onerror="window.__injected=1"><script>window.__injected=2</script>calico down';
const RULE = 'network-readiness-rule';
/** The Readiness cell of a node one rule holds; its tooltip names the rule. */
const HELD = 'Held 1/1';
const WAIT = { timeout: 30_000 };

const CLUSTER = `/c/${HEADLAMP_CLUSTER}`;

/** Reads and review creates are all a Headlamp session may send, as the apiserver's audit log records its identity's requests. */
function assertReadOnly(headlamp: Headlamp, cluster: Cluster): AuditEvent[] {
  const audited = auditedRequestsOf(cluster, headlamp.username);
  assert.ok(audited.length > 10, `only ${audited.length} requests from Headlamp were audited`);
  assert.deepEqual(writesAmong(audited), []);
  return audited;
}

/**
 * Problems the same pages show with no plugin loaded are Headlamp's own, not
 * ours. Anything beyond that baseline fails.
 */
async function headlampBaseline(cluster: Cluster, paths: string[]): Promise<Set<string>> {
  const bare = await startHeadlamp(cluster, scratchDir('no-plugins-'));
  const watched = await openPage(browser, bare.url);
  for (const path of paths) {
    await watched.page.goto(`${bare.url}${path}`);
    await watched.page.waitForTimeout(3000);
  }
  await watched.page.context().close();
  await bare.stop();
  return new Set(watched.problems);
}

function assertClean(watched: WatchedPage, baseline = new Set<string>()): void {
  assert.deepEqual(
    watched.problems.filter((problem) => !baseline.has(problem)),
    [],
  );
  assert.deepEqual(watched.external, []);
  assert.ok(!watched.iconLookups.includes('check-network'), 'the plugin bundles its sidebar icon');
}

function nodeRow(page: Page, node: string) {
  return page.locator('tr', { has: page.getByRole('link', { name: node, exact: true }) });
}

/** Headlamp scrolls its main area, not the page: a section below the fold is shot by itself. */
async function shoot(page: Page, name: string, part?: Locator): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  const path = join(screenshotsDir, `${name}.png`);
  await (part ? part.screenshot({ path }) : page.screenshot({ path }));
}

function verifyFindings(cluster: Cluster): { id: string; title: string }[] {
  const result = spawnSync(process.execPath, [cliPath, 'verify', '-o', 'json', `--kubeconfig=${cluster.kubeconfig}`], { encoding: 'utf8' });
  const report = JSON.parse(result.stdout) as { findings: { id: string; title: string }[] };
  return report.findings.map(({ id, title }) => ({ id, title }));
}

/** verify's text output, whose Release: line the Security view must show too. */
function verifyText(cluster: Cluster): string {
  return spawnSync(process.execPath, [cliPath, 'verify', `--kubeconfig=${cluster.kubeconfig}`], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  }).stdout;
}

/** Headlamp's tables (lib 0.14's and 0.45's) show this many rows, then paginate. */
const FIRST_PAGE = 15;

/** Every row of the Security view's findings, page by page: Headlamp paginates its tables. */
async function findingRows(page: Page): Promise<string[][]> {
  const table = page.locator('table', { has: page.getByText('Evidence', { exact: true }) });
  const next = table
    .locator('xpath=ancestor::*[.//button[@aria-label="next page"]][1]')
    .getByRole('button', { name: 'next page', exact: true });
  const rows: string[][] = [];
  for (;;) {
    const shown = await table
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
    rows.push(...shown);
    if ((await next.count()) === 0 || (await next.isDisabled())) return rows;
    const first = shown[0]!.join('|');
    await next.click();
    await page.waitForFunction(`(() => {
      const table = [...document.querySelectorAll('table')].find((candidate) => candidate.textContent.includes('Evidence'));
      const cells = [...(table?.querySelector('tbody tr')?.querySelectorAll('td') ?? [])].map((td) => td.textContent.trim());
      return cells.join('|') !== ${JSON.stringify(first)};
    })()`);
  }
}

let browser: Browser;
let mainJs: string;

before(async () => {
  console.log(headlampLine());
  mainJs = buildPlugin(scratchDir('headlamp-build-'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const EXPECTED: Record<'hardened' | 'broad', { posture: string; failing: boolean }> = {
  hardened: { posture: 'Constrained', failing: false },
  broad: { posture: 'Broad RBAC', failing: true },
};

for (const variant of ['hardened', 'broad'] as const satisfies Variant[]) {
  describe(`Headlamp plugin, ${variant} reporters`, () => {
    let cluster: Cluster;
    let reporters: Reporters;
    let headlamp: Headlamp;
    let watched: WatchedPage;
    let baseline: Set<string>;

    before(async () => {
      cluster = await startCluster();
      const scenario = await loadScenario(cluster, variant);
      reporters = await startReporters(cluster, scenario, { 'node-a': true, 'node-b': false, 'node-c': true });
      reporters.report('node-b', false, HOSTILE_MESSAGE);
      await startController(cluster);
      baseline = await headlampBaseline(cluster, [`${CLUSTER}/nodes`, `${CLUSTER}/nodes/node-b`]);
      headlamp = await startHeadlamp(cluster, developmentPluginsDir(mainJs));
      watched = await openPage(browser, headlamp.url);
    });

    after(async () => {
      await watched?.page.context().close();
      await headlamp?.stop();
      await cluster?.stop();
    });

    it('adds Readiness and Reporter security columns to the real Nodes table, right after Ready', async () => {
      const { page } = watched;
      await page.goto(`${headlamp.url}${CLUSTER}/nodes`);
      await nodeRow(page, 'node-b').getByText(HELD, { exact: true }).waitFor(WAIT);
      assert.equal(await nodeRow(page, 'node-b').locator('[data-readiness]').getAttribute('data-readiness'), `held by ${RULE}`);
      await nodeRow(page, 'node-a').getByText('Ready', { exact: true }).waitFor(WAIT);
      for (const node of ['node-a', 'node-b', 'node-c'])
        await nodeRow(page, node).getByText(EXPECTED[variant].posture, { exact: true }).waitFor(WAIT);
      const headers = await page.locator('thead th').allInnerTexts();
      const names = headers.map((header) => header.trim());
      const readiness = names.findIndex((name) => name.startsWith('Readiness'));
      assert.ok(readiness > 0, `headers: ${names.join(' | ')}`);
      assert.ok(names[readiness + 1]!.startsWith('Reporter security'));
      assert.ok(names[readiness - 1]!.startsWith('Ready'));
      assert.equal(names.filter((name) => name.startsWith('Readiness')).length, 1);
      await shoot(page, `${variant}-nodes`);
    });

    it('shows the failing condition in the tooltip of a held node', async () => {
      const { page } = watched;
      await nodeRow(page, 'node-b').getByText(HELD, { exact: true }).hover();
      await page.getByRole('tooltip').getByText('failing: projectcalico.org/CalicoReady=False').waitFor(WAIT);
    });

    it('adds "Node Readiness" to the sidebar, with Rules and Security', async () => {
      const { page } = watched;
      await page
        .getByRole('button', { name: 'Node Readiness' })
        .or(page.getByText('Node Readiness', { exact: true }))
        .first()
        .click();
      await page.waitForURL(/\/node-readiness\/rules$/, WAIT);
      await page.getByText('Rules', { exact: true }).first().waitFor(WAIT);
      await page.getByText('Security', { exact: true }).first().waitFor(WAIT);
    });

    it('lists the rule with its mode, taint and live counts', async () => {
      const { page } = watched;
      const row = page.locator('tr', { has: page.getByRole('link', { name: RULE }) });
      await row.waitFor(WAIT);
      const cells = (await row.locator('td').allInnerTexts()).map((cell) => cell.trim());
      assert.deepEqual(cells.slice(0, 8), [
        RULE,
        'continuous',
        'readiness.k8s.io/NetworkReady:NoSchedule',
        'no',
        'allOf: projectcalico.org/CalicoReady=True',
        '3',
        '1',
        '0',
      ]);
      await shoot(page, `${variant}-rules`);
    });

    it('shows the rule detail: spec, live per-node verdicts, controller status and a what-if', async () => {
      const { page } = watched;
      await page.getByRole('link', { name: RULE }).click();
      await page.getByText('Per-node evaluation (live)').waitFor(WAIT);
      const nodeB = page.locator('tr', { has: page.getByText('node-b', { exact: true }) }).first();
      await nodeB.getByText('held', { exact: true }).waitFor(WAIT);
      await page.getByText('Controller status').waitFor(WAIT);
      await page.getByText('Selects 3 node(s); would hold 1.').waitFor(WAIT);
      const yaml = page.getByRole('textbox', { name: 'Rule YAML' });
      await yaml.fill((await yaml.inputValue()).replace(/requiredStatus: "?True"?/, 'requiredStatus: "False"'));
      await page.getByText('Selects 3 node(s); would hold 2.').waitFor(WAIT);
      await yaml.fill('kind: Pod\n');
      await page.getByRole('alert').getByText('Cannot evaluate: expected kind NodeReadinessRule, found "Pod"').waitFor(WAIT);
      await shoot(page, `${variant}-rule-detail`);
    });

    it('shows the security view with the same findings as kubectl readiness verify', async () => {
      const { page } = watched;
      await page.goto(`${headlamp.url}${CLUSTER}/node-readiness/security`);
      await page.getByText('SubjectAccessReviews answered by the apiserver').waitFor(WAIT);
      // The release facts verify names: the same line, from the same core.
      const releaseLine = verifyText(cluster).match(/^Release: (.*)\.$/m)?.[1] ?? '';
      assert.ok(releaseLine.includes('ConstrainedImpersonation'), 'verify names its release facts');
      await page.getByText(releaseLine, { exact: true }).waitFor(WAIT);
      await page
        .locator('tr', { hasText: 'kube-system/cni-reporter' })
        .getByText(EXPECTED[variant].posture, { exact: true })
        .first()
        .waitFor(WAIT);
      const expected = verifyFindings(cluster);
      const rows = await findingRows(page);
      assert.deepEqual(
        rows.map((cells) => ({ id: cells[1], title: cells[3] })),
        expected,
      );
      // The threat matrix: broad RBAC lets one node rewrite another's conditions; hardened reaches only its own.
      const forge = page.locator('[data-threat="forge-other-node-conditions"]').first();
      await forge.waitFor(WAIT);
      assert.equal((await forge.textContent())?.trim(), variant === 'broad' ? 'yes' : 'no');
      assert.equal((await page.locator('[data-threat="rewrite-own-conditions"]').first().textContent())?.trim(), 'yes');
      const remediation = page.getByText('Remediation for kube-system/cni-reporter');
      if (EXPECTED[variant].failing) {
        await remediation.waitFor(WAIT);
        await page.getByRole('button', { name: 'Copy' }).waitFor(WAIT);
      } else assert.equal(await remediation.count(), 0);
      await shoot(page, `${variant}-security`);
    });

    it('shows the node section; a hostile condition message stays text', async () => {
      const { page } = watched;
      await page.goto(`${headlamp.url}${CLUSTER}/nodes/node-b`);
      const section = page.getByTestId('readiness-node-section');
      await section.getByText('held by network-readiness-rule (readiness taints keep pods off)').waitFor(WAIT);
      await section.getByText(HOSTILE_MESSAGE).first().waitFor(WAIT);
      await section.getByText('readiness.k8s.io/NetworkReady:NoSchedule: present, expected').waitFor(WAIT);
      await section.locator('tr', { hasText: 'DaemonSet kube-system/cni-reporter' }).getByText(EXPECTED[variant].posture).waitFor(WAIT);
      assert.equal(await page.evaluate(() => (globalThis as { __injected?: number }).__injected), undefined);
      assert.equal(await section.locator('img, script').count(), 0);
      await shoot(page, `${variant}-node-section`, section);
    });

    it('follows the cluster live, without a reload: condition flips update the section and the table', async () => {
      const { page } = watched;
      reporters.report('node-b', true);
      const section = page.getByTestId('readiness-node-section');
      await section.getByText('ready (schedulable)').waitFor(WAIT);
      await section.getByText('TaintRemoved').waitFor(WAIT);
      await page.getByRole('button', { name: 'Nodes', exact: true }).click();
      await nodeRow(page, 'node-b').getByText('Ready', { exact: true }).waitFor(WAIT);
      reporters.report('node-b', false, 'calico-node crashed');
      await nodeRow(page, 'node-b').getByText(HELD, { exact: true }).waitFor(WAIT);
    });

    it('loaded without console errors or external requests, and only read and created reviews', () => {
      assertClean(watched, baseline);
      const audited = assertReadOnly(headlamp, cluster);
      assert.ok(audited.some((event) => event.verb === 'create' && event.objectRef?.resource === 'subjectaccessreviews'));
      assert.ok(audited.some((event) => event.verb === 'watch' && event.objectRef?.resource === 'nodes'));
    });
  });
}

describe('Headlamp plugin, degraded', () => {
  let cluster: Cluster;
  let headlamp: Headlamp;
  /** The same Headlamp app, signed in as a ServiceAccount that may only read nodes and workloads. */
  let viewer: Headlamp;
  let baseline: Set<string>;

  before(async () => {
    cluster = await startCluster();
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(workerNode('node-a')));
    baseline = await headlampBaseline(cluster, [`${CLUSTER}/nodes`, `${CLUSTER}/nodes/node-a`]);
    await cluster.kubectlOk([
      'create',
      'clusterrole',
      'node-viewer',
      '--verb=get,list,watch',
      '--resource=nodes,events,daemonsets,deployments',
    ]);
    const pluginsDir = developmentPluginsDir(mainJs);
    headlamp = await startHeadlamp(cluster, pluginsDir);
    viewer = await startHeadlamp(cluster, pluginsDir, { serviceAccount: 'viewer', clusterRole: 'node-viewer' });
  });

  after(async () => {
    await viewer?.stop();
    await headlamp?.stop();
    await cluster?.stop();
  });

  /** A viewer's denied reads are answers the views explain; anything else going wrong, or any write, fails. */
  async function closeAsViewer(watched: WatchedPage): Promise<void> {
    assert.deepEqual(
      watched.problems.filter((problem) => !/403|Forbidden|WebSocket error/i.test(problem)),
      [],
    );
    assertReadOnly(viewer, cluster);
    await watched.page.context().close();
  }

  it('explains a missing NRC CRD, with a link to NRC, on every view', async () => {
    const watched = await openPage(browser, headlamp.url);
    const { page } = watched;
    await page.goto(`${headlamp.url}${CLUSTER}/node-readiness/rules`);
    await page.getByText(/The Node Readiness Controller is not installed/).waitFor(WAIT);
    await page.getByRole('link', { name: 'https://github.com/kubernetes-sigs/node-readiness-controller' }).waitFor(WAIT);
    await page.goto(`${headlamp.url}${CLUSTER}/nodes`);
    await nodeRow(page, 'node-a').getByText('No rules', { exact: true }).waitFor(WAIT);
    await page.goto(`${headlamp.url}${CLUSTER}/nodes/node-a`);
    await page
      .getByTestId('readiness-node-section')
      .getByText(/not installed/)
      .waitFor(WAIT);
    await shoot(page, 'degraded-no-crd-node-section', page.getByTestId('readiness-node-section'));
    assertClean(watched, baseline);
    await watched.page.context().close();
  });

  it('a viewer who may not list rules, create reviews or read RBAC sees why, and "Unverified"', async () => {
    await installCRD(cluster);
    await loadScenario(cluster, 'broad');
    const watched = await openPage(browser, viewer.url);
    const { page } = watched;
    await page.goto(`${viewer.url}${CLUSTER}/node-readiness/rules`);
    await page.getByText(/You are not allowed to list nodereadinessrules/).waitFor(WAIT);
    await page.goto(`${viewer.url}${CLUSTER}/node-readiness/security`);
    await page.getByText('nothing: unverified').waitFor(WAIT);
    await page
      .getByText(/needs create on subjectaccessreviews.authorization.k8s.io, or list on clusterroles/)
      .first()
      .waitFor(WAIT);
    await page.locator('tr', { hasText: 'kube-system/cni-reporter' }).getByText('Unverified', { exact: true }).first().waitFor(WAIT);
    await shoot(page, 'degraded-viewer-security');
    await closeAsViewer(watched);
  });

  it('a viewer who may read RBAC objects but not create reviews gets the posture from the RBAC objects', async () => {
    await cluster.kubectlOk([
      'create',
      'clusterrole',
      'rbac-reader',
      '--verb=list',
      '--resource=clusterroles,clusterrolebindings,roles,rolebindings',
    ]);
    await cluster.kubectlOk([
      'create',
      'clusterrolebinding',
      'rbac-reader',
      '--clusterrole=rbac-reader',
      '--serviceaccount=default:viewer',
    ]);
    const watched = await openPage(browser, viewer.url);
    const { page } = watched;
    await page.goto(`${viewer.url}${CLUSTER}/node-readiness/security`);
    await page.getByText('RBAC objects only (you may not create SubjectAccessReviews)').waitFor(WAIT);
    await page.locator('tr', { hasText: 'kube-system/cni-reporter' }).getByText('Broad RBAC', { exact: true }).first().waitFor(WAIT);
    await closeAsViewer(watched);
  });
});

describe('Headlamp plugin package: tarball, Artifact Hub metadata, install', () => {
  let cluster: Cluster;
  let headlamp: Headlamp;
  let release: HeadlampRelease;
  const out = scratchDir('headlamp-release-');

  before(async () => {
    release = packageHeadlampPlugin(out, 'https://example.invalid/releases/download/v0.1.0');
    cluster = await startCluster();
    await loadScenario(cluster, 'hardened');
  });

  after(async () => {
    await headlamp?.stop();
    await cluster?.stop();
  });

  it('packs main.js and package.json under a folder named like the package', () => {
    const listing = execFileSync('tar', ['-tzf', release.tarball], { encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepEqual(listing, ['headlamp-readiness/', 'headlamp-readiness/main.js', 'headlamp-readiness/package.json']);
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', release.tarball, 'headlamp-readiness/package.json'], { encoding: 'utf8' }),
    ) as {
      name: string;
      devDependencies: Record<string, string>;
    };
    assert.equal(manifest.name, 'headlamp-readiness');
    assert.ok(manifest.devDependencies['@kinvolk/headlamp-plugin'], "Headlamp's loader skips plugins without it in devDependencies");
  });

  it("writes artifacthub-pkg.yml with Artifact Hub's required fields and the tarball's checksum", () => {
    const metadata = parse(readFileSync(release.metadata, 'utf8')) as Record<string, unknown> & { annotations: Record<string, string> };
    for (const field of ['version', 'name', 'displayName', 'description', 'createdAt', 'logoURL']) assert.ok(metadata[field], field);
    assert.equal(metadata['name'], 'headlamp-readiness');
    assert.ok(!Number.isNaN(Date.parse(String(metadata['createdAt']))));
    const digest = createHash('sha256').update(readFileSync(release.tarball)).digest('hex');
    assert.equal(metadata.annotations['headlamp/plugin/archive-checksum'], `SHA256:${digest}`);
    assert.equal(
      metadata.annotations['headlamp/plugin/archive-url'],
      'https://example.invalid/releases/download/v0.1.0/headlamp-readiness-0.1.0.tar.gz',
    );
    assert.match(metadata.annotations['headlamp/plugin/version-compat']!, /^>=\d+\.\d+/);
    assert.equal(metadata.annotations['headlamp/plugin/distro-compat'], 'in-cluster,web,docker-desktop,desktop');
  });

  it('installs by extracting into a plugins directory; Headlamp loads it and shows the column', async () => {
    const pluginsDir = scratchDir('headlamp-user-plugins-');
    execFileSync('tar', ['-xzf', release.tarball, '-C', pluginsDir]);
    headlamp = await startHeadlamp(cluster, pluginsDir);
    const watched = await openPage(browser, headlamp.url);
    await watched.page.goto(`${headlamp.url}${CLUSTER}/nodes`);
    await nodeRow(watched.page, 'node-b').getByText(HELD, { exact: true }).waitFor(WAIT);
    await watched.page.getByText('Node Readiness', { exact: true }).waitFor(WAIT);
    assertClean(watched);
    await watched.page.context().close();
  });

  it('renders the Security view on a cluster with 200 ClusterRoleBindings, with the findings of verify', async () => {
    const bindings = Array.from({ length: 200 }, (_, index) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `team-${index}-view` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: index % 2 ? 'view' : 'edit' },
      subjects: [{ kind: 'ServiceAccount', name: `team-${index}`, namespace: 'default' }],
    }));
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: bindings }));
    const watched = await openPage(browser, headlamp.url);
    const { page } = watched;
    await page.goto(`${headlamp.url}${CLUSTER}/node-readiness/security`);
    await page.locator('tr', { hasText: 'kube-system/cni-reporter' }).getByText('Constrained', { exact: true }).first().waitFor(WAIT);
    const rows = await findingRows(page);
    assert.ok(rows.length > FIRST_PAGE, `${rows.length} findings fit on one page; the test means to page through them`);
    assert.deepEqual(
      rows.map((cells) => cells[1]),
      verifyFindings(cluster).map((finding) => finding.id),
    );
    assertClean(watched);
    await watched.page.context().close();
  });
});
