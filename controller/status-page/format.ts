/** Small pieces every section uses: times, tone badges, evidence values. */
import { formatAge, formatDuration } from '../state/views.js';
import { html, type Markup } from './html.js';
import type { Word } from './words.js';

/** `<time>` with the ISO instant (machine- and hover-readable) and the age a person reads. */
export function ago(at: number, now: number): Markup {
  const iso = new Date(at).toISOString();
  return html`<time datetime="${iso}" title="${iso}">${formatAge(now - at)} ago</time>`;
}

/** A UTC instant, minute precision: `2026-01-01 09:30 UTC`. */
export function utc(at: number): Markup {
  const iso = new Date(at).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

export function duration(ms: number): string {
  return formatDuration(ms);
}

/** A coloured label; the word carries the meaning, the colour only repeats it. */
export function badge(word: Word, text: string = word.label): Markup {
  return html`<span class="t ${word.tone}">${text}</span>`;
}

/** An evidence value as text: lists comma-separated. */
export function evidenceText(value: string | number | boolean | string[]): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** `5f167df4d7a3` from a spec commit id. */
export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}
