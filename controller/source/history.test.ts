import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { listCommits } from './history.js';
import { publishSpecs, rollbackTo } from './publish.js';
import { commitOf, deleteKey, fixedClock, fixture, getText, instrumented, putText, useSpecStore } from './testkit.js';

const store = useSpecStore();

/** v1, then v2 a day later, under `shop/`. */
async function twoCommits() {
  const bucket = await store.bucket();
  const git = { commit: '4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e', author: 'Jane Doe <jane@example.com>', message: 'api 1.1.0' };
  const v1 = await publishSpecs({ bucket, prefix: 'shop', files: fixture('v1'), s3: store.s3, clock: fixedClock('2026-11-25T10:00:00.000Z') });
  const v2 = await publishSpecs({ bucket, prefix: 'shop', files: fixture('v2'), git, s3: store.s3, clock: fixedClock('2026-11-26T10:00:00.000Z') });
  return { bucket, v1: v1.commit, v2: v2.commit, git };
}

describe('listCommits', () => {
  it('lists every commit from its manifest, newest first, marking HEAD', async () => {
    const { bucket, v1, v2, git } = await twoCommits();

    const history = await listCommits({ bucket, prefix: 'shop', s3: store.s3 });

    expect(history).toEqual({
      location: { bucket, prefix: 'shop/' },
      head: v2,
      total: 2,
      unreadable: [],
      commits: [
        { commit: v2, createdAt: '2026-11-26T10:00:00.000Z', parent: v1, steadyVersion: packageJson.version, git, files: 3, bytes: 772, head: true },
        { commit: v1, createdAt: '2026-11-25T10:00:00.000Z', parent: null, steadyVersion: packageJson.version, files: 2, bytes: 579, head: false },
      ],
    });
  });

  it('moves the HEAD mark on rollback, keeping the order of publication', async () => {
    const { bucket, v1, v2 } = await twoCommits();
    await rollbackTo({ bucket, prefix: 'shop', commit: v1, s3: store.s3 });

    const history = await listCommits({ bucket, prefix: 'shop', s3: store.s3 });

    expect(history.head).toBe(v1);
    expect(history.commits.map((c) => [c.commit, c.head])).toEqual([
      [v2, false],
      [v1, true],
    ]);
  });

  it('returns the newest `limit` commits and counts them all', async () => {
    const { bucket, v2 } = await twoCommits();

    const history = await listCommits({ bucket, prefix: 'shop', limit: 1, s3: store.s3 });

    expect(history.commits.map((c) => c.commit)).toEqual([v2]);
    expect(history.total).toBe(2);
  });

  it('needs nothing but the manifests: no HEAD, no objects, no versioning', async () => {
    const { bucket, v1, v2 } = await twoCommits();
    await deleteKey(store.s3, bucket, 'shop/HEAD');
    const { s3, sent } = instrumented();

    const history = await listCommits({ bucket, prefix: 'shop', s3 });

    expect(history.head).toBeNull();
    expect(history.commits.map((c) => c.commit)).toEqual([v2, v1]);
    expect(sent.map((c) => c.command)).toEqual(['GetObject', 'ListObjectsV2', 'GetObject', 'GetObject']);
  });

  it('reports manifests it cannot read and ignores other keys', async () => {
    const { bucket, v2 } = await twoCommits();
    const bogus = 'f'.repeat(64);
    await putText(store.s3, bucket, `shop/commits/${bogus}.json`, 'not json');
    await putText(store.s3, bucket, 'shop/commits/README.txt', 'hello');

    const history = await listCommits({ bucket, prefix: 'shop', s3: store.s3 });

    expect(history.total).toBe(2);
    expect(history.commits[0].commit).toBe(v2);
    expect(history.unreadable).toEqual([{ key: `shop/commits/${bogus}.json`, why: 'not a steady commit manifest: not UTF-8 JSON' }]);
  });

  it('lists nothing under an empty prefix', async () => {
    const bucket = await store.bucket();

    expect(await listCommits({ bucket, prefix: 'nothing-here', s3: store.s3 })).toEqual({
      location: { bucket, prefix: 'nothing-here/' },
      head: null,
      total: 0,
      commits: [],
      unreadable: [],
    });
  });
});

describe('listCommits: what it cannot read, and the order', () => {
  it('reports a HEAD that is not a pointer, and marks no commit', async () => {
    const { bucket } = await twoCommits();
    await putText(store.s3, bucket, 'shop/HEAD', 'ref: main');

    const history = await listCommits({ bucket, prefix: 'shop', s3: store.s3 });

    expect(history.head).toBeNull();
    expect(history.commits.map((c) => c.head)).toEqual([false, false]);
    expect(history.unreadable).toEqual([{ key: 'shop/HEAD', why: 'not a steady commit pointer: not UTF-8 JSON' }]);
  });

  it('reports a manifest under another commit\'s name, and ignores keys that only contain a commit\'s name', async () => {
    const { bucket, v1, v2 } = await twoCommits();
    const other = 'e'.repeat(64);
    await putText(store.s3, bucket, `shop/commits/${other}.json`, await getText(store.s3, bucket, `shop/commits/${v1}.json`));
    await putText(store.s3, bucket, `shop/commits/backup-${v1}.json`, 'x');
    await putText(store.s3, bucket, `shop/commits/${v2}.json.bak`, 'x');

    const history = await listCommits({ bucket, prefix: 'shop', s3: store.s3 });

    expect(history.commits.map((c) => c.commit)).toEqual([v2, v1]);
    expect(history.unreadable).toEqual([{ key: `shop/commits/${other}.json`, why: `it holds commit ${v1}, not ${other}` }]);
  });

  it('leaves out a manifest deleted between the listing and its read', async () => {
    const { bucket, v1, v2 } = await twoCommits();
    const { s3 } = instrumented({
      after: async (c) => {
        if (c.command === 'ListObjectsV2') await deleteKey(store.s3, bucket, `shop/commits/${v1}.json`);
      },
    });

    const history = await listCommits({ bucket, prefix: 'shop', s3 });

    expect(history).toMatchObject({ total: 1, unreadable: [] });
    expect(history.commits.map((c) => c.commit)).toEqual([v2]);
  });

  it('lists the newest first, and commits published at the same instant by id', async () => {
    const bucket = await store.bucket();
    const v1 = fixture('v1');
    const sets = [v1, fixture('v2'), ...['# three\n', '# four\n'].map((tail) => v1.map((f) => (f.path === 'api.yaml' ? { ...f, content: `${f.content.toString()}${tail}` } : f)))];
    // By id: a < b < c < d, as S3 lists them. a and c at the same, latest instant; then d; then b.
    const [a, b, c, d] = [...sets].sort((x, y) => (commitOf(x) < commitOf(y) ? -1 : 1));
    const at = new Map([
      [a, '2026-11-28T10:00:00.000Z'],
      [b, '2026-11-25T10:00:00.000Z'],
      [c, '2026-11-28T10:00:00.000Z'],
      [d, '2026-11-27T10:00:00.000Z'],
    ]);
    for (const files of sets) await publishSpecs({ bucket, files, s3: store.s3, clock: fixedClock(at.get(files)!) });

    const history = await listCommits({ bucket, s3: store.s3 });

    expect(history.commits.map((x) => x.commit)).toEqual([a, c, d, b].map(commitOf));
  });

  it('reports what it cannot read in key order, whatever order the reads finish in', async () => {
    const { bucket } = await twoCommits();
    const [first, second] = ['1'.repeat(64), '2'.repeat(64)].map((h) => `shop/commits/${h}.json`);
    await putText(store.s3, bucket, first, 'not json');
    await putText(store.s3, bucket, second, '{}');
    let secondRead!: () => void;
    const secondDone = new Promise<void>((resolve) => (secondRead = resolve));
    const { s3 } = instrumented({
      before: async (c) => {
        if (c.command === 'GetObject' && c.input.Key === first) await secondDone;
      },
      after: (c) => {
        if (c.command === 'GetObject' && c.input.Key === second) secondRead();
      },
    });

    const history = await listCommits({ bucket, prefix: 'shop', s3 });

    expect(history.unreadable.map((u) => u.key)).toEqual([first, second]);
  });
});
