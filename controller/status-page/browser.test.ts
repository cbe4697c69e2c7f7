/**
 * The status page in a real browser (Debian's Chromium through playwright-core), rendered from the
 * state table after scenario passes on the simulated account: what a person sees, what a keyboard
 * reaches, what axe-core finds, and that markup from names and ECS events never runs.
 * Screenshots go to test-output/status-page/ for review.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, browserAvailable, BROWSER_REQUIRED, CHROMIUM, launchBrowser, screenshot, skipBanner, TEST_OUTPUT, type Browser, type ContextOptions } from '../testing/browser.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { HOSTILE, hostilePass } from '../testing/status-fixtures.js';
import { HOSTILE_REASON, runScenario, SCENARIOS, type ScenarioName } from '../testing/status-scenarios.js';
import { loadSiteData } from './data.js';
import { writeStatusSite } from './write.js';

const available = browserAvailable();
if (!available && !BROWSER_REQUIRED) console.warn(skipBanner());

describe.runIf(!available && BROWSER_REQUIRED)('the browser tests in CI', () => {
  it('have a Chromium to run in', () => {
    expect.fail(`no Chromium at ${CHROMIUM}: .ci/run installs the chromium package before the tests; the browser tests must not be skipped in CI`);
  });
});

const SHOTS = 'status-page';
const PAGES = path.join(TEST_OUTPUT, SHOTS, 'pages');

describe.runIf(available)('the status page in a browser', () => {
  let t: LocalStateTable;
  let browser: Browser;
  const pages: Partial<Record<ScenarioName | 'all' | 'hostile', string>> = {};

  beforeAll(async () => {
    t = await startStateTable();
    let now = 0;
    for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
      const w = await runScenario(name, (world) => t.store({ clock: world.account.clock }));
      now = Math.max(now, w.account.clock.now());
    }
    const store = t.store();
    const hostile = hostilePass(now);
    await store.savePass(hostile);
    mkdirSync(PAGES, { recursive: true });
    for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
      pages[name] = await writeStatusSite(path.join(PAGES, name), await loadSiteData(store, { environment: SCENARIOS[name], now }));
    }
    pages.hostile = await writeStatusSite(path.join(PAGES, 'hostile'), await loadSiteData(store, { environment: hostile.environment, now }));
    pages.all = await writeStatusSite(path.join(PAGES, 'all'), await loadSiteData(store, { now }));
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Opens a rendered page; collects what the console said (CSP refusals would show there). */
  async function open(which: keyof typeof pages, options: ContextOptions = {}): Promise<{ page: Page; console: string[] }> {
    const context = await browser.context({ viewport: { width: 1200, height: 900 }, ...options });
    const page = await context.newPage();
    const messages: string[] = [];
    page.on('console', (m) => messages.push(m.text()));
    page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(pages[which]!).href);
    return { page, console: messages };
  }

  const text = (page: Page, selector: string) => page.locator(selector).allInnerTexts();

  it('shows a healthy environment as Synced, every link of its chain connected', async () => {
    const { page } = await open('healthy');

    expect(await page.locator('h2', { hasText: SCENARIOS.healthy }).innerText()).toBe(`${SCENARIOS.healthy} Synced`);
    expect(await page.getByText('Every resource is as its spec says.').isVisible()).toBe(true);
    // The overview: what runs, and who published it.
    const row = await page.getByRole('row', { name: new RegExp(SCENARIOS.healthy) }).innerText();
    expect(row).toMatch(/Synced\s+7 Synced\s+(converged|converging) \d+m ago\s+9830ce858a1f by Ana Lima <ana@example\.com>\ngit 4f2a9c1d7be0, published 2025-12-31 23:50 UTC\s+enforce\s+off\s+idle/);
    const healthy = page.locator('summary', { hasText: 'connected end to end' });
    expect(await healthy.innerText()).toBe('✓ 1 service connected end to end');
    await healthy.focus();
    await page.keyboard.press('Enter');
    const chain = page.locator('details[open] details summary', { hasText: 'api' });
    await chain.focus();
    await page.keyboard.press('Enter');
    const links = await text(page, 'details[open] details[open] ol.links > li');
    expect(links.length).toBeGreaterThanOrEqual(10);
    expect(links.every((l) => l.startsWith('✓ connected'))).toBe(true);
    expect(links[0]).toMatch(/^✓ connected alias api\.example\.com A -> /);
    await screenshot(page, SHOTS, 'healthy');
  });

  it('shows the stale alias healed: the drift on the timeline with its time to heal and what steady did', async () => {
    const { page } = await open('staleAlias');

    const entry = page.locator('ol.timeline > li', { hasText: 'AliasRecord/api-dns' }).first();
    const seen = await entry.innerText();
    expect(seen).toMatch(/AliasRecord\/api-dns healed by steady healed after \d+s/);
    expect(seen).toMatch(/api\.example\.com A: .*shop-api-alb-\d+\..* -> ALIAS shop-api-alb-\d+\./);
    expect(seen).toMatch(/steady: update api\.example\.com A -> shop-api-alb-\d+\.ap-northeast-1\.elb\.amazonaws\.com/);
    const did = await page.getByRole('region', { name: 'What the last pass did' }).locator('li').allInnerTexts();
    expect(did).toEqual([expect.stringMatching(/^done update api\.example\.com A -> shop-api-alb-\d+/)]);
    await screenshot(page, SHOTS, 'stale-alias');
  });

  it('shows a failed migration with its message, and the service it blocks', async () => {
    const { page } = await open('failedMigration');

    const attention = page.getByRole('region', { name: 'Needs attention' });
    const cards = await attention.locator('.card').allInnerTexts();
    const migration = cards.find((c) => c.includes('Migration/db-migrate'))!;
    expect(migration).toMatch(/^Failed Migration\/db-migrate MigrationFailed since \d+m ago/);
    expect(migration).toContain(`migration db-migrate failed: ${HOSTILE_REASON}`);
    expect(cards.find((c) => c.includes('Service/api') && !c.includes('Wiring'))).toMatch(/^Blocked Service\/api MigrationFailed/);
    // The wiring the rollout would mend is not "in progress": it waits on the same migration, and says how to go on.
    const wiring = cards.find((c) => c.includes('Wiring/api'))!;
    expect(wiring).toMatch(/^Blocked Wiring\/api /);
    expect(wiring).toContain('after fixing migration db-migrate, run `steady retry migration/db-migrate --env shop-failed-migration`');
    expect(await attention.locator('.card.bad').count()).toBe(3);
    await screenshot(page, SHOTS, 'failed-migration');
  });

  it('draws the broken listener as the first broken link, in red, with what to fix', async () => {
    const { page } = await open('brokenListener');

    const first = page.locator('ol.chain .first');
    expect(await first.innerText()).toMatch(/^✗ forward\n/);
    // What a screen reader says after the link's name (the mark and colour are not all it gets).
    expect(await first.locator('.sr').textContent()).toBe(': broken, first broken link');
    expect(await first.getAttribute('class')).toBe('t bad first');
    const color = await page.evaluate(`getComputedStyle(document.querySelector('ol.chain .first')).color`);
    expect(color).toBe('rgb(160, 17, 31)');
    const fix = await page.locator('.fix').innerText();
    expect(fix).toMatch(/^✗ First broken link: forward ListenerForwardsElsewhere\n/);
    expect(fix).toContain('forwards to shop-api-canary (default action), not to shop-api-tg');
    expect(fix).toContain('Point the default action, or a rule, at shop-api-tg');
    // The links before it are connected.
    const marks = (await text(page, 'ol.chain > li')).map((m) => m.split('\n')[0]);
    expect(marks.slice(0, marks.indexOf('✗ forward'))).toEqual(['✓ alias', '✓ load balancer', '✓ listener', '✓ certificate']);
    await screenshot(page, SHOTS, 'broken-listener');
  });

  it('runs no markup from names, messages or ECS events, with its CSP and without it', async () => {
    for (const bypassCSP of [false, true]) {
      for (const which of ['hostile', 'failedMigration'] as const) {
        const { page, console } = await open(which, { bypassCSP });
        expect(await page.evaluate('window.__steadyInjected')).toBeUndefined();
        expect(await page.evaluate(`document.querySelectorAll('script, img, svg, iframe, [onerror], [onload]').length`)).toBe(0);
        expect(console.filter((m) => /pageerror/.test(m))).toEqual([]);
        if (which === 'hostile') {
          // Shown as the text it is.
          const body = await page.locator('body').innerText();
          for (const h of HOSTILE) expect(body).toContain(h);
        }
      }
    }
    await screenshot((await open('hostile')).page, SHOTS, 'hostile');
  });

  it('applies its stylesheet under its own CSP, and the CSP refuses nothing', async () => {
    const { page, console } = await open('all');

    expect(console.filter((m) => /Content Security Policy|Refused/i.test(m))).toEqual([]);
    // The inline stylesheet is allowed by its hash: badges are coloured.
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.t.bad')).backgroundColor`)).toBe('rgb(255, 235, 233)');
  });

  it('has no serious or critical accessibility violations, light and dark, on a desktop and a phone', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const viewport of [{ width: 1200, height: 900 }, { width: 375, height: 800 }]) {
        const { page } = await open('all', { colorScheme, viewport });
        // Open every folded part, so axe checks the evidence too.
        await page.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true; })`);
        expect(await axeViolations(page), `${colorScheme} ${viewport.width}px`).toEqual([]);
      }
    }
    // Four full axe scans of the whole page: near 30 s on a loaded two-core machine.
  }, 90_000);

  it('has an axe check that finds violations where there are some', async () => {
    const page = await (await browser.context()).newPage();
    await page.setContent('<!doctype html><html><body><img src="data:,"><button></button></body></html>');

    expect((await axeViolations(page)).map((v) => v.id).sort()).toEqual(['button-name', 'document-title', 'html-has-lang', 'image-alt']);
  });

  it('reads on a phone: nothing is wider than the screen', async () => {
    const { page } = await open('all', { viewport: { width: 375, height: 800 } });
    await page.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true; })`);

    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await screenshot(page, SHOTS, 'phone');
    const dark = await open('brokenListener', { viewport: { width: 375, height: 800 }, colorScheme: 'dark' });
    await screenshot(dark.page, SHOTS, 'phone-dark');
  });

  it('works with a keyboard: the skip link first, then every environment and fold in reach', async () => {
    const { page } = await open('all');

    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('location.hash')).toBe('#main');
    // Tab on from there reaches every environment link and every fold (summary).
    const reached = new Set<string>();
    const controls = (await page.evaluate(`document.querySelectorAll('a, summary, [tabindex="0"]').length`)) as number;
    for (let i = 0; i < controls + 5; i++) {
      await page.keyboard.press('Tab');
      reached.add((await page.evaluate(`document.activeElement.tagName + ':' + document.activeElement.textContent.slice(0, 60)`)) as string);
    }
    for (const env of Object.values(SCENARIOS)) expect([...reached]).toContain(`A:${env}`);
    const summary = [...reached].find((r) => r.startsWith('SUMMARY:'));
    expect(summary).toBeDefined();
    // A fold opens with the keyboard.
    const fold = page.locator('summary').first();
    await fold.focus();
    await page.keyboard.press('Space');
    expect(await page.evaluate(`document.querySelector('summary').parentElement.open`)).toBe(true);
  });
});
