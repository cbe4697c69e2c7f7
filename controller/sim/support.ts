/** Helpers shared by the simulated network services (ELBv2, Route 53, CloudFront). */

/**
 * How long before the clock's start fixture-seeded resources were created: a seeded account
 * describes what already existed, so injected stale reads never hide it.
 */
export const SEEDED_AGE_MS = 24 * 60 * 60 * 1000;

/** One page of `items` starting at `marker` (undefined = from the start). */
export interface Page<T> {
  items: T[];
  /** The marker of the next page; undefined on the last page. */
  next?: string;
}

/**
 * Cuts one page out of `items`, for APIs that page with an opaque marker (ELBv2, CloudFront).
 * Markers are opaque to callers, as AWS's are: here a base64 offset. `invalidMarker` builds the
 * service's error for a marker it did not hand out.
 */
export function pageOf<T>(items: T[], marker: string | undefined, size: number, invalidMarker: () => Error): Page<T> {
  let start = 0;
  if (marker !== undefined) {
    const decoded = /^o:(\d+)$/.exec(Buffer.from(marker, 'base64').toString('utf8'));
    if (!decoded) throw invalidMarker();
    start = Number(decoded[1]);
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    next: end < items.length ? Buffer.from(`o:${end}`, 'utf8').toString('base64') : undefined,
  };
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `n` random upper-case letters and digits, as in Route 53 and CloudFront ids. */
export function upperAlnum(random: () => number, n: number): string {
  let s = '';
  while (s.length < n) s += UPPER_ALNUM[Math.floor(random() * UPPER_ALNUM.length)];
  return s;
}
