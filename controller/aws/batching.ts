/** Batching and paging helpers for the adapters: reads go to the API maxima and to the last page. */

/** Splits `items` into consecutive batches of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/**
 * Calls `fetchPage` until it returns no `next` token, collecting every page's items.
 *
 * @example
 * const listeners = await collectPages(async (marker) => {
 *   const out = await client.send(new DescribeListenersCommand({ LoadBalancerArn: arn, Marker: marker }));
 *   return { items: out.Listeners ?? [], next: out.NextMarker };
 * });
 */
export async function collectPages<T, M>(fetchPage: (next: M | undefined) => Promise<{ items: T[]; next?: M }>): Promise<T[]> {
  const all: T[] = [];
  let next: M | undefined;
  do {
    const page = await fetchPage(next);
    all.push(...page.items);
    next = page.next;
  } while (next !== undefined);
  return all;
}
