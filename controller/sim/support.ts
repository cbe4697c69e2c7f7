/** Helpers shared by the simulated network services (ELBv2, Route 53, CloudFront). */

/**
 * How long before the clock's start fixture-seeded resources were created: a seeded account
 * describes what already existed, so injected stale reads never hide it.
 */
export const SEEDED_AGE_MS = 24 * 60 * 60 * 1000;

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `n` random upper-case letters and digits, as in Route 53 and CloudFront ids. */
export function upperAlnum(random: () => number, n: number): string {
  let s = '';
  while (s.length < n) s += UPPER_ALNUM[Math.floor(random() * UPPER_ALNUM.length)];
  return s;
}
