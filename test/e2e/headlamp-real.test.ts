// The plugin at the window sizes people use, next to Headlamp's other
// extension points (root cause, held-duration tooltip, Blockers view, resource
// map, Security view), in headless Chromium: on Headlamp's lib frontend on our
// host by default, on a full Headlamp with READINESS_HEADLAMP. Headlamp 0.45
// hides Nodes table columns that do not fit, right to left, and lib 0.14's
// table does not; 0.45's map draws nodes, lib 0.14's does not: the checks that
// both our columns survive that hiding, and the map's node → rule edges, run
// only on a full Headlamp (the column processor's placement is pinned by a
// unit test).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hardenedSession, WINDOW_SIZES, type HardenedSession } from '../headlamp/session.ts';
import { waitFor } from './wait.ts';
import { HEADLAMP_CLUSTER, headlampLine, unlessFullHeadlamp, type Headlamp } from '../headlamp/headlamp.ts';

const WAIT = { timeout: 60_000 };
const screenshotsDir = join(import.meta.dirname, 'results', 'screenshots');

/** Only a full Headlamp hides the columns that do not fit; on the host every column shows at any width. */
const COLUMN_HIDING = unlessFullHeadlamp("Headlamp 0.45's right-to-left column hiding, which lib 0.14's table lacks");

/** Lib 0.14's map has no Cluster source, so no nodes to draw our node → rule edges from. */
const NODES_ON_MAP = unlessFullHeadlamp("Headlamp 0.45's map Cluster source (nodes), which lib 0.14's map lacks");

describe('the plugin at window sizes, with the other extension points', () => {
  let session: HardenedSession;
  let headlamp: Headlamp;
  let browser: Browser;

  before(async () => {
    console.log(headlampLine());
    session = await hardenedSession();
    ({ headlamp, browser } = session);
    mkdirSync(screenshotsDir, { recursive: true });
  });

  after(() => session?.stop());

  const page = async (width: number, height: number): Promise<Page> =>
    (await browser.newContext({ viewport: { width, height } })).newPage();
  const base = () => `${headlamp.url}/c/${HEADLAMP_CLUSTER}`;

  for (const [width, height] of WINDOW_SIZES)
    it(`shows both columns on the Nodes table at ${width}×${height}`, { skip: COLUMN_HIDING }, async () => {
      const tab = await page(width, height);
      try {
        await tab.goto(`${base()}/nodes`);
        const row = tab.locator('tr', { hasText: 'node-b' });
        await row.getByText('Held 1/1', { exact: true }).waitFor(WAIT);
        await row.getByText('Constrained', { exact: true }).waitFor(WAIT);
        const headers = (await tab.locator('thead th').allInnerTexts()).map((header) => header.trim()).filter(Boolean);
        assert.ok(
          headers.some((header) => header.startsWith('Readiness')),
          `visible headers: ${headers.join(' | ')}`,
        );
        assert.ok(
          headers.some((header) => header.startsWith('Reporter security')),
          `visible headers: ${headers.join(' | ')}`,
        );
        await tab.screenshot({ path: join(screenshotsDir, `headlamp-nodes-${width}x${height}.png`) });
      } finally {
        await tab.context().close();
      }
    });

  it("leads the node section with the node's root cause, as status NODE does, at 1280 px", async () => {
    const tab = await page(1280, 800);
    try {
      await tab.goto(`${base()}/nodes/node-b`);
      const rootCause = tab.getByTestId('readiness-root-cause');
      await rootCause.waitFor(WAIT);
      assert.match(
        (await rootCause.textContent()) ?? '',
        /network-readiness-rule holds node-b: projectcalico.org\/CalicoReady is False \(required True\): reporter says "Endpoint returned non-2xx/,
      );
      // A page shot, the row centred: a shot of the section alone slides its top under Headlamp's sticky app bar.
      await rootCause.evaluate((element) => element.scrollIntoView({ block: 'center' }));
      await tab.screenshot({ path: join(screenshotsDir, 'headlamp-node-root-cause-1280x800.png') });
    } finally {
      await tab.context().close();
    }
  });

  it("says in the Readiness cell's tooltip how long the node has been held, from NRC's events", async () => {
    const tab = await page(1280, 800);
    try {
      // The table reads NRC's events once as it is set up: a page opened before NRC adopted node-b's taint is opened again.
      const tooltip = tab.getByRole('tooltip');
      await tab.goto(`${base()}/nodes`);
      for (let attempt = 0; ; attempt++) {
        await tab.locator('tr', { hasText: 'node-b' }).getByText('Held 1/1', { exact: true }).hover(WAIT);
        await tooltip.waitFor(WAIT);
        if (/TaintAdopted event/.test((await tooltip.textContent()) ?? '') || attempt === 5) break;
        await tab.waitForTimeout(2_000);
        await tab.reload();
      }
      assert.match(
        (await tooltip.textContent()) ?? '',
        /^held by network-readiness-rule for at least \d+[smh] \(TaintAdopted event\)\s*failing: projectcalico.org\/CalicoReady/,
      );
      await tab.screenshot({ path: join(screenshotsDir, 'headlamp-nodes-held-tooltip-1280x800.png') });
    } finally {
      await tab.context().close();
    }
  });

  it('lists what holds nodes back in the Blockers view, each node a link to its page', async () => {
    const tab = await page(1280, 800);
    try {
      await tab.goto(`${base()}/node-readiness/blockers`);
      const row = tab.locator('tr', { hasText: 'projectcalico.org/CalicoReady' });
      await row.getByRole('link', { name: 'node-b' }).waitFor(WAIT);
      const cells = (await row.locator('td').allInnerTexts()).map((cell) => cell.trim());
      assert.deepEqual(cells.slice(0, 3), ['network-readiness-rule', 'projectcalico.org/CalicoReady', '1']);
      assert.match(cells[3]!, /^at least \d+[smh]$/);
      await tab.screenshot({ path: join(screenshotsDir, 'headlamp-blockers-1280x800.png') });
      const link = row.getByRole('link', { name: 'node-b' });
      assert.match((await link.getAttribute('href')) ?? '', /\/c\/localcluster\/nodes\/node-b$/);
      // Headlamp 0.45 opens a node from a table in its details panel, lib 0.14 on the node's page: our section shows in either.
      await link.click();
      assert.match((await tab.getByTestId('readiness-root-cause').textContent(WAIT)) ?? '', /holds node-b/);
    } finally {
      await tab.context().close();
    }
  });

  it(
    "relates each node to the rule that gates it, and the rule to its reporter's DaemonSet, in Headlamp's resource map",
    { skip: NODES_ON_MAP },
    async () => {
      const tab = await page(1920, 1080);
      try {
        await tab.goto(`${base()}/map`);
        // Nodes and custom resources are off by default: switched on as a user would, in the sources menu.
        await tab.locator('.MuiChip-colorPrimary', { hasText: 'Workloads' }).click(WAIT);
        for (const source of ['Cluster', 'Custom Resources'])
          await tab.getByRole('presentation').getByText(source, { exact: true }).locator('xpath=..').getByRole('checkbox').click();
        await tab.keyboard.press('Escape');
        await tab.getByRole('button', { name: 'Namespace', exact: true }).click();
        await tab.getByRole('button', { name: 'Expand All' }).click();
        const gates = tab.locator('[data-testid$="-headlamp-readiness.node-rule"]');
        const writes = tab.locator('[data-testid$="-headlamp-readiness.rule-reporter"]');
        await waitFor('three node → rule edges', async () => ((await gates.count()) === 3 ? true : undefined));
        assert.equal(await writes.count(), 1);
        // Headlamp draws edge labels in a layer of their own, not inside the edges.
        const labels = (await tab.locator('.react-flow__edgelabel-renderer > div').allInnerTexts()).map((label) => label.trim());
        assert.deepEqual(labels.sort(), ['condition written by', 'held', 'ready', 'ready']);
        await tab.locator('.react-flow__node', { hasText: 'network-readiness-rule' }).waitFor(WAIT);
        // The map animates its layout into place: the shot waits it out.
        await tab.waitForTimeout(2_000);
        await tab.screenshot({ path: join(screenshotsDir, 'headlamp-map-1920x1080.png') });
      } finally {
        await tab.context().close();
      }
    },
  );

  it('has the sidebar entry, the rules view, the node section and the Security view', async () => {
    const tab = await page(1440, 900);
    try {
      await tab.goto(`${base()}/nodes`);
      await tab.getByRole('button', { name: 'Node Readiness' }).or(tab.getByText('Node Readiness').first()).first().waitFor(WAIT);
      await tab.goto(`${base()}/nodes/node-b`);
      await tab.getByText('held by network-readiness-rule').first().waitFor(WAIT);
      await tab.goto(`${base()}/node-readiness/security`);
      await tab.getByText('SubjectAccessReviews answered by the apiserver').waitFor(WAIT);
      assert.equal((await tab.locator('[data-threat="rewrite-own-conditions"]').first().textContent())?.trim(), 'yes');
      await tab.screenshot({ path: join(screenshotsDir, 'headlamp-security.png') });
    } finally {
      await tab.context().close();
    }
  });
});
