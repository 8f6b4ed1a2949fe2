// The Nodes table with our two columns at the window sizes people use: none
// of our cells spills out of its column or is cut, and none of Headlamp's own
// columns is squeezed to one character a line (Memory was, at 1280 px, beside
// a Readiness badge that named its rule). Measured in Chromium on the laid-out
// table (test/headlamp/fit.ts), with NRC's hardened example on the real apiserver.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hardenedSession, WINDOW_SIZES, type HardenedSession } from '../headlamp/session.ts';
import { nodesTableFit, type CellLayout } from '../headlamp/fit.ts';
import { HEADLAMP_CLUSTER, type Headlamp } from '../headlamp/headlamp.ts';

const WAIT = { timeout: 60_000 };
const OUR_COLUMNS = ['Readiness', 'Reporter security'];
/** READINESS_SCREENSHOTS=1 refreshes the docs' screenshots; other runs keep theirs with the test results. */
const screenshotsDir =
  process.env['READINESS_SCREENSHOTS'] === '1'
    ? join(import.meta.dirname, '..', '..', 'docs', 'screenshots')
    : join(import.meta.dirname, 'results', 'screenshots');

const described = (cells: CellLayout[]): string =>
  cells
    .map(
      (cell) =>
        `${cell.column}[${cell.row}] "${cell.text}": ${cell.clientWidth}px of ${cell.scrollWidth}px, ${cell.lines} lines for ${cell.chars} chars${cell.clipped ? ', cut' : ''}`,
    )
    .join('\n');

function nodeRow(page: Page, node: string) {
  return page.locator('tr', { has: page.getByRole('link', { name: node, exact: true }) });
}

/**
 * Memory shows a usage bar until the metrics request fails with 404 (the
 * cluster runs no metrics-server), then the capacity text that can be
 * squeezed. Now and then the bar stayed for over a minute on the host (its
 * cause in Headlamp's ten-second metrics poll is not pinned down); a reload
 * gets the text within seconds.
 */
async function openNodesWithCapacities(page: Page, url: string): Promise<void> {
  const capacity = nodeRow(page, 'node-a').getByText(/^\d+(\.\d+)?\s?[KMGT]i$/);
  for (let attempt = 1; ; attempt++) {
    await page.goto(url);
    try {
      await capacity.waitFor({ timeout: 20_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

describe('the Nodes table fits at 1280, 1440 and 1920 px', () => {
  let session: HardenedSession;
  let headlamp: Headlamp;
  let browser: Browser;

  before(async () => {
    session = await hardenedSession();
    ({ headlamp, browser } = session);
    mkdirSync(screenshotsDir, { recursive: true });
  });

  after(() => session?.stop());

  for (const [width, height] of WINDOW_SIZES)
    it(`${width}×${height}: our cells fit and Headlamp's columns keep their room`, async () => {
      const context = await browser.newContext({ viewport: { width, height } });
      try {
        const page = await context.newPage();
        await openNodesWithCapacities(page, `${headlamp.url}/c/${HEADLAMP_CLUSTER}/nodes`);
        await nodeRow(page, 'node-b').getByText('Held 1/1', { exact: true }).waitFor(WAIT);
        for (const node of ['node-a', 'node-b', 'node-c'])
          await nodeRow(page, node).getByText('Constrained', { exact: true }).waitFor(WAIT);
        await nodeRow(page, 'node-a').getByText('Ready', { exact: true }).waitFor(WAIT);
        const fit = await nodesTableFit(page, OUR_COLUMNS);
        await page.screenshot({ path: join(screenshotsDir, `headlamp-nodes-${width}x${height}.png`) });
        for (const label of OUR_COLUMNS) assert.ok(fit.columns.includes(label), `visible columns: ${fit.columns.join(' | ')}`);
        assert.equal(fit.overflowing.length, 0, `our cells overflow:\n${described(fit.overflowing)}`);
        assert.equal(fit.squeezed.length, 0, `Headlamp's columns squeezed:\n${described(fit.squeezed)}`);
      } finally {
        await context.close();
      }
    });
});
