/**
 * The drift timeline: each drift from first seen to healed (or still open), how long healing
 * took, and what steady did about it. Newest first.
 */
import type { DriftRecord } from '../state/records.js';
import { anchorId, html, type Markup } from './html.js';
import { ago, badge, duration, utc } from './format.js';
import { driftWord } from './words.js';

function what(d: DriftRecord): Markup {
  if (d.resolution === 'healed') {
    return d.healedWith?.length
      ? html`<p>steady: ${d.healedWith.map((a, i) => html`${i ? '; ' : ''}<span class="mono">${a}</span>`)}</p>`
      : html`<p>steady healed it in pass <span class="mono">${d.healedBy ?? ''}</span></p>`;
  }
  if (d.resolution === 'gone') return html`<p class="muted">A later pass no longer saw it: fixed outside steady, or superseded by a newer change.</p>`;
  return html`<p>Last seen ${d.lastSeenAt ? utc(d.lastSeenAt) : ''}.</p>`;
}

function entry(d: DriftRecord, now: number): Markup {
  const w = driftWord(d.resolution);
  const took =
    d.timeToHealMs !== undefined
      ? html`${d.resolution === 'healed' ? 'healed' : 'gone'} after <strong>${duration(d.timeToHealMs)}</strong>`
      : html`open for <strong>${duration(now - d.detectedAt)}</strong>`;
  return html`<li class="${w.tone}"><p>${utc(d.detectedAt)} (${ago(d.detectedAt, now)}) <strong>${d.resource}</strong> ${badge(w)} ${took}</p><p>${d.summary}</p>${what(d)}</li>`;
}

/** Entries drawn; the counts and the median cover every drift of the window. */
export const MAX_TIMELINE_ENTRIES = 100;

export function timelineSection(drift: DriftRecord[], envName: string, since: number, now: number): Markup {
  const id = anchorId('drift', envName);
  const healed = drift.filter((d) => d.resolution === 'healed' && d.timeToHealMs !== undefined).map((d) => d.timeToHealMs!);
  const median = healed.length ? [...healed].sort((a, b) => a - b)[Math.floor(healed.length / 2)] : undefined;
  const open = drift.filter((d) => d.resolution === undefined).length;
  return html`<section aria-labelledby="${id}"><h3 id="${id}">Drift since ${utc(since)}</h3>${
    drift.length === 0
      ? html`<p class="meta">No drift in this window.</p>`
      : html`<p class="meta">${drift.length} drift ${drift.length === 1 ? 'event' : 'events'}, ${open} open${
          median !== undefined ? html`; median time to heal <strong>${duration(median)}</strong>` : ''
        }.</p><ol class="timeline">${drift.slice(0, MAX_TIMELINE_ENTRIES).map((d) => entry(d, now))}</ol>${
          drift.length > MAX_TIMELINE_ENTRIES
            ? html`<p class="meta">The ${drift.length - MAX_TIMELINE_ENTRIES} older ${drift.length - MAX_TIMELINE_ENTRIES === 1 ? 'event is' : 'events are'} in <code>steady history</code>.</p>`
            : ''
        }`
  }</section>`;
}
