/**
 * `npm run screenshot`: regenerates docs/status-page.png, the README's picture of the status page.
 * The scenario passes of the browser tests (a healthy environment, a stale alias healed, a failed
 * migration, a broken listener) run on the simulated account and are recorded in a local state
 * table; the page drawn from it is photographed in Debian's Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { browserAvailable, CHROMIUM, launchBrowser } from '../testing/browser.js';
import { startStateTable } from '../testing/state-table.js';
import { runScenario, type ScenarioName } from '../testing/status-scenarios.js';
import { loadSiteData } from './data.js';
import { writeStatusSite } from './write.js';

export const SCREENSHOT = fileURLToPath(new URL('../../docs/status-page.png', import.meta.url));

async function main(): Promise<void> {
  // Only local servers and the simulated account are called: throwaway credentials do if none are set.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_REGION ??= 'ap-northeast-1';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (!browserAvailable()) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set STEADY_CHROMIUM)`);
  const table = await startStateTable();
  const dir = mkdtempSync(path.join(tmpdir(), 'steady-screenshot-'));
  try {
    let now = 0;
    for (const name of ['brokenListener', 'failedMigration', 'staleAlias', 'healthy'] as ScenarioName[]) {
      const w = await runScenario(name, (world) => table.store({ clock: world.account.clock }));
      now = Math.max(now, w.account.clock.now());
    }
    const file = await writeStatusSite(dir, await loadSiteData(table.store(), { now }));
    const browser = await launchBrowser();
    try {
      const page = await (await browser.context({ viewport: { width: 1100, height: 1500 }, colorScheme: 'light' })).newPage();
      await page.goto(pathToFileURL(file).href);
      await page.screenshot({ path: SCREENSHOT, clip: { x: 0, y: 0, width: 1100, height: 1500 } });
    } finally {
      await browser.close();
    }
    process.stdout.write(`wrote ${path.relative(process.cwd(), SCREENSHOT)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await table.close();
  }
}

main().catch((err) => {
  process.stderr.write(`screenshot failed: ${(err as Error).message}\n`);
  process.exit(1);
});
