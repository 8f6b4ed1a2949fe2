// Debian's headless Chromium driven by playwright-core, collecting every sign
// of a broken plugin load: console errors, page errors, failed requests and
// scripts served as HTML (an SPA fallback hiding a missing file).
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { scratchDir } from '../scratch.ts';

const pluginDir = resolve(import.meta.dirname, '..', '..', 'headlamp-plugin');

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

export interface WatchedPage {
  page: Page;
  /** Everything that went wrong, one line each. */
  problems: string[];
  /** Requests that left the loopback origin, other than Headlamp's own icon lookups. */
  external: string[];
  /** Icon names Headlamp looked up by "mdi:" string; a plugin that bundles its icons adds none. */
  iconLookups: string[];
}

const ICONIFY_API = /^https:\/\/api\.(iconify\.design|simplesvg\.com|unisvg\.com)\/mdi\.json\?/;
const requireIcon = createRequire(import.meta.url);

/**
 * A view can name an mdi icon Headlamp's bundle lacks, which Iconify would
 * fetch from its API; the test answers that from the same @iconify/icons-mdi
 * package instead of letting the browser go online, and records the name.
 */
function iconCollection(names: string[]): Record<string, unknown> {
  const icons: Record<string, unknown> = {};
  for (const name of names) {
    const module = `@iconify/icons-mdi/${name}.js`;
    try {
      if (/^[a-z0-9-]+$/.test(name)) icons[name] = (requireIcon(module) as { default: unknown }).default;
    } catch {
      // Unknown icon: reported back as not_found below.
    }
  }
  return { prefix: 'mdi', width: 24, height: 24, icons, not_found: names.filter((name) => !(name in icons)) };
}

/**
 * Headlamp's own noise: requests a test cluster cannot answer (it runs no
 * metrics-server), and the line its shared watch socket logs when a connect
 * attempt is cut off by a navigation, after which it reconnects (the live
 * update tests prove the watches keep working).
 */
const HEADLAMP_NOISE = [/\/metrics\.k8s\.io\//, /^WebSocket error: Event$/];

export async function openPage(browser: Browser, origin: string): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const external: string[] = [];
  const iconLookups: string[] = [];
  await context.route(ICONIFY_API, (route) => {
    const names = (new URL(route.request().url()).searchParams.get('icons') ?? '').split(',').filter(Boolean);
    iconLookups.push(...names);
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(iconCollection(names)) });
  });
  const noise = (text: string) => HEADLAMP_NOISE.some((pattern) => pattern.test(text));
  page.on('console', (message) => {
    const text = message.text();
    if (/Plugin execution error/.test(text)) problems.push(`plugin: ${text}`);
    // Failed loads are judged by the response listener below, which knows the URL.
    else if (message.type() === 'error' && !text.startsWith('Failed to load resource') && !noise(text) && !noise(message.location().url))
      problems.push(`console: ${text.split('\n')[0]} (on ${new URL(page.url()).pathname})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !ICONIFY_API.test(url)) external.push(url);
  });
  page.on('requestfailed', (request) => {
    if (!noise(request.url()) && request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()}`);
  });
  page.on('response', (response) => {
    const type = response.headers()['content-type'] ?? '';
    // API answers (403, 404) are data the views explain; anything else failing is a broken page.
    const apiAnswer = new URL(response.url()).pathname.startsWith('/clusters/');
    if (response.status() >= 400 && !apiAnswer && !noise(response.url())) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    if (response.request().resourceType() === 'script' && type.startsWith('text/html'))
      problems.push(`script served as HTML: ${response.url()}`);
  });
  return { page, problems, external, iconLookups };
}

/** A plugins directory holding a built main.js, as `headlamp-plugin start` would lay it out. */
export function developmentPluginsDir(mainJs: string): string {
  const root = scratchDir('headlamp-plugins-');
  const target = join(root, 'headlamp-readiness');
  mkdirSync(target);
  cpSync(mainJs, join(target, 'main.js'));
  cpSync(join(pluginDir, 'package.json'), join(target, 'package.json'));
  return root;
}
