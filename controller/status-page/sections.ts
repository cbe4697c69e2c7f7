/**
 * The parts of an environment's section that are tables and cards: what needs attention, every
 * resource with its conditions, what the last pass did, and the recent passes.
 */
import type { Report } from '../report/model.js';
import type { PassRecord, StoredStatus } from '../state/records.js';
import { anchorId, html, type Markup } from './html.js';
import { formatAge } from '../state/views.js';
import { ago, badge, duration, shortId } from './format.js';
import { actionWord, modeWord, passWord, phaseWord } from './words.js';

const KIND_ORDER: Record<string, number> = { Migration: 0, Service: 1, AliasRecord: 2, Wiring: 3 };

/** Most urgent first, then migrations, services, aliases, wiring, each by name. */
export function byUrgency(a: StoredStatus, b: StoredStatus): number {
  return phaseWord(a.phase).rank - phaseWord(b.phase).rank || (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || a.name.localeCompare(b.name);
}

function lastError(s: StoredStatus, now: number): Markup {
  if (!s.lastError || s.phase === 'Synced') return html``;
  const e = s.lastError;
  return html`<p class="muted">Last error ${ago(e.at, now)}: ${e.what}: ${e.message}${e.awsName ? html` <code>${e.awsName}</code>` : ''}</p>`;
}

function notes(s: StoredStatus): Markup {
  return s.notes?.length ? html`<ul>${s.notes.map((n) => html`<li>${n}</li>`)}</ul>` : html``;
}

/** A resource that is not Synced, as a card: phase, reason, the message, notes, the last error. */
function attentionCard(s: StoredStatus, now: number): Markup {
  const w = phaseWord(s.phase);
  const chainLink = s.kind === 'Wiring' && s.wiring ? html` <a href="#${anchorId('wiring', `${s.environment}/${s.name}`)}">See the chain</a>` : '';
  return html`<div class="card ${w.tone}"><p>${badge(w)} <strong>${s.resource}</strong> <code>${s.reason}</code> <span class="muted">since ${ago(
    s.lastTransitionTime,
    now,
  )}</span></p><p>${s.message}${chainLink}</p>${notes(s)}${lastError(s, now)}</div>`;
}

/** Cards drawn under "Needs attention"; the rest are in the resources table, most urgent first. */
export const MAX_ATTENTION_CARDS = 100;

export function attentionSection(statuses: StoredStatus[], envName: string, now: number): Markup {
  const id = anchorId('attention', envName);
  const bad = statuses.filter((s) => s.phase !== 'Synced').sort(byUrgency);
  const more = bad.length - MAX_ATTENTION_CARDS;
  return html`<section aria-labelledby="${id}"><h3 id="${id}">Needs attention</h3>${
    bad.length === 0 ? html`<p class="meta">${badge(phaseWord('Synced'))} Every resource is as its spec says.</p>` : bad.slice(0, MAX_ATTENTION_CARDS).map((s) => attentionCard(s, now))
  }${more > 0 ? html`<p class="meta">${more} more, at the top of the resources below.</p>` : ''}</section>`;
}

/** One row per resource, as small as it can be: a thousand of them must stay light. */
function resourceRow(s: StoredStatus, now: number): Markup {
  const w = phaseWord(s.phase);
  return html`<tr><td class="mono">${s.resource}</td><td><span class="t ${w.tone}">${w.label}</span></td><td><code>${s.reason}</code></td><td><time datetime="${new Date(
    s.lastTransitionTime,
  ).toISOString()}">${formatAge(now - s.lastTransitionTime)}</time></td><td>${s.message}</td></tr>`;
}

/** Every resource (the chains are drawn in their own section), with its phase, reason and message. */
export function resourcesSection(statuses: StoredStatus[], envName: string, now: number): Markup {
  const id = anchorId('resources', envName);
  const rows = statuses.filter((s) => s.kind !== 'Wiring').sort(byUrgency);
  return html`<section aria-labelledby="${id}"><h3 id="${id}">Resources (${rows.length})</h3><div class="scroll" role="region" aria-labelledby="${id}" tabindex="0"><table class="stack res"><thead><tr><th scope="col">Resource</th><th scope="col">Phase</th><th scope="col">Reason</th><th scope="col">For</th><th scope="col">Message</th></tr></thead><tbody>${rows.map(
    (s) => resourceRow(s, now),
  )}</tbody></table></div></section>`;
}

function changes(p: PassRecord): string {
  const a = p.actions;
  if (a.planned === 0 && a.done + a.failed + a.blocked + a.held + a.pending === 0) return 'none';
  const parts = (['done', 'failed', 'blocked', 'held', 'pending'] as const).filter((k) => a[k] > 0).map((k) => `${a[k]} ${actionWord(k).label}`);
  return `${a.planned} planned${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function passRow(p: PassRecord, now: number): Markup {
  const w = passWord(p);
  const label = p.dryRun ? `${w.label} (dry run)` : p.mode === 'observe' ? `${w.label} (${modeWord('observe').label})` : w.label;
  return html`<tr><td data-l="Started">${ago(p.startedAt, now)}</td><td data-l="Outcome">${badge(w, label)}${
    p.error ? html`<br><span class="muted">${p.error}</span>` : ''
  }</td><td data-l="Duration">${duration(p.durationMs)}</td><td data-l="API calls">${p.apiCallCount}</td><td data-l="Changes">${changes(p)}</td><td data-l="Drift">${
    p.drift.detected === 0 ? '–' : `${p.drift.detected} seen, ${p.drift.healed} healed`
  }</td><td data-l="Spec"><span class="mono">${p.specVersion ? shortId(p.specVersion) : '–'}</span></td></tr>`;
}

export function passesSection(passes: PassRecord[], envName: string, now: number): Markup {
  const id = anchorId('passes', envName);
  if (passes.length === 0) return html`<section aria-labelledby="${id}"><h3 id="${id}">Recent passes</h3><p class="meta">No pass recorded.</p></section>`;
  return html`<section aria-labelledby="${id}"><h3 id="${id}">Recent passes (${passes.length})</h3><div class="scroll" role="region" aria-labelledby="${id}" tabindex="0"><table class="stack"><thead><tr><th scope="col">Started</th><th scope="col">Outcome</th><th scope="col">Duration</th><th scope="col">API calls</th><th scope="col">Changes</th><th scope="col">Drift</th><th scope="col">Spec</th></tr></thead><tbody>${passes.map(
    (p) => passRow(p, now),
  )}</tbody></table></div></section>`;
}

/** The actions of the last pass and how each went: what steady did, in its own words. */
export function lastPassSection(report: Report | undefined, envName: string): Markup {
  // Stored reports outlive the version that wrote them: read them leniently.
  const actions = (report?.resources ?? []).flatMap((r) => (r.actions ?? []).map((a) => ({ resource: r.resource, ...a })));
  if (!report || actions.length === 0) return html``;
  const id = anchorId('last', envName);
  return html`<section aria-labelledby="${id}"><h3 id="${id}">What the last pass did</h3><ul class="links">${actions.map((a) => {
    const w = actionWord(a.state);
    return html`<li>${badge(w)} <span class="mono">${a.summary}</span>${a.message ? html`<br><span class="muted">${a.message}</span>` : ''}${
      a.awsName ? html` <code>${a.awsName}</code>` : ''
    }</li>`;
  })}</ul></section>`;
}
