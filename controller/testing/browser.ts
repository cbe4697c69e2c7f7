/**
 * Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core
 * (no browser download is possible here, so playwright's own builds are never used). Each launch
 * gets a fresh profile, and everything that would talk to the network on its own is switched off.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The system Chromium (`STEADY_CHROMIUM` overrides it). */
export const CHROMIUM = process.env.STEADY_CHROMIUM ?? '/usr/bin/chromium';

/** `.ci/run` sets this: there, a missing browser fails the browser tests instead of skipping them. */
export const BROWSER_REQUIRED = process.env.STEADY_REQUIRE_BROWSER === '1';

/** Where the browser tests leave their screenshots for review (git-ignored). */
export const TEST_OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function browserAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** Why the browser tests do not run, loud enough to notice in a test log. */
export function skipBanner(): string {
  const line = '!'.repeat(100);
  return `${line}\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set STEADY_CHROMIUM.\n!!! CI (.ci/run) installs it and fails instead of skipping (STEADY_REQUIRE_BROWSER=1).\n${line}`;
}

export interface ContextOptions {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** Ignore the page's Content-Security-Policy: to prove escaping alone keeps markup inert. */
  bypassCSP?: boolean;
}

export interface Browser {
  /** A fresh context (its own storage, viewport and colour scheme) on the one browser. */
  context(options?: ContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Launches the system Chromium. playwright gives every launch a fresh `--user-data-dir` of its
 * own (a temporary profile it removes on close), so no state survives between runs.
 *
 * @example
 * const browser = await launchBrowser();
 * const page = await (await browser.context()).newPage();
 */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return { context: (options = {}) => browser.newContext(options), close: () => browser.close() };
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

/** A violation axe-core found, as the tests report it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (the pinned package's source, evaluated in the page: the page's CSP allows no
 * script tag) and returns the violations of the given impacts.
 */
export async function axeViolations(page: Page, impacts: string[] = ['serious', 'critical']): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact !== null && impacts.includes(v.impact))
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

/** Saves a screenshot under test-output/<folder>/<name>.png for people to look at. */
export async function screenshot(page: Page, folder: string, name: string, fullPage = true): Promise<string> {
  const dir = path.join(TEST_OUTPUT, folder);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}
