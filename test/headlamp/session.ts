// Where the window-size suites look: NRC's hardened example on a fresh
// cluster with node-b's reporter failing, the controller, a Headlamp with our
// plugin installed, and a browser.
import type { Browser } from 'playwright-core';
import { buildPlugin } from '../../headlamp-plugin/release/package.ts';
import { type Cluster, startCluster } from '../cluster/cluster.ts';
import { startReporters } from '../cluster/reporters.ts';
import { loadScenario, startController } from '../cluster/scenario.ts';
import { scratchDir } from '../scratch.ts';
import { developmentPluginsDir, launchBrowser } from './browser.ts';
import { startHeadlamp, type Headlamp } from './headlamp.ts';

/** The window sizes people use, as [width, height]. */
export const WINDOW_SIZES = [
  [1280, 800],
  [1440, 900],
  [1920, 1080],
] as const;

export interface HardenedSession {
  cluster: Cluster;
  headlamp: Headlamp;
  browser: Browser;
  stop(): Promise<void>;
}

export async function hardenedSession(): Promise<HardenedSession> {
  const cluster = await startCluster();
  try {
    const scenario = await loadScenario(cluster, 'hardened');
    await startReporters(cluster, scenario, { 'node-a': true, 'node-b': false, 'node-c': true });
    await startController(cluster);
    const headlamp = await startHeadlamp(cluster, developmentPluginsDir(buildPlugin(scratchDir('headlamp-build-'))));
    const browser = await launchBrowser();
    return {
      cluster,
      headlamp,
      browser,
      async stop() {
        await browser.close();
        await headlamp.stop();
        await cluster.stop();
      },
    };
  } catch (error) {
    // The caller never gets the cluster to stop, and its processes would keep the test file alive.
    await cluster.stop();
    throw error;
  }
}
