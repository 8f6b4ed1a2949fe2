// Issue 30's budgets for the plugin's own pages: the Security view, the node
// section on a node's page and the Blockers view, each opened cold (a fresh
// browser context) in Headlamp with our plugin (its lib frontend on our host
// by default, a full Headlamp with READINESS_HEADLAMP) on the scale fixture,
// in alternating rounds. Measures, in the page's own clock, the time from
// navigation to the frame that first paints the view's real data, and to the
// frame that paints all of it where that is a different moment to wait for.
// In-app, the same views are reached the way a user moves inside an open
// Headlamp: its Nodes page loaded and idle (and, for the plugin's sidebar
// entries, which Headlamp shows only under a selected "Node Readiness", also
// its Rules page), then a click on the sidebar entry or on a held node's name
// (which opens the node in Headlamp's details panel, its default); timed
// from the click, Headlamp's start not counted, with the API requests the
// page sent meanwhile from the apiserver's audit log.
// Usage: node test/bench/views.ts [nodes=1000] [rounds=5] [cold|in-app|both=both]
import { loadavg } from 'node:os';
import type { Browser, Page, Request } from 'playwright-core';
import { buildPlugin } from '../../headlamp-plugin/release/package.ts';
import { type AuditEvent, auditedRequestsOf } from '../cluster/audit.ts';
import { startCluster } from '../cluster/cluster.ts';
import { createScaleNodes, SCALE_CLUSTER } from '../cluster/scale.ts';
import { developmentPluginsDir, launchBrowser } from '../headlamp/browser.ts';
import { type Headlamp, HEADLAMP_CLUSTER, headlampLine, startHeadlamp } from '../headlamp/headlamp.ts';
import { median } from './measure.ts';
import { installBenchScenario } from './rules.ts';
import { scratchDir } from '../scratch.ts';

const nodes = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 5);
const mode = process.argv[4] ?? 'both';
if (!['cold', 'in-app', 'both'].includes(mode)) throw new Error(`mode ${mode}: cold, in-app or both`);
const BUDGET_MS = 1000;

/** Held (index % 5 === 0) with its reporter condition present (not % 17) and fresh (not % 23): a node whose section has the most to say. */
const likeHeldNode = (name: string) => {
  const index = Number(/^scale-(\d+)$/.exec(name)?.[1] ?? NaN);
  return index % 5 === 0 && index % 17 !== 0 && index % 23 !== 0;
};
const HELD_NODE = 'scale-00005';

interface View {
  name: string;
  path: string;
  /** The first element that shows the view's data: never drawn while it waits (spinner, "Checking reporters…", empty frame). */
  firstContent: string;
  /** Every element that must be drawn once all of the view's data is; null when nothing arrives after the first content. */
  complete: string[] | null;
  /** In-app, what the user clicks: the plugin's sidebar entry (the view's URL), or a node's name in Headlamp's Nodes table. */
  entry: 'sidebar' | 'node link';
}

const SECTION = '[data-testid="readiness-node-section"]';

const VIEWS: View[] = [
  {
    name: 'Security view',
    path: '/node-readiness/security',
    firstContent: '[data-security-summary]',
    // Its reporters, threat matrix and findings come from the same report as the summary.
    complete: ['[data-security-summary]', '[data-posture]', '[data-threat]'],
    entry: 'sidebar',
  },
  {
    name: `Node section (${HELD_NODE}'s page)`,
    path: `/nodes/${HELD_NODE}`,
    firstContent: SECTION,
    // The root cause waits for the diagnosis reads, the reporters' posture for the security answers.
    complete: [`${SECTION} [data-testid="readiness-root-cause"]`, `${SECTION} [data-posture]`],
    entry: 'node link',
  },
  {
    name: 'Blockers view',
    path: '/node-readiness/blockers',
    firstContent: '[data-blocker-nodes]',
    // One render draws every row; "Longest held" would fill from NRC's taint events, which no controller writes here.
    complete: null,
    entry: 'sidebar',
  },
];

/**
 * In the page, from its first frame (cold) or from the user's click (in-app):
 * the frame, in the page's clock, that first paints each stage's elements. A
 * MutationObserver sees them inserted; the next animation frame is the one
 * that paints them. In-app, the click's own timestamp is the start, and
 * nothing counts before it: the page the user leaves has none of the markers.
 */
const RECORD_MARKS = (view: View, afterClick = false) => `window.__marks = {};
const stages = ${JSON.stringify({ first: [view.firstContent], ...(view.complete ? { complete: view.complete } : {}) })};
const seen = new Set();
${afterClick ? "document.addEventListener('click', (event) => { window.__marks.click ??= event.timeStamp; }, { capture: true });" : ''}
const observer = new MutationObserver(() => {
  ${afterClick ? 'if (window.__marks.click === undefined) return;' : ''}
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

/** Where the user starts in the open Headlamp before the click. */
type Start = 'Nodes page' | 'Rules page';

interface Navigation {
  view: View;
  from: Start;
}

/**
 * The node section is reached from its row in the Nodes table. The plugin's
 * sidebar entries sit under "Node Readiness", which Headlamp expands only
 * while one of its pages is shown: a user on the Nodes page clicks "Node
 * Readiness" (its Rules page) and then the entry. Both starts are timed: from
 * the Rules page, a real click on the shown entry; from the Nodes page, the
 * collapsed entry's link clicked in the page (the same router navigation,
 * with only what the Nodes page has loaded).
 */
const NAVIGATIONS: Navigation[] = VIEWS.flatMap((view) =>
  view.entry === 'sidebar'
    ? [
        { view, from: 'Nodes page' as const },
        { view, from: 'Rules page' as const },
      ]
    : [{ view, from: 'Nodes page' as const }],
);

const QUIET_MS = 2000;

/** When the page last sent or finished a request, and which are open: a watch is a WebSocket, which Playwright does not count as a request. */
function trackRequests(page: Page): { quietFor: () => number; open: () => string[] } {
  let lastAt = Date.now();
  const open = new Set<Request>();
  page.on('request', (request) => {
    lastAt = Date.now();
    open.add(request);
  });
  const ended = (request: Request) => {
    lastAt = Date.now();
    open.delete(request);
  };
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  return { quietFor: () => (open.size > 0 ? 0 : Date.now() - lastAt), open: () => [...open].map((request) => request.url()) };
}

async function waitQuiet(page: Page, requests: ReturnType<typeof trackRequests>, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (requests.quietFor() < QUIET_MS) {
    if (Date.now() > deadline) throw new Error(`${what} never went ${QUIET_MS} ms without a request; open: ${requests.open().join(' ')}`);
    await page.waitForTimeout(100);
  }
}

interface InAppLoad {
  firstMs: number;
  completeMs: number | null;
  /** The click and the first content in wall-clock ms, to find the requests between them in the audit log. */
  clickAt: number;
  firstAt: number;
  completeAt: number | null;
  /** A real click on a shown element, or the collapsed sidebar entry's link clicked in the page. */
  how: 'click' | 'click in the page';
  /** The node whose name was clicked. */
  node: string | null;
}

async function navigateInApp(browser: Browser, origin: string, { view, from }: Navigation): Promise<InAppLoad> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1000 } });
  const page = await context.newPage();
  const requests = trackRequests(page);
  const poll = { timeout: 300_000 } as const;
  await page.goto(`${origin}/c/${HEADLAMP_CLUSTER}/nodes`);
  // Loaded: every visible row with Headlamp's cells and ours, the Reporter security badge being the last to come.
  await page.waitForFunction(
    `(() => { const rows = [...document.querySelectorAll('tbody tr')].filter((row) => row.querySelector('a[href*="/nodes/"]'));
      return rows.length > 0 && rows.every((row) => row.querySelector('[data-readiness]') && row.querySelector('[data-posture]')); })()`,
    undefined,
    poll,
  );
  await waitQuiet(page, requests, 'the Nodes page');
  if (from === 'Rules page') {
    await page.locator('a[href$="/node-readiness/rules"]:visible').first().click();
    await page.waitForURL(/\/node-readiness\/rules$/, poll);
    await page.locator('tbody tr a[href*="/node-readiness/rules/"]').first().waitFor(poll);
    await waitQuiet(page, requests, 'the Rules page');
  }
  await page.evaluate(RECORD_MARKS(view, true));
  // Headlamp sorts its Nodes table by age, and the fixture's nodes share their creation second: which come first varies.
  const shownNodes = (await page.locator('tbody tr a[href*="/nodes/"]').allInnerTexts()).map((name) => name.trim());
  const node = shownNodes.find(likeHeldNode);
  if (view.entry === 'node link' && !node)
    throw new Error(`no node like ${HELD_NODE} on the Nodes table's first page: ${shownNodes.join(' ')}`);
  const target =
    view.entry === 'sidebar'
      ? page.locator(`a[href$="${view.path}"]`).first()
      : page.locator('tbody tr').getByRole('link', { name: node, exact: true });
  const shown = await target.isVisible();
  if (shown) await target.click();
  else await target.dispatchEvent('click');
  const stage = view.complete ? 'complete' : 'first';
  await page.waitForFunction(`window.__marks.${stage} !== undefined && window.__marks.first !== undefined`, undefined, poll);
  const marks = (await page.evaluate('window.__marks')) as { click: number; first: number; complete?: number };
  // A node's name opens its page in Headlamp's details panel beside the table (Headlamp's default), the URL unchanged.
  if (view.entry === 'sidebar' && !page.url().endsWith(view.path)) throw new Error(`${view.name}: the click led to ${page.url()}`);
  const alerts = await page.getByRole('alert').allInnerTexts();
  if (alerts.length > 0) throw new Error(`${view.name} shows an error: ${alerts.join(' | ')}`);
  const timeOrigin = (await page.evaluate('performance.timeOrigin')) as number;
  await context.close();
  return {
    firstMs: marks.first - marks.click,
    completeMs: marks.complete === undefined ? null : marks.complete - marks.click,
    clickAt: timeOrigin + marks.click,
    firstAt: timeOrigin + marks.first,
    completeAt: marks.complete === undefined ? null : timeOrigin + marks.complete,
    how: shown ? 'click' : 'click in the page',
    node: view.entry === 'node link' ? node! : null,
  };
}

/** What the page asked the apiserver for between the click and a stage, per navigation: a count and the kinds. */
function requestsAfterClick(events: AuditEvent[], loads: InAppLoad[], until: (load: InAppLoad) => number): string {
  const kinds = new Map<string, number>();
  const seen = new Set<string>();
  for (const event of events) {
    // A watch is audited as it starts and again as it ends.
    if (event.auditID && seen.has(event.auditID)) continue;
    if (event.auditID) seen.add(event.auditID);
    const received = Date.parse(event.requestReceivedTimestamp ?? '');
    if (!loads.some((load) => received >= load.clickAt && received <= until(load))) continue;
    const kind = `${event.verb} ${event.objectRef?.resource ?? event.requestURI.split('?')[0]}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1 / loads.length);
  }
  const total = [...kinds.values()].reduce((sum, count) => sum + count, 0);
  // Sums of 1/rounds are not whole to the last bit: 24.000000001 is 24.
  const count = (value: number) => value.toFixed(Math.abs(value - Math.round(value)) < 0.05 ? 0 : 1);
  return total === 0 ? 'none' : `${count(total)}: ${[...kinds].map(([kind, value]) => `${kind} ×${count(value)}`).join('; ')}`;
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
  const created = `${nodes} nodes (created in ${(createMs / 1000).toFixed(1)} s)`;
  if (mode !== 'in-app') {
    const loadAtStart = loadavg()[0]!.toFixed(1);
    const loads = new Map<View, ViewLoad[]>(VIEWS.map((view) => [view, []]));
    // Which view loads first alternates, so none always meets the machine or the apiserver's cache in the same state.
    for (let round = 0; round < rounds; round++)
      for (const view of round % 2 === 0 ? VIEWS : [...VIEWS].reverse()) loads.get(view)!.push(await loadView(browser, headlamp.url, view));
    const loadAtEnd = loadavg()[0]!.toFixed(1);

    console.log(
      `# Issue 30's view budgets, cold, at ${new Date().toISOString()}: ${headlampLine()}; ${created}, ${rounds} rounds in alternating order, 1920×1000, load average ${loadAtStart} as they started and ${loadAtEnd} at the end; ms from navigation, median (min-max)\n`,
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
    console.log();
  }
  if (mode !== 'cold') {
    const auditedBefore = auditedRequestsOf(cluster, headlamp.username).length;
    const loadAtStart = loadavg()[0]!.toFixed(1);
    const loads = new Map<Navigation, InAppLoad[]>(NAVIGATIONS.map((navigation) => [navigation, []]));
    for (let round = 0; round < rounds; round++)
      for (const navigation of round % 2 === 0 ? NAVIGATIONS : [...NAVIGATIONS].reverse())
        loads.get(navigation)!.push(await navigateInApp(browser, headlamp.url, navigation));
    const loadAtEnd = loadavg()[0]!.toFixed(1);
    const events = auditedRequestsOf(cluster, headlamp.username).slice(auditedBefore);

    console.log(
      `# Issue 30's view budgets, in-app, at ${new Date().toISOString()}: ${headlampLine()}; ${created}, ${rounds} rounds in alternating order, 1920×1000, each from a fresh context whose page was loaded and then ${QUIET_MS} ms without a request, load average ${loadAtStart} as they started and ${loadAtEnd} at the end; ms from the click, median (min-max)\n`,
    );
    console.log(
      `| view | from | the click | first content, ms | ≤ ${BUDGET_MS} ms | complete, ms | API requests from the click to first content, per navigation (audit log) | … to complete | rounds |\n|---|---|---|---|---|---|---|---|---|`,
    );
    for (const [{ view, from }, samples] of loads) {
      const first = samples.map((sample) => sample.firstMs);
      const cells = [
        from,
        [...new Set(samples.map((sample) => sample.how))].join(', '),
        spread(first),
        median(first) <= BUDGET_MS ? 'yes' : 'no',
        spreadOfKnown(samples.map((sample) => sample.completeMs)) ?? '—',
        requestsAfterClick(events, samples, (sample) => sample.firstAt),
        view.complete ? requestsAfterClick(events, samples, (sample) => sample.completeAt ?? sample.firstAt) : '—',
      ];
      const clicked = samples.flatMap((sample) => sample.node ?? []);
      const name = clicked.length > 0 ? `Node section (in the details panel of ${clicked.join(', ')})` : view.name;
      console.log(`| ${name} | ${cells.join(' | ')} | ${samples.length} |`);
    }
  }
} finally {
  await headlamp?.stop();
  await browser.close();
  await cluster.stop();
}
