/** Writing the page to a folder (`steady status --html DIR`, `steady demo`). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SiteData } from './data.js';
import { renderStatusPage } from './page.js';

/** The page's file name in its folder (and its key under the S3 prefix). */
export const PAGE_FILE = 'index.html';

/**
 * Renders the page into `dir/index.html` (the folder is created) and returns the file's absolute path.
 *
 * @example
 * const file = await writeStatusSite('status', await loadSiteData(store, { now }));
 */
export async function writeStatusSite(dir: string, data: SiteData): Promise<string> {
  const file = path.resolve(dir, PAGE_FILE);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, renderStatusPage(data), 'utf8');
  return file;
}
