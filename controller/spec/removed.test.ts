import { describe, expect, it } from 'vitest';
import { removalMessage, removalSentence, removedSpecs } from './removed.js';

/** An environment holding resources named `Kind/name`. */
function env(name: string, ...resources: string[]) {
  const docs = (kind: string) =>
    resources
      .filter((r) => r.startsWith(`${kind}/`))
      .map((r) => ({ kind, metadata: { name: r.slice(kind.length + 1), environment: name } }) as never);
  return { name, services: docs('Service'), migrations: docs('Migration'), scheduledTasks: docs('ScheduledTask'), aliases: docs('AliasRecord') };
}
const set = (...environments: ReturnType<typeof env>[]) => ({ environments });

describe('removedSpecs', () => {
  it.each([
    ['nothing when the sets are the same', set(env('shop', 'Service/api')), set(env('shop', 'Service/api')), []],
    ['nothing for what was added', set(env('shop')), set(env('shop', 'Service/api'), env('blog')), []],
    [
      'an Environment that is gone, with how many resources it held, and not each of them',
      set(env('blog', 'Service/web', 'AliasRecord/www'), env('shop', 'Service/api')),
      set(env('shop', 'Service/api')),
      [{ kind: 'Environment', name: 'blog', environment: 'blog', resources: 2 }],
    ],
    [
      'each resource gone from an Environment that stays, in kind and name order',
      set(env('shop', 'Service/api', 'Migration/db', 'ScheduledTask/nightly', 'AliasRecord/api-dns', 'AliasRecord/apex')),
      set(env('shop', 'Service/api')),
      [
        { kind: 'AliasRecord', name: 'apex', environment: 'shop' },
        { kind: 'AliasRecord', name: 'api-dns', environment: 'shop' },
        { kind: 'Migration', name: 'db', environment: 'shop' },
        { kind: 'ScheduledTask', name: 'nightly', environment: 'shop' },
      ],
    ],
    [
      'a resource that changed kind under the same name',
      set(env('shop', 'Service/api')),
      set(env('shop', 'Migration/api')),
      [{ kind: 'Service', name: 'api', environment: 'shop' }],
    ],
    ['every Environment of a set that became empty', set(env('a'), env('b', 'Service/x')), set(), [
      { kind: 'Environment', name: 'a', environment: 'a', resources: 0 },
      { kind: 'Environment', name: 'b', environment: 'b', resources: 1 },
    ]],
  ])('finds %s', (_name, before, after, expected) => {
    expect(removedSpecs(before, after)).toEqual(expected);
  });
});

describe('removalMessage', () => {
  it('says what is gone, between which commits, and that nothing is deleted', () => {
    expect(removalMessage({ kind: 'Environment', name: 'shop-prod', environment: 'shop-prod', resources: 0 }, 'abc', 'def')).toBe(
      'Environment shop-prod is no longer in the specs (commit abc → def); it is not reconciled any more; steady deletes nothing',
    );
    expect(removalMessage({ kind: 'Environment', name: 'shop-prod', environment: 'shop-prod', resources: 1 }, 'abc', 'def')).toBe(
      'Environment shop-prod is no longer in the specs (commit abc → def); it and its resource are not reconciled any more; steady deletes nothing',
    );
    expect(removalMessage({ kind: 'AliasRecord', name: 'api-dns', environment: 'shop-prod' }, 'abc', 'def')).toBe(
      'AliasRecord api-dns of environment shop-prod is no longer in the specs (commit abc → def); it is not reconciled any more; steady deletes nothing',
    );
    expect(removalSentence({ kind: 'ScheduledTask', name: 'nightly', environment: 'shop-prod' }, 'main → working tree')).toBe(
      'ScheduledTask nightly of environment shop-prod is no longer in the specs (main → working tree); it is not reconciled any more; steady deletes nothing',
    );
  });
});
