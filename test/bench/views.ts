// Issue 30's budgets for the plugin's own pages: the Security view, the node
// section on a node's page and the Blockers view, each opened cold (a fresh
// browser context) in Headlamp with our plugin (its lib frontend on our host
// by default, a full Headlamp with READINESS_HEADLAMP) on the scale fixture,
// in alternating rounds. Measures, in the page's own clock, the time from
// navigation to the frame that first paints the view's real data, and to the
// frame that paints all of it where that is a different moment to wait for.
// Usage: node test/bench/views.ts [nodes=1000] [rounds=5]
import { loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { buildPlugin } from '../../headlamp-plugin/release/package.ts';
import { startCluster } from '../cluster/cluster.ts';
import { createScaleNodes, SCALE_CLUSTER } from '../cluster/scale.ts';
import { developmentPluginsDir, launchBrowser } from '../headlamp/browser.ts';
import { type Headlamp, HEADLAMP_CLUSTER, headlampLine, startHeadlamp } from '../headlamp/headlamp.ts';
import { median } from './measure.ts';
import { installBenchScenario } from './rules.ts';
import { scratchDir } from '../scratch.ts';

const nodes = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 5);
const BUDGET_MS = 1000;

/** Held (index % 5 === 0) with its reporter condition present and fresh: the node whose section has the most to say. */
const HELD_NODE = 'scale-00005';

interface View {
  name: string;
  path: string;
  /** The first element that shows the view's data: never drawn while it waits (spinner, "Checking reporters…", empty frame). */
  firstContent: string;
  /** Every element that must be drawn once all of the view's data is; null when nothing arrives after the first content. */
  complete: string[] | null;
}

const SECTION = '[data-testid="readiness-node-section"]';

const VIEWS: View[] = [
  {
    name: 'Security view',
    path: '/node-readiness/security',
    firstContent: '[data-security-summary]',
    // Its reporters, threat matrix and findings come from the same report as the summary.
    complete: ['[data-security-summary]', '[data-posture]', '[data-threat]'],
  },
  {
    name: `Node section (${HELD_NODE}'s page)`,
    path: `/nodes/${HELD_NODE}`,
    firstContent: SECTION,
    // The root cause waits for the diagnosis reads, the reporters' posture for the security answers.
    complete: [`${SECTION} [data-testid="readiness-root-cause"]`, `${SECTION} [data-posture]`],
  },
  {
    name: 'Blockers view',
    path: '/node-readiness/blockers',
    firstContent: '[data-blocker-nodes]',
    // One render draws every row; "Longest held" would fill from NRC's taint events, which no controller writes here.
    complete: null,
  },
];

/**
 * In the page, from its first frame: the frame (ms since navigation) that
 * first paints each stage's elements. A MutationObserver sees them inserted;
 * the next animation frame is the one that paints them.
 */
const RECORD_MARKS = (view: View) => `window.__marks = {};
const stages = ${JSON.stringify({ first: [view.firstContent], ...(view.complete ? { complete: view.complete } : {}) })};
const seen = new Set();
const observer = new MutationObserver(() => {
  for (const [stage, selectors] of Object.entries(stages))
    if (!seen.has(stage) && selectors.every((selector) => document.querySelector(selector))) {
      seen.add(stage);
      requestAnimationFrame(() => { window.__marks[stage] = performance.now(); });
    }
  if (seen.size === Object.keys(stages).length) observer.disconnect();
});
observer.observe(document, { childList: true, subtree: true });`;

interface ViewLoad {
  /** The page's first paint of anything (Headlamp's own frame or its spinner): the floor a cold load starts from. */
  firstPaintMs: number | null;
  firstMs: number;
  completeMs: number | null;
  /** When Headlamp's list of every node was answered, if the page listed them: what a cluster-wide view waits for. */
  nodeListMs: number | null;
}

async function loadView(browser: Browser, origin: string, view: View): Promise<ViewLoad> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1000 } });
  const page = await context.newPage();
  await page.addInitScript(RECORD_MARKS(view));
  await page.goto(`${origin}/c/${HEADLAMP_CLUSTER}${view.path}`);
  const stage = view.complete ? 'complete' : 'first';
  await page.waitForFunction(`window.__marks.${stage} !== undefined && window.__marks.first !== undefined`, undefined, {
    timeout: 300_000,
  });
  const marks = (await page.evaluate('window.__marks')) as { first: number; complete?: number };
  const alerts = await page.getByRole('alert').allInnerTexts();
  if (alerts.length > 0) throw new Error(`${view.name} shows an error: ${alerts.join(' | ')}`);
  // The plugin's two-node sample for the review questions (limit=2) is not Headlamp's list.
  const nodeListEnds = (await page.evaluate(`performance.getEntriesByType('resource')
    .filter((entry) => new URL(entry.name).pathname.endsWith('/api/v1/nodes') && new URL(entry.name).searchParams.get('limit') !== '2')
    .map((entry) => entry.responseEnd)`)) as number[];
  const firstPaintMs = (await page.evaluate(`performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null`)) as
    number | null;
  await context.close();
  return {
    firstPaintMs,
    firstMs: marks.first,
    completeMs: marks.complete ?? null,
    nodeListMs: nodeListEnds.length > 0 ? Math.max(...nodeListEnds) : null,
  };
}

const spread = (values: number[]) => `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)})`;

const spreadOfKnown = (values: (number | null)[]) => {
  const known = values.filter((value) => value !== null);
  return known.length > 0 ? spread(known) : null;
};

const cluster = await startCluster(SCALE_CLUSTER);
const browser = await launchBrowser();
let headlamp: Headlamp | undefined;
try {
  await installBenchScenario(cluster);
  headlamp = await startHeadlamp(cluster, developmentPluginsDir(buildPlugin(scratchDir('headlamp-build-'))), {
    serviceAccount: 'headlamp-readiness',
    clusterRole: 'cluster-admin',
  });
  const createMs = await createScaleNodes(cluster, nodes);
  const loadAtStart = loadavg()[0]!.toFixed(1);
  const loads = new Map<View, ViewLoad[]>(VIEWS.map((view) => [view, []]));
  // Which view loads first alternates, so none always meets the machine or the apiserver's cache in the same state.
  for (let round = 0; round < rounds; round++)
    for (const view of round % 2 === 0 ? VIEWS : [...VIEWS].reverse()) loads.get(view)!.push(await loadView(browser, headlamp.url, view));
  const loadAtEnd = loadavg()[0]!.toFixed(1);

  console.log(
    `# Issue 30's view budgets at ${new Date().toISOString()}: ${headlampLine()}; ${nodes} nodes (created in ${(createMs / 1000).toFixed(1)} s), ${rounds} rounds in alternating order, 1920×1000, load average ${loadAtStart} as they started and ${loadAtEnd} at the end; ms from navigation, median (min-max)\n`,
  );
  console.log(
    `| view | first content, ms | ≤ ${BUDGET_MS} ms | complete, ms | the page's first paint, ms | Headlamp's node list answered, ms | rounds |\n|---|---|---|---|---|---|---|`,
  );
  for (const [view, samples] of loads) {
    const first = samples.map((sample) => sample.firstMs);
    const cells = [
      spread(first),
      median(first) <= BUDGET_MS ? 'yes' : 'no',
      spreadOfKnown(samples.map((sample) => sample.completeMs)) ?? '—',
      spreadOfKnown(samples.map((sample) => sample.firstPaintMs)) ?? '—',
      spreadOfKnown(samples.map((sample) => sample.nodeListMs)) ?? 'not listed',
    ];
    console.log(`| ${view.name} | ${cells.join(' | ')} | ${samples.length} |`);
  }
} finally {
  await headlamp?.stop();
  await browser.close();
  await cluster.stop();
}
