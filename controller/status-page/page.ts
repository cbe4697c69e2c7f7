/**
 * The status page: one self-contained HTML document (inline CSS, no script, a strict
 * Content-Security-Policy), so a single file — or a single presigned URL — shows everything.
 * An overview of the environments, then per environment what needs attention, the wiring chains,
 * the resources, what the last pass did, the drift timeline and the recent passes.
 */
import type { StoredStatus } from '../state/records.js';
import type { EnvironmentData, SiteData } from './data.js';
import { wiringSection } from './chain.js';
import { ago, badge, shortId, utc } from './format.js';
import { anchorId, html, raw, type Markup } from './html.js';
import { attentionSection, lastPassSection, passesSection, resourcesSection } from './sections.js';
import { CONTENT_SECURITY_POLICY, STYLESHEET } from './style.js';
import { timelineSection } from './timeline.js';
import { maintenanceWord, modeWord, PHASES, passWord, phaseWord } from './words.js';
import { describeMaintenance } from '../model/maintenance.js';

/** The most urgent phase of an environment's resources, or none when it has none. */
export function worstPhase(statuses: StoredStatus[]): string | undefined {
  return statuses.map((s) => s.phase).sort((a, b) => phaseWord(a).rank - phaseWord(b).rank)[0];
}

function phaseCounts(statuses: StoredStatus[]): Markup {
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s.phase, (counts.get(s.phase) ?? 0) + 1);
  const order = [...counts.keys()].sort((a, b) => phaseWord(a).rank - phaseWord(b).rank);
  return html`<span class="counts">${order.map((p) => badge(phaseWord(p), `${counts.get(p)} ${phaseWord(p).label}`))}</span>`;
}

function commitCell(env: EnvironmentData): Markup {
  const last = env.passes[0];
  if (!last?.specVersion) return html`<span class="muted">local files</span>`;
  const src = last.specSource;
  const origin = [src?.gitCommit ? html`git <span class="mono">${src.gitCommit.slice(0, 12)}</span>` : '', src?.publishedAt ? html`published ${utc(Date.parse(src.publishedAt))}` : '']
    .filter(Boolean)
    .map((part, i) => html`${i ? ', ' : ''}${part}`);
  return html`<span class="mono">${shortId(last.specVersion)}</span>${src?.author ? html` by ${src.author}` : ''}${origin.length ? html`<br><span class="muted">${origin}</span>` : ''}`;
}

function leaseCell(env: EnvironmentData, now: number): Markup {
  const l = env.lease;
  if (!l || l.state !== 'held' || l.expiresAt <= now) return html`<span class="muted">idle</span>`;
  return html`a pass is running: <span class="mono">${l.holder}</span>, until ${utc(l.expiresAt)}`;
}

/** Whether the environment is in maintenance, who turned it on, why and until when (its Maintenance statuses). */
function maintenanceCell(env: EnvironmentData): Markup {
  const pages = env.statuses.filter((s) => s.kind === 'Maintenance');
  if (pages.length === 0) return html`<span class="muted">–</span>`;
  return html`${pages.map((s, i) => {
    const m = s.maintenance;
    const inPlace = s.phase === 'Synced' || s.phase === 'Progressing';
    const state = m && inPlace ? m.state : undefined;
    const label = pages.length > 1 ? `${s.name}: ` : '';
    const word = state ? maintenanceWord(state) : phaseWord(s.phase);
    const detail = m && m.state === 'on' ? describeMaintenance(m).replace(/^on /, '') : '';
    return html`${i ? html`<br>` : ''}${label}${badge(word)}${detail ? html` <span class="muted">${inPlace ? detail : `should be ${describeMaintenance(m!)}`}</span>` : ''}`;
  })}`;
}

function overviewRow(env: EnvironmentData, now: number): Markup {
  const worst = worstPhase(env.statuses);
  const last = env.passes[0];
  return html`<tr><td data-l="Environment"><a href="#${anchorId('env', env.name)}">${env.name}</a></td><td data-l="State">${
    worst ? badge(phaseWord(worst)) : html`<span class="muted">no resources</span>`
  }</td><td data-l="Resources">${phaseCounts(env.statuses)}</td><td data-l="Last pass">${
    last ? html`${badge(passWord(last))} ${ago(last.finishedAt, now)}` : html`<span class="muted">none</span>`
  }</td><td data-l="Live commit">${commitCell(env)}</td><td data-l="Mode">${last ? badge(modeWord(last.mode)) : '–'}</td><td data-l="Maintenance">${maintenanceCell(env)}</td><td data-l="Lease">${leaseCell(env, now)}</td></tr>`;
}

function overview(data: SiteData): Markup {
  return html`<section aria-labelledby="overview"><h2 id="overview">Environments (${data.environments.length})</h2>${
    data.environments.length === 0
      ? html`<p>No pass has been recorded in the state table yet.</p>`
      : html`<div class="scroll" role="region" aria-labelledby="overview" tabindex="0"><table class="stack"><thead><tr><th scope="col">Environment</th><th scope="col">State</th><th scope="col">Resources</th><th scope="col">Last pass</th><th scope="col">Live commit</th><th scope="col">Mode</th><th scope="col">Maintenance</th><th scope="col">Lease</th></tr></thead><tbody>${data.environments.map(
          (e) => overviewRow(e, data.generatedAt),
        )}</tbody></table></div>`
  }</section>`;
}

function environmentSection(env: EnvironmentData, data: SiteData): Markup {
  const now = data.generatedAt;
  const id = anchorId('env', env.name);
  const last = env.passes[0];
  const worst = worstPhase(env.statuses);
  return html`<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${env.name} ${worst ? badge(phaseWord(worst)) : ''}</h2><p class="meta">${
    last
      ? html`Last pass ${ago(last.finishedAt, now)} (${utc(last.finishedAt)}), ${passWord(last).label}${last.error ? html`: ${last.error}` : ''}. Mode ${modeWord(last.mode).label}.`
      : 'No pass recorded.'
  }</p>${attentionSection(env.statuses, env.name, now)}${wiringSection(env.statuses, env.name)}${resourcesSection(env.statuses, env.name, now)}${lastPassSection(
    env.report,
    env.name,
  )}${timelineSection(env.drift, env.name, data.since, now)}${passesSection(env.passes, env.name, now)}</section>`;
}

/**
 * The whole page as one HTML document.
 *
 * @example
 * const page = renderStatusPage(await loadSiteData(store, { now: Date.now() }));
 */
export function renderStatusPage(data: SiteData): string {
  const title = data.environments.length === 1 ? `steady: ${data.environments[0].name}` : 'steady: status';
  const nav =
    data.environments.length > 1
      ? html`<nav aria-label="Environments"><ul>${data.environments.map((e) => {
          const worst = worstPhase(e.statuses);
          return html`<li><a href="#${anchorId('env', e.name)}">${e.name}${worst && worst !== 'Synced' ? html` (${phaseWord(worst).label})` : ''}</a></li>`;
        })}</ul></nav>`
      : '';
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><title>${title}</title><style>${raw(
    STYLESHEET,
  )}</style></head>
<body><a class="skip" href="#main">Skip to content</a><header><h1>${title}</h1><p class="meta">As recorded in the state table: made ${utc(data.generatedAt)} from ${data.source}. Legend: ${[
    'Synced',
    'Progressing',
    'Drifted',
    'Blocked',
    'Failed',
  ].map((p, i) => html`${i ? ' ' : ''}${badge(PHASES[p])}`)}</p>${nav}</header>
<main id="main">${overview(data)}${data.environments.map((e) => environmentSection(e, data))}</main>
<footer>steady status page. Links: ✓ connected, ✗ broken, ? could not be read, – not checked.</footer></body></html>
`;
  return page.text;
}
