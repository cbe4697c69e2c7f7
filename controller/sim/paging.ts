/**
 * Opaque `nextToken` paging for the simulated JSON services (ECS, ECR). A token names the sort
 * key of the last item returned, not an offset, so a page boundary stays right when items are
 * added or removed between two calls, as with AWS's own tokens.
 */

export type SortKey = (string | number)[];

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return a.length - b.length;
}

/** Sorts items ascending by key (descending with `descending`). */
export function sortByKey<T>(items: Iterable<T>, key: (item: T) => SortKey, descending = false): T[] {
  const sorted = [...items].sort((a, b) => compareKeys(key(a), key(b)));
  return descending ? sorted.reverse() : sorted;
}

export interface PageRequest {
  maxResults: number;
  nextToken?: string;
  descending?: boolean;
}

/**
 * One page of `sorted` (already in the order the API lists it). Throws `invalidToken()` when the
 * token was not made here.
 */
export function page<T>(
  sorted: T[],
  key: (item: T) => SortKey,
  request: PageRequest,
  invalidToken: () => Error,
): { items: T[]; nextToken?: string } {
  let start = 0;
  if (request.nextToken) {
    const after = decodeToken(request.nextToken);
    if (!after) throw invalidToken();
    const sign = request.descending ? -1 : 1;
    start = sorted.findIndex((item) => sign * compareKeys(key(item), after) > 0);
    if (start === -1) start = sorted.length;
  }
  const items = sorted.slice(start, start + request.maxResults);
  const more = start + request.maxResults < sorted.length;
  return more ? { items, nextToken: encodeToken(key(items[items.length - 1])) } : { items };
}

function encodeToken(key: SortKey): string {
  return Buffer.from(JSON.stringify({ sim: 1, after: key })).toString('base64url');
}

function decodeToken(token: string): SortKey | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return parsed?.sim === 1 && Array.isArray(parsed.after) ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}
