/**
 * `--env` values as patterns: `shop-prod`, `'shop-*'`, `'*-prod'`, `'env-0?'` (`*` any run of
 * characters, `?` one character, nothing else special), each value possibly a comma-separated list.
 * Pure: the CLI's commands resolve their `--env` through it.
 */

/** A pattern as a regular expression over a whole environment name. */
export function patternRegExp(pattern: string): RegExp {
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`);
}

/**
 * The environments `patterns` select, in the order of `names`, and the patterns that select none
 * (a typo must not silently select nothing).
 *
 * @example
 * matchEnvironments(['shop-prod', 'shop-dev', 'messaging-prod'], ['shop-*']);
 * // { selected: ['shop-prod', 'shop-dev'], unmatched: [] }
 */
export function matchEnvironments(names: string[], patterns: string[]): { selected: string[]; unmatched: string[] } {
  const list = patterns.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  const compiled = list.map((p) => ({ pattern: p, re: patternRegExp(p) }));
  return {
    selected: names.filter((n) => compiled.some((c) => c.re.test(n))),
    unmatched: compiled.filter((c) => !names.some((n) => c.re.test(n))).map((c) => c.pattern),
  };
}
