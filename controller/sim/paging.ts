/**
 * Paging for the simulated services' list calls, with tokens (`nextToken`, `Marker`) as opaque to
 * callers as AWS's are. A list with a sort key (ECS, ECR) is listed in key order and its token
 * names the key of the last item returned, not an offset, so a page boundary stays right when
 * items are added or removed between two calls, as with AWS's own tokens. A list without one
 * (ELBv2, CloudFront, CodeDeploy: creation, request or newest-first order) pages by offset.
 */

export type SortKey = (string | number)[];

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return a.length - b.length;
}

/** What one list call asks for. */
export interface PageRequest<T> {
  /** Items a page at most (the caller validates the API's own limits). */
  size: number;
  /** The token the previous page handed out; undefined for the first page. */
  token?: string;
  /**
   * The items' sort key, unique per item: the list is sorted by it (ascending unless
   * `descending`) and the token names the last item's key. Without it, the items are listed in
   * the order given and the token is an offset.
   */
  key?: (item: T) => SortKey;
  descending?: boolean;
}

/** One page of a list. */
export interface Page<T> {
  items: T[];
  /** The token of the next page; undefined on the last page. */
  next?: string;
}

/**
 * Cuts one page out of `items`. Throws `invalidToken()` (the service's own error) for a token
 * this list did not hand out.
 *
 * @example
 * const { items, next } = page(tasks, { size: 100, token: input.nextToken, key: (t) => [t.seq] }, invalidToken);
 */
export function page<T>(items: Iterable<T>, request: PageRequest<T>, invalidToken: () => Error): Page<T> {
  const { key, descending = false, size } = request;
  const list = key ? [...items].sort((a, b) => (descending ? -1 : 1) * compareKeys(key(a), key(b))) : [...items];
  let start = 0;
  if (request.token !== undefined) {
    const token = decodeToken(request.token);
    if (!token) throw invalidToken();
    if (key) {
      if (!('after' in token)) throw invalidToken();
      const sign = descending ? -1 : 1;
      start = list.findIndex((item) => sign * compareKeys(key(item), token.after) > 0);
      if (start === -1) start = list.length;
    } else {
      if (!('offset' in token)) throw invalidToken();
      start = token.offset;
    }
  }
  const end = start + size;
  const slice = list.slice(start, end);
  if (end >= list.length) return { items: slice };
  return { items: slice, next: encodeToken(key ? { after: key(slice[slice.length - 1]) } : { offset: end }) };
}

type Token = { after: SortKey } | { offset: number };

function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify({ sim: 1, ...token })).toString('base64url');
}

function decodeToken(token: string): Token | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed?.sim !== 1) return undefined;
    if (Array.isArray(parsed.after)) return { after: parsed.after };
    if (Number.isInteger(parsed.offset) && parsed.offset >= 0) return { offset: parsed.offset };
    return undefined;
  } catch {
    return undefined;
  }
}
