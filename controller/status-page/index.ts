/**
 * The status page: a self-contained HTML view of the state table (environments, resources,
 * wiring chains, drift timeline, recent passes). See README.md beside this file.
 */
export { loadSiteData, DEFAULT_PASSES, DEFAULT_WINDOW_MS, type EnvironmentData, type LoadOptions, type SiteData } from './data.js';
export { renderStatusPage, worstPhase } from './page.js';
export { writeStatusSite, PAGE_FILE } from './write.js';
export { CONTENT_SECURITY_POLICY } from './style.js';
export { publishStatusPage, STATUS_PAGE_KEY } from './publish.js';
export { statusPageUrl, DEFAULT_URL_TTL_SECONDS, MAX_URL_TTL_SECONDS } from './url.js';
