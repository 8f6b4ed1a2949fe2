// P3 of docs/benchmarks.md: Headlamp's Nodes table (its lib frontend on our
// host by default, a full Headlamp with READINESS_HEADLAMP) in Chromium on the
// scale fixture, with and without our plugin, opened side by side in
// alternating rounds (which page goes first alternates too). Measures the time
// from navigation until every visible row shows Headlamp's own cells (what the
// plugin must not delay), then our Readiness cells, then every cell, each as
// the median of per-round ratios and as the ratio of medians; the requests
// each page sent before its rows showed (the audit log); and the main thread's
// long tasks while the page loads, as its responsiveness.
// Usage: node test/bench/headlamp.ts [nodes=1000,5000] [rounds=5] [profile] [after=SECONDS] [EARLIER-main.js]
// after=SECONDS keeps every page open that long after its rows and reports the
// main thread's long tasks and the requests of that window, page by page.
// An earlier build of the plugin's main.js joins the rounds as a third page,
// so a change is judged side by side in one run, not across noisy runs.
import { loadavg } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { buildPlugin } from '../../headlamp-plugin/release/package.ts';
import { type AuditEvent, auditedRequestsOf } from '../cluster/audit.ts';
import { startCluster } from '../cluster/cluster.ts';
import { createScaleNodes, SCALE_CLUSTER } from '../cluster/scale.ts';
import { developmentPluginsDir, launchBrowser } from '../headlamp/browser.ts';
import { HEADLAMP_CLUSTER, headlampLine, startHeadlamp } from '../headlamp/headlamp.ts';
import { median, medianInterval } from './measure.ts';
import { installBenchScenario } from './rules.ts';
import { scratchDir } from '../scratch.ts';

const sizes = (process.argv[2] ?? '1000,5000').split(',').map(Number);
const rounds = Number(process.argv[3] ?? 5);
const profile = process.argv.slice(4).includes('profile');
const afterRowsMs =
  Number(
    process.argv
      .slice(4)
      .find((argument) => argument.startsWith('after='))
      ?.slice('after='.length) ?? 0,
  ) * 1000;
const earlierBuild = process.argv.slice(4).find((argument) => argument.endsWith('.js'));

interface PageLoad {
  /** Until every visible row shows Headlamp's own cells: the first page of rows. */
  rowsMs: number;
  /** When Headlamp sent its first request to the cluster: the end of its start-up, plugins loaded. */
  firstApiRequestMs: number;
  /** Until every visible row is complete, ours included. */
  ms: number;
  /** With the plugin, until the Readiness cells are complete; the Reporter security cells wait for the reviews too. */
  readinessMs: number;
  rows: number;
  longTasksMs: number;
  /** The long tasks that began before the rows were complete: what held them back. */
  longTasksBeforeRowsMs: number;
  /** The long tasks of the window after the rows, the same length for every page: what a user meets as they start using it. */
  longTasksAfterRowsMs: number;
  longestTaskMs: number;
  /** Wall-clock ms of the navigation and of the rows showing, to find the requests between them in the audit log. */
  navigatedAt: number;
  rowsAt: number;
}

/** Long tasks (> 50 ms on the main thread) are what makes a page feel frozen. */
const RECORD_LONG_TASKS = `window.__longTasks = [];
new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map(({ startTime, duration }) => ({ startTime, duration }))))
  .observe({ type: 'longtask', buffered: true });`;

/**
 * In the page, from its first frame: when every visible node row first showed
 * Headlamp's cells (rows), also our Readiness label (readiness), also our
 * Reporter security badge (complete), in the page's own clock (ms since
 * navigation), so a slow round trip to the test never counts as page time.
 * The bare page never has our cells: its readiness and complete are its rows.
 */
const RECORD_MARKS = (withPlugin: boolean) => `window.__marks = {};
const stages = [['rows', []], ['readiness', ${withPlugin ? `['[data-readiness]']` : '[]'}], ['complete', ${withPlugin ? `['[data-readiness]', '[data-posture]']` : '[]'}]];
const check = () => {
  const shown = [...document.querySelectorAll('tbody tr')].filter((row) => row.querySelector('a[href*="/nodes/"]'));
  for (const [stage, cells] of stages)
    if (window.__marks[stage] === undefined && shown.length > 0 && shown.every((row) => cells.every((cell) => row.querySelector(cell))))
      window.__marks[stage] = { ms: performance.now(), rows: shown.length };
  if (window.__marks.complete === undefined) requestAnimationFrame(check);
};
requestAnimationFrame(check);`;

interface Mark {
  ms: number;
  rows: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  startTime: number;
  endTime: number;
}

/** Self time per function and per script, the heaviest first, and the plugin's own heaviest functions. */
function summarize(profile: CpuProfile): string {
  const totalHits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const msPerHit = (profile.endTime - profile.startTime) / 1000 / totalHits;
  const byFunction = new Map<string, number>();
  const byScript = new Map<string, number>();
  for (const { callFrame, hitCount = 0 } of profile.nodes) {
    const script = callFrame.url ? callFrame.url.replace(/^\w+:\/\/[^/]*/, '') : '(native, GC or idle)';
    const name = `${callFrame.functionName || '(anonymous)'} ${script}:${callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hitCount * msPerHit);
    byScript.set(script, (byScript.get(script) ?? 0) + hitCount * msPerHit);
  }
  const top = (map: Map<string, number>, count: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, ms]) => `| ${name} | ${ms.toFixed(0)} |`)
      .join('\n');
  const ours = new Map([...byFunction].filter(([name]) => name.includes('/plugins/')));
  return `| script | self ms |\n|---|---|\n${top(byScript, 8)}\n\n| function | self ms |\n|---|---|\n${top(byFunction, 15)}\n\n| the plugin's function | self ms |\n|---|---|\n${top(ours, 8)}`;
}

/** When each API request of the load went out and came back, in the page's clock (ms since navigation). */
async function requestTimeline(page: Page): Promise<string> {
  const entries = (await page.evaluate(`performance.getEntriesByType('resource')
    .filter((entry) => /\\/clusters\\//.test(entry.name))
    .map((entry) => ({ name: entry.name, startTime: entry.startTime, responseStart: entry.responseStart, responseEnd: entry.responseEnd }))`)) as {
    name: string;
    startTime: number;
    responseStart: number;
    responseEnd: number;
  }[];
  const rows = entries
    .sort((a, b) => a.startTime - b.startTime)
    .map(
      (entry) =>
        `| ${new URL(entry.name).pathname.replace(/^\/clusters\/[^/]+/, '')} | ${entry.startTime.toFixed(0)} | ${entry.responseStart.toFixed(0)} | ${entry.responseEnd.toFixed(0)} |`,
    );
  return `| request | sent, ms | first byte, ms | done, ms |\n|---|---|---|---|\n${rows.join('\n')}`;
}

async function loadNodesTable(browser: Browser, origin: string, withPlugin: boolean, profile = false): Promise<PageLoad> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  await page.addInitScript(RECORD_LONG_TASKS);
  await page.addInitScript(RECORD_MARKS(withPlugin));
  const profiler = profile ? await context.newCDPSession(page) : null;
  await profiler?.send('Profiler.enable');
  await profiler?.send('Profiler.start');
  await page.goto(`${origin}/c/${HEADLAMP_CLUSTER}/nodes`);
  const poll = { timeout: 300_000 } as const;
  // What delays Headlamp's rows is what runs before them; what runs after them, until
  // our last cell, is what a user meets when they start using the page: two profiles.
  if (profiler) {
    await page.waitForFunction('window.__marks.rows', undefined, poll);
    console.log(
      `CPU profile of the page with the plugin, until Headlamp's rows were complete:\n\n${summarize((await profiler.send('Profiler.stop')).profile as CpuProfile)}\n`,
    );
    await profiler.send('Profiler.start');
  }
  await page.waitForFunction('window.__marks.complete', undefined, poll);
  if (profiler)
    console.log(
      `CPU profile of the page with the plugin, from Headlamp's rows until every cell was complete:\n\n${summarize((await profiler.send('Profiler.stop')).profile as CpuProfile)}\n`,
    );
  const marks = (await page.evaluate('window.__marks')) as Record<'rows' | 'readiness' | 'complete', Mark>;
  // Every page stays open as long after its rows (longer if its cells take longer), so its work after them compares like for like.
  if (afterRowsMs > 0)
    await page.waitForFunction(`performance.now() >= ${marks.rows.ms + afterRowsMs}`, undefined, { ...poll, polling: 250 });
  const timeOrigin = (await page.evaluate('performance.timeOrigin')) as number;
  const firstApiRequestMs = (await page.evaluate(
    `Math.min(...performance.getEntriesByType('resource').filter((entry) => /\\/clusters\\//.test(entry.name)).map((entry) => entry.startTime))`,
  )) as number;
  if (profiler)
    console.log(
      `${await requestTimeline(page)}\nHeadlamp's rows complete at ${marks.rows.ms.toFixed(0)} ms, Readiness cells at ${marks.readiness.ms.toFixed(0)} ms, every cell at ${marks.complete.ms.toFixed(0)} ms\n`,
    );
  const headers = (await page.locator('thead th').allInnerTexts()).map((header) => header.trim());
  for (const column of withPlugin ? ['Readiness', 'Reporter security'] : [])
    if (!headers.some((header) => header.startsWith(column)))
      throw new Error(`the ${column} column is hidden; visible: ${headers.join(' | ')}`);
  const tasks = (await page.evaluate('window.__longTasks')) as { startTime: number; duration: number }[];
  await context.close();
  const total = (some: typeof tasks) => some.reduce((sum, task) => sum + task.duration, 0);
  return {
    rowsMs: marks.rows.ms,
    firstApiRequestMs,
    ms: marks.complete.ms,
    readinessMs: marks.readiness.ms,
    rows: marks.complete.rows,
    longTasksMs: total(tasks.filter((task) => task.startTime < marks.complete.ms)),
    longTasksBeforeRowsMs: total(tasks.filter((task) => task.startTime < marks.rows.ms)),
    longTasksAfterRowsMs: total(tasks.filter((task) => task.startTime >= marks.rows.ms && task.startTime < marks.rows.ms + afterRowsMs)),
    longestTaskMs: Math.max(0, ...tasks.filter((task) => task.startTime < marks.complete.ms).map((task) => task.duration)),
    navigatedAt: timeOrigin,
    rowsAt: timeOrigin + marks.rows.ms,
  };
}

/** What a page asked the apiserver for in a window of each load (its navigation to its rows, or the window after them), per load: a count and the kinds. */
function requestsWithin(events: AuditEvent[], loads: PageLoad[], window: (load: PageLoad) => [number, number]): string {
  const kinds = new Map<string, number>();
  const seen = new Set<string>();
  for (const event of events) {
    const received = Date.parse(event.requestReceivedTimestamp ?? '');
    // A watch is audited as it starts and again as it ends.
    if (event.auditID && seen.has(event.auditID)) continue;
    if (event.auditID) seen.add(event.auditID);
    if (
      !loads.some((load) => {
        const [from, to] = window(load);
        return received >= from && received <= to;
      })
    )
      continue;
    const kind = `${event.verb} ${event.objectRef?.resource ?? event.requestURI.split('?')[0]}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1 / loads.length);
  }
  const total = [...kinds.values()].reduce((sum, count) => sum + count, 0);
  const listed = [...kinds].map(([kind, count]) => `${kind} ×${count.toFixed(count % 1 ? 1 : 0)}`).join('; ');
  return `${total.toFixed(1)} (${listed})`;
}

const cluster = await startCluster(SCALE_CLUSTER);
const browser = await launchBrowser();
try {
  await installBenchScenario(cluster);
  const hosts = {
    'Nodes table without the plugin': await startHeadlamp(cluster, scratchDir('no-plugins-'), {
      serviceAccount: 'headlamp-bare',
      clusterRole: 'cluster-admin',
    }),
    'Nodes table with headlamp-readiness': await startHeadlamp(cluster, developmentPluginsDir(buildPlugin(scratchDir('headlamp-build-'))), {
      serviceAccount: 'headlamp-readiness',
      clusterRole: 'cluster-admin',
    }),
    ...(earlierBuild
      ? {
          'Nodes table with the earlier build': await startHeadlamp(cluster, developmentPluginsDir(earlierBuild), {
            serviceAccount: 'headlamp-earlier',
            clusterRole: 'cluster-admin',
          }),
        }
      : {}),
  };
  for (const nodes of sizes) {
    const createMs = await createScaleNodes(cluster, nodes);
    const auditedBefore = Object.fromEntries(
      Object.values(hosts).map((host) => [host.username, auditedRequestsOf(cluster, host.username).length]),
    );
    const loads: Record<string, PageLoad[]> = Object.fromEntries(Object.keys(hosts).map((name) => [name, []]));
    const load = loadavg()[0]!.toFixed(1);
    // Which page loads first alternates, so neither always meets the cache or the machine in the same state.
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? Object.entries(hosts) : Object.entries(hosts).reverse();
      for (const [name, host] of order) loads[name]!.push(await loadNodesTable(browser, host.url, name.includes('with ')));
    }
    const profiled = 'Nodes table with headlamp-readiness';
    if (profile) await loadNodesTable(browser, hosts[profiled].url, true, true);
    const requestsPerLoad = Object.entries(hosts).map(([name, host]) => {
      const loadsSeen = rounds + (profile && name === profiled ? 1 : 0);
      const events = auditedRequestsOf(cluster, host.username).slice(auditedBefore[host.username]);
      const kinds = new Map<string, number>();
      for (const event of events) {
        const kind = `${event.verb} ${event.objectRef?.resource ?? event.requestURI.split('?')[0]}`;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1 / loadsSeen);
      }
      const listed = [...kinds].map(([kind, count]) => `${kind} ×${count.toFixed(count % 1 ? 1 : 0)}`).join('; ');
      return `${name}: ${(events.length / loadsSeen).toFixed(0)} API requests per load, as the audit log records them (${listed}); before its rows showed: ${requestsWithin(events, loads[name]!, (load) => [load.navigatedAt, load.rowsAt])}${afterRowsMs > 0 ? `; in the ${afterRowsMs / 1000} s after them: ${requestsWithin(events, loads[name]!, (load) => [load.rowsAt, load.rowsAt + afterRowsMs])}` : ''}`;
    });

    const spread = (values: number[]) =>
      `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)})`;
    const bare = loads['Nodes table without the plugin']!;
    /** The median of per-round ratios (each round's pages loaded back to back, so they met the same machine), its min-max, then the ratio of medians. */
    const ratio = (samples: PageLoad[], of: (sample: PageLoad) => number) => {
      const perRound = samples.map((sample, round) => of(sample) / of(bare[round]!));
      const ofMedians = median(samples.map(of)) / median(bare.map(of));
      const interval = medianInterval(perRound);
      return `${median(perRound).toFixed(2)}× (${(interval.coverage * 100).toFixed(0)} % interval of the median ${interval.low.toFixed(2)}-${interval.high.toFixed(2)}; min-max ${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)}; ratio of medians ${ofMedians.toFixed(2)}×)`;
    };
    console.log(
      `# P3 at ${new Date().toISOString()}: ${headlampLine()}; ${nodes} nodes (created in ${(createMs / 1000).toFixed(1)} s), ${rounds} rounds in alternating order, load average ${load} as they started; median (min-max)\n`,
    );
    type Column = [string, (samples: PageLoad[]) => string];
    const afterRowsColumn: Column = [
      `long tasks in the ${afterRowsMs / 1000} s after them, ms`,
      (samples) => spread(samples.map((sample) => sample.longTasksAfterRowsMs)),
    ];
    const columns: Column[] = [
      ["Headlamp's first request to the cluster, ms", (samples) => spread(samples.map((sample) => sample.firstApiRequestMs))],
      ["until Headlamp's rows are complete, ms", (samples) => spread(samples.map((sample) => sample.rowsMs))],
      ['until the Readiness cells are, ms', (samples) => spread(samples.map((sample) => sample.readinessMs))],
      ['until every visible row is complete, ms', (samples) => spread(samples.map((sample) => sample.ms))],
      ['rows', (samples) => String(samples[0]!.rows)],
      ['long tasks before the rows, ms', (samples) => spread(samples.map((sample) => sample.longTasksBeforeRowsMs))],
      ...(afterRowsMs > 0 ? [afterRowsColumn] : []),
      ['long tasks until every cell, ms', (samples) => spread(samples.map((sample) => sample.longTasksMs))],
      ['longest task, ms', (samples) => spread(samples.map((sample) => sample.longestTaskMs))],
    ];
    console.log(`| page | ${columns.map(([header]) => header).join(' | ')} |\n|---|${columns.map(() => '---|').join('')}`);
    for (const [name, samples] of Object.entries(loads))
      console.log(`| ${name} | ${columns.map(([, cell]) => cell(samples)).join(' | ')} |`);
    console.log(
      '\nto the page without the plugin, median of per-round ratios (where the median lies, from the rounds alone; min-max; ratio of medians):',
    );
    for (const [name, samples] of Object.entries(loads).filter(([, samples]) => samples !== bare))
      console.log(
        `- ${name}: Headlamp's first request to the cluster ${ratio(samples, (sample) => sample.firstApiRequestMs)}, Headlamp's rows ${ratio(samples, (sample) => sample.rowsMs)}, Readiness cells ${ratio(samples, (sample) => sample.readinessMs)}, every cell ${ratio(samples, (sample) => sample.ms)}, ${afterRowsMs > 0 ? `long tasks after the rows ${ratio(samples, (sample) => sample.longTasksAfterRowsMs)}, ` : ''}longest task ${ratio(samples, (sample) => sample.longestTaskMs)}`,
      );
    console.log(`\n${requestsPerLoad.join('\n')}\n`);
  }
  await Promise.all(Object.values(hosts).map((host) => host.stop()));
} finally {
  await browser.close();
  await cluster.stop();
}
