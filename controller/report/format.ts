/**
 * Small wording helpers shared by every report rendering (terminal, Slack, email), so that the
 * three say the same thing the same way.
 */

/** `1 drift`, `2 drifts`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/**
 * A duration for people: `850ms`, `42s`, `3m 20s`, `2h 05m`, `1d 3h`. Two units at most: nobody
 * needs the seconds of a drift that lasted a day.
 *
 * @example
 * formatDuration(200_000); // '3m 20s'
 */
export function formatDuration(ms: number): string {
  const clamped = Math.max(0, Math.round(ms));
  if (clamped < 1000) return `${clamped}ms`;
  const s = Math.floor(clamped / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

const DIGEST = /sha256:([0-9a-f]{12})[0-9a-f]{52}/g;

/**
 * Shortens image digests to their first 12 hex digits (as `docker images` does), so that two
 * image URIs that differ only by digest fit on a line and the difference is visible. The JSON
 * report keeps them whole.
 */
export function shortDigests(text: string): string {
  return text.replace(DIGEST, 'sha256:$1…');
}

/** A value of a field diff for people; `(none)` when the field is absent on that side. */
export function shownValue(value: string | undefined): string {
  return value === undefined ? '(none)' : shortDigests(value);
}

/** `2026-01-01 09:30 UTC`: timestamps in reports are UTC, to the minute. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The commit id as people quote it: first 12 characters of a long hash. */
export function shortCommit(specVersion: string): string {
  return /^[0-9a-f]{13,}$/i.test(specVersion) ? specVersion.slice(0, 12) : specVersion;
}
