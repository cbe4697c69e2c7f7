/**
 * Publishing and loading rules mutation testing found unguarded (docs/mutation.md), against the
 * local S3 server: a manifest that does not hold its commit is never reused, a rollback never
 * leaves HEAD naming a stale manifest, and a manifest that cannot be trusted fails the load
 * loudly (and so changes nothing). Two publishes of one commit race for its manifest as they
 * would on S3: the local server sits behind the conditional-write proxy (testing/s3-conditional.ts).
 */
import { describe, expect, it } from 'vitest';
import { sha256, shortCommit } from './commit.js';
import { loadCommit, loadPublishedSpecs, MAX_MANIFEST_BYTES } from './load.js';
import { publishSpecs, rollbackTo } from './publish.js';
import { ConfigError } from '../errors.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { accessDenied, commitOf, deleteKey, fixture, fixedClock, getText, instrumented, keysIn, putText, useSpecStore } from './testkit.js';

const store = useSpecStore();

const V1 = fixture('v1');
const V2 = fixture('v2');
const V1_COMMIT = commitOf(V1);
const V2_COMMIT = commitOf(V2);
const manifestKey = (commit: string) => `commits/${commit}.json`;

describe('publishing never reuses a manifest that does not hold its commit', () => {
  it.each([
    ['whose files hash to another commit', (m: { files: { sha256: string }[] }) => void (m.files[0].sha256 = 'f'.repeat(64))],
    ['that names another commit', (m: { commit: string }) => void (m.commit = V2_COMMIT)],
  ])('a manifest %s is written again, and HEAD names a sound one', async (_what, damage) => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const manifest = JSON.parse(await getText(store.s3, bucket, manifestKey(V1_COMMIT)));
    damage(manifest);
    await putText(store.s3, bucket, manifestKey(V1_COMMIT), JSON.stringify(manifest));

    const result = await publishSpecs({ bucket, files: V1, s3: store.s3 });

    expect(result.warnings).toEqual([`s3://${bucket}/${manifestKey(V1_COMMIT)} is damaged (it does not hold commit ${shortCommit(V1_COMMIT)}); it will be written again`]);
    expect(result).toMatchObject({ status: 'republished', manifest: { state: 'repaired' } });
    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });
    expect(loaded.ok && loaded.manifest.commit).toBe(V1_COMMIT);
    const head = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    expect(head.manifestSha256).toBe(sha256(await getText(store.s3, bucket, manifestKey(V1_COMMIT))));
  });
});

describe('rollback', () => {
  it('a HEAD naming the commit with a stale manifest hash is rewritten, never left as it is', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    await publishSpecs({ bucket, files: V2, s3: store.s3 });
    const head = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ ...head, commit: V1_COMMIT, manifestKey: manifestKey(V1_COMMIT), manifestSha256: 'e'.repeat(64) }));
    expect((await loadPublishedSpecs({ bucket, s3: store.s3 })).ok).toBe(false);

    const result = await rollbackTo({ bucket, commit: V1_COMMIT, s3: store.s3 });

    expect(result).toMatchObject({ status: 'rolled-back', pointer: { state: 'moved' } });
    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });
    expect(loaded.ok && loaded.manifest.commit).toBe(V1_COMMIT);
  });
});

describe('a manifest that cannot be trusted fails the load', () => {
  it('an undecodable manifest', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const garbage = '{"format": 1, "commit": ';
    await putText(store.s3, bucket, manifestKey(V1_COMMIT), garbage);
    const head = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ ...head, manifestSha256: sha256(garbage) }));

    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.error.message).toBe(`reading s3://${bucket}/${manifestKey(V1_COMMIT)}: not a steady commit manifest: not UTF-8 JSON`);
  });

  it('a manifest bigger than a manifest may be', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const huge = JSON.stringify({ pad: 'x'.repeat(MAX_MANIFEST_BYTES) });
    await putText(store.s3, bucket, manifestKey(V1_COMMIT), huge);
    const head = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ ...head, manifestSha256: sha256(huge) }));

    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.error.message).toBe(
      `reading s3://${bucket}/${manifestKey(V1_COMMIT)}: the manifest is ${huge.length} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may have`,
    );
  });

  it('HEAD naming a commit whose manifest holds another', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    await publishSpecs({ bucket, files: V2, s3: store.s3 });
    const v2 = await getText(store.s3, bucket, manifestKey(V2_COMMIT));
    await putText(store.s3, bucket, manifestKey(V1_COMMIT), v2);
    const head = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ ...head, commit: V1_COMMIT, manifestKey: manifestKey(V1_COMMIT), manifestSha256: sha256(v2) }));

    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.error.message).toBe(
      `reading s3://${bucket}/${manifestKey(V1_COMMIT)}: the manifest is of commit ${shortCommit(V2_COMMIT)}, not ${shortCommit(V1_COMMIT)}`,
    );
    expect(!loaded.ok && loaded.error.kind).toBe('hash-mismatch');
  });
});

describe('concurrent publishes of one commit race for its manifest', () => {
  it('the manifest is written once (If-None-Match), and every HEAD either writes names the manifest that is stored', async () => {
    const bucket = await store.bucket();
    // Both publishes reach the manifest write before either is let through: a real race, every time.
    void store.proxy.race(manifestKey(V1_COMMIT), 2);

    const [first, second] = await Promise.all([
      publishSpecs({ bucket, files: V1, s3: store.s3, clock: fixedClock('2026-12-01T10:00:00.000Z') }),
      publishSpecs({ bucket, files: V1, s3: store.s3, clock: fixedClock('2026-12-01T10:00:07.000Z') }),
    ]);

    expect([first.status, second.status]).toEqual(['published', 'published']);
    const puts = store.proxy.puts().filter((p) => p.bucket === bucket);
    const manifestWrites = puts.filter((p) => p.key === manifestKey(V1_COMMIT));
    expect(manifestWrites.map((p) => ({ ifNoneMatch: p.ifNoneMatch, status: p.status }))).toEqual([
      { ifNoneMatch: true, status: 200 },
      { ifNoneMatch: true, status: 412 },
    ]);
    const stored = await getText(store.s3, bucket, manifestKey(V1_COMMIT));
    expect(stored).toBe(manifestWrites[0].body);
    const heads = puts.filter((p) => p.key === 'HEAD' && p.status === 200);
    expect(heads).toHaveLength(2);
    for (const head of heads) expect(JSON.parse(head.body)).toMatchObject({ commit: V1_COMMIT, manifestSha256: sha256(stored) });
    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });
    expect(loaded.ok && loaded.manifest.commit).toBe(V1_COMMIT);
  });

  it('a publish that loses the manifest write to a manifest not holding its commit fails, and HEAD is never written', async () => {
    const bucket = await store.bucket();
    void store.proxy.race(manifestKey(V1_COMMIT), 2);
    const foreign = JSON.stringify({ format: 1, commit: V2_COMMIT, files: [] });

    const [publish] = await Promise.allSettled([
      publishSpecs({ bucket, files: V1, s3: store.s3 }),
      store.s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifestKey(V1_COMMIT), Body: foreign, IfNoneMatch: '*' })),
    ]);

    expect(publish.status).toBe('rejected');
    expect((publish as PromiseRejectedResult).reason.message).toBe(
      `writing s3://${bucket}/${manifestKey(V1_COMMIT)}: another publish wrote a manifest that does not hold commit ${shortCommit(V1_COMMIT)}`,
    );
    expect((publish as PromiseRejectedResult).reason).toMatchObject({ kind: 'hash-mismatch', bucket, key: manifestKey(V1_COMMIT) });
    expect(await getText(store.s3, bucket, manifestKey(V1_COMMIT))).toBe(foreign);
    expect((await keysIn(store.s3, bucket)).includes('HEAD')).toBe(false);
  });
});

describe('the loader says where and what, and loads nothing it cannot trust', () => {
  it('a prefix that cannot be right fails the load before any S3 call, naming the bucket and the prefix as given', async () => {
    const { s3, sent } = instrumented();
    const why = 'invalid prefix "shop//prod": an empty segment (//) is not allowed';

    const head = await loadPublishedSpecs({ bucket: 'my-specs', prefix: 'shop//prod', s3 });
    const commit = await loadCommit({ bucket: 'my-specs', prefix: 'shop//prod', commit: V1_COMMIT, s3 });

    for (const result of [head, commit]) {
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error).toMatchObject({ kind: 'unreadable', bucket: 'my-specs', key: undefined, transient: false });
      expect(result.error.message).toBe(`loading specs from s3://my-specs/shop//prod: ${why}`);
    }
    expect(sent).toEqual([]);
  });

  it('a HEAD naming a manifest other than its commit\'s is unreadable', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    await publishSpecs({ bucket, files: V2, s3: store.s3 });
    const head = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ ...head, manifestKey: manifestKey(V1_COMMIT) }));

    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error).toMatchObject({ kind: 'unreadable', bucket, key: 'HEAD' });
    expect(loaded.error.message).toBe(
      `reading s3://${bucket}/HEAD: HEAD names manifest ${manifestKey(V1_COMMIT)}, expected ${manifestKey(V2_COMMIT)} for commit ${shortCommit(V2_COMMIT)}`,
    );
  });

  it('without HEAD, and without leave to list the prefix, it says only that HEAD does not exist', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    await deleteKey(store.s3, bucket, 'HEAD');
    const { s3 } = instrumented({
      before: (c) => {
        if (c.command === 'ListObjectsV2') throw accessDenied();
      },
    });

    const loaded = await loadPublishedSpecs({ bucket, s3 });

    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error).toMatchObject({ kind: 'pointer-missing', bucket, key: 'HEAD' });
    expect(loaded.error.message).toBe(`reading s3://${bucket}/HEAD: HEAD does not exist: no commit is published there`);
  });

  it('a commit whose only file holds no document is invalid, and the problem names the commit and where it is', async () => {
    const bucket = await store.bucket();
    const files = [{ path: 'empty.yaml', content: '# nothing here yet\n' }];
    await putText(store.s3, bucket, `objects/sha256/${sha256(files[0].content)}`, files[0].content);
    const commit = commitOf(files);
    const manifest = JSON.stringify({
      format: 1,
      commit,
      createdAt: '2026-12-01T10:00:00.000Z',
      parent: null,
      steadyVersion: '0.0.1',
      files: [{ path: 'empty.yaml', sha256: sha256(files[0].content), bytes: files[0].content.length }],
    });
    await putText(store.s3, bucket, manifestKey(commit), manifest);

    const loaded = await loadCommit({ bucket, commit, s3: store.s3 });

    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.kind).toBe('invalid-specs');
    expect(loaded.error.problems).toEqual([
      expect.objectContaining({ file: `commit ${shortCommit(commit)} of s3://${bucket}/`, line: 0, message: expect.stringMatching(/^the only spec file holds a document/) }),
    ]);
  });

  it('a file over the size limit the loader is given fails the load, even right after the commit loaded with a larger limit', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });

    const roomy = await loadCommit({ bucket, commit: V1_COMMIT, s3: store.s3, maxFileBytes: 1_000_000 });
    const tight = await loadCommit({ bucket, commit: V1_COMMIT, s3: store.s3, maxFileBytes: 300 });

    expect(roomy.ok).toBe(true);
    expect(tight.ok).toBe(false);
    if (tight.ok) return;
    expect(tight.error.kind).toBe('invalid-specs');
    expect(tight.error.problems).toEqual([expect.objectContaining({ file: 'api.yaml', message: expect.stringContaining('300 bytes') })]);
  });

  it('a commit is parsed once while it is one of the last two loaded, and parsed again once it is not', async () => {
    const bucket = await store.bucket();
    const V3 = V1.map((f) => (f.path === 'api.yaml' ? { ...f, content: `${f.content.toString()}# v3\n` } : f));
    const [a, b, c] = [V1, V2, V3].map(commitOf);
    for (const files of [V1, V2, V3]) await publishSpecs({ bucket, files, s3: store.s3 });
    const load = async (commit: string) => {
      const result = await loadCommit({ bucket, commit, s3: store.s3 });
      if (!result.ok) throw result.error;
      return result.specSet;
    };

    const a1 = await load(a);
    expect(await load(a)).toBe(a1);
    const b1 = await load(b);
    expect(await load(a)).toBe(a1); // a and b are the last two; a is now the most recent
    await load(c); // b is now the oldest, and is forgotten
    expect(await load(a)).toBe(a1);
    const b2 = await load(b);
    expect(b2).not.toBe(b1);
    expect(b2).toEqual(b1);
  });
});

describe('publishing: the same specs make the same manifest, and a commit is never its own parent', () => {
  const clock = () => fixedClock('2026-12-01T10:00:00.000Z');

  it('the files in any order, as text or bytes, with --allow-empty or empty git metadata they do not need: the manifest is byte for byte the plain one', async () => {
    const plain = await store.bucket();
    const other = await store.bucket();
    await publishSpecs({ bucket: plain, files: V1, s3: store.s3, clock: clock() });

    const asText = [...V1].reverse().map((f) => ({ path: f.path, content: f.content.toString() }));
    await publishSpecs({ bucket: other, files: asText, allowEmpty: true, git: {}, s3: store.s3, clock: clock() });

    const manifest = await getText(store.s3, plain, manifestKey(V1_COMMIT));
    expect(JSON.parse(manifest).files.map((f: { path: string }) => f.path)).toEqual(['api.yaml', 'environment.yaml']);
    expect(await getText(store.s3, other, manifestKey(V1_COMMIT))).toBe(manifest);
    const again = await publishSpecs({ bucket: plain, files: V1, allowEmpty: true, s3: store.s3 });
    expect(again).toMatchObject({ status: 'unchanged', warnings: [] });
  });

  it('text is published as its UTF-8 bytes, and the manifest records their number', async () => {
    const bucket = await store.bucket();
    const files = V1.map((f) => ({ path: f.path, content: f.path === 'api.yaml' ? `${f.content.toString()}# café, ☕\n` : f.content.toString() }));
    const bytes = Buffer.byteLength(files.find((f) => f.path === 'api.yaml')!.content);

    const result = await publishSpecs({ bucket, files, s3: store.s3 });

    expect(result.objects.find((o) => o.paths[0] === 'api.yaml')?.bytes).toBe(bytes);
    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });
    expect(loaded.ok && loaded.manifest.files.find((f) => f.path === 'api.yaml')?.bytes).toBe(bytes);
  });

  it('a manifest written again under a HEAD that names its commit records no parent', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    await deleteKey(store.s3, bucket, manifestKey(V1_COMMIT));

    const result = await publishSpecs({ bucket, files: V1, s3: store.s3 });

    expect(result).toMatchObject({ previous: V1_COMMIT, manifest: { state: 'new' } });
    expect(JSON.parse(await getText(store.s3, bucket, manifestKey(V1_COMMIT))).parent).toBeNull();
  });

  it('a damaged manifest is written again even when HEAD already names the very bytes it writes', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3, clock: clock() });
    const sound = await getText(store.s3, bucket, manifestKey(V1_COMMIT));
    await putText(store.s3, bucket, manifestKey(V1_COMMIT), '{}');

    const result = await publishSpecs({ bucket, files: V1, s3: store.s3, clock: clock() });

    expect(result).toMatchObject({ status: 'republished', manifest: { state: 'repaired' }, pointer: { state: 'unchanged' } });
    expect(await getText(store.s3, bucket, manifestKey(V1_COMMIT))).toBe(sound);
    expect((await loadPublishedSpecs({ bucket, s3: store.s3 })).ok).toBe(true);
  });

  it.each([
    ['records --allow-empty the specs do not need', V1, false, (m: Record<string, unknown>) => void (m.allowEmpty = true), 'it records --allow-empty, which these specs do not need'],
    ['does not record the --allow-empty the specs need', [{ path: 'empty.yaml', content: '# nothing yet\n' }], true, (m: Record<string, unknown>) => void delete m.allowEmpty, 'it does not record --allow-empty'],
  ])('a manifest of the commit that %s is written again', async (_what, files, allowEmpty, edit, why) => {
    const bucket = await store.bucket();
    const commit = commitOf(files);
    await publishSpecs({ bucket, files, allowEmpty, s3: store.s3 });
    const manifest = JSON.parse(await getText(store.s3, bucket, manifestKey(commit)));
    const recorded = manifest.allowEmpty;
    edit(manifest);
    await putText(store.s3, bucket, manifestKey(commit), JSON.stringify(manifest));

    const result = await publishSpecs({ bucket, files, allowEmpty, s3: store.s3 });

    expect(result.warnings).toEqual([`s3://${bucket}/${manifestKey(commit)} is damaged (${why}); it will be written again`]);
    expect(result.manifest.state).toBe('repaired');
    expect(JSON.parse(await getText(store.s3, bucket, manifestKey(commit))).allowEmpty).toBe(recorded);
  });

  it('a damaged object of another size is named with both sizes, and uploaded again', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const api = V1.find((f) => f.path === 'api.yaml')!;
    const key = `objects/sha256/${sha256(api.content)}`;
    await putText(store.s3, bucket, key, 'short');

    const result = await publishSpecs({ bucket, files: V1, s3: store.s3 });

    expect(result.warnings).toEqual([`s3://${bucket}/${key} (api.yaml) is damaged (5 bytes, not ${api.content.length}); it will be uploaded again`]);
    expect((await loadPublishedSpecs({ bucket, s3: store.s3 })).ok).toBe(true);
  });

  it('a git message up to 16 KiB is kept whole; a longer one is cut to 16 KiB, ending in …; metadata without a message is kept as it is', async () => {
    const bucket = await store.bucket();
    const limit = 16 * 1024;
    const gitOf = async (git: Record<string, unknown>, files: typeof V1) => {
      await publishSpecs({ bucket, files, git, s3: store.s3 });
      return JSON.parse(await getText(store.s3, bucket, manifestKey(commitOf(files)))).git;
    };
    const V3 = V1.map((f) => (f.path === 'api.yaml' ? { ...f, content: `${f.content.toString()}# v3\n` } : f));

    expect((await gitOf({ message: 'x'.repeat(limit) }, V1)).message).toBe('x'.repeat(limit));
    expect((await gitOf({ message: 'y'.repeat(limit + 1) }, V2)).message).toBe(`${'y'.repeat(limit - 1)}…`);
    expect(await gitOf({ commit: 'abc1234', dirty: true }, V3)).toEqual({ commit: 'abc1234', dirty: true });
  });
});

describe('HEAD is moved unless it names the commit and its manifest exactly', () => {
  /** V1 and V2 published; HEAD names V2, but with the hash of V1's manifest. */
  async function headWithForeignHash() {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    await publishSpecs({ bucket, files: V2, s3: store.s3 });
    const head = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ ...head, manifestSha256: sha256(await getText(store.s3, bucket, manifestKey(V1_COMMIT))) }));
    return bucket;
  }

  it('publishing V1 moves a HEAD that names V2 with the hash of V1\'s manifest', async () => {
    const bucket = await headWithForeignHash();

    const result = await publishSpecs({ bucket, files: V1, s3: store.s3 });

    expect(result).toMatchObject({ status: 'republished', pointer: { state: 'moved' } });
    expect(JSON.parse(await getText(store.s3, bucket, 'HEAD')).commit).toBe(V1_COMMIT);
  });

  it('rolling back to V1 moves a HEAD that names V2 with the hash of V1\'s manifest', async () => {
    const bucket = await headWithForeignHash();

    const result = await rollbackTo({ bucket, commit: V1_COMMIT, s3: store.s3 });

    expect(result).toMatchObject({ status: 'rolled-back', pointer: { state: 'moved' } });
    expect(JSON.parse(await getText(store.s3, bucket, 'HEAD')).commit).toBe(V1_COMMIT);
  });

  it('rolling back where HEAD does not exist writes it, naming no previous commit', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    await deleteKey(store.s3, bucket, 'HEAD');

    const result = await rollbackTo({ bucket, commit: V1_COMMIT, s3: store.s3 });

    expect(result).toMatchObject({ status: 'rolled-back', previous: null, pointer: { state: 'moved' } });
    expect(JSON.parse(await getText(store.s3, bucket, 'HEAD'))).toMatchObject({ commit: V1_COMMIT, previous: null, reason: 'rollback' });
  });
});

describe('a rollback target is a whole commit id, or the one manifest its abbreviation starts', () => {
  it.each(['zz1234567', '1234567zz'])('%s is not a commit id', async (ref) => {
    const { s3, sent } = instrumented();

    await expect(rollbackTo({ bucket: 'never-touched', commit: ref, s3 })).rejects.toThrow(new ConfigError(`"${ref}" is not a commit id: expected 7 to 64 hex digits`));
    expect(sent).toEqual([]);
  });

  it('a full id is taken as it is, without listing: one never published is missing from the loader', async () => {
    const bucket = await store.bucket();
    const { s3, sent } = instrumented();
    const commit = 'ab'.repeat(32);

    await expect(rollbackTo({ bucket, commit, s3 })).rejects.toThrow(`reading s3://${bucket}/${manifestKey(commit)}: the manifest of commit abababababab does not exist`);
    expect(sent.map((c) => c.command)).toEqual(['GetObject']);
  });

  it('an abbreviation resolves to its commit whatever else lies under its prefix', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    await publishSpecs({ bucket, files: V2, s3: store.s3 });
    const abbreviation = V1_COMMIT.slice(0, 7);
    await putText(store.s3, bucket, `${manifestKey(V1_COMMIT)}.bak`, 'an editor\'s backup');
    await putText(store.s3, bucket, `commits/${abbreviation}-old/${'f'.repeat(64)}.json`, '{}');

    const result = await rollbackTo({ bucket, commit: abbreviation, s3: store.s3 });

    expect(result).toMatchObject({ status: 'rolled-back', commit: V1_COMMIT });
  });

  it('an abbreviation resolves however many pages the listing of its prefix takes', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    await publishSpecs({ bucket, files: V2, s3: store.s3 });
    const abbreviation = V1_COMMIT.slice(0, 7);
    // Listed before the manifest: `-` sorts before every hex digit.
    await putText(store.s3, bucket, `commits/${abbreviation}-a`, 'x');
    await putText(store.s3, bucket, `commits/${abbreviation}-b`, 'x');
    // S3 may answer a listing with fewer keys than a page may hold: here one a page.
    store.proxy.pageSize(1);
    try {
      const result = await rollbackTo({ bucket, commit: abbreviation, s3: store.s3 });

      expect(result).toMatchObject({ status: 'rolled-back', commit: V1_COMMIT });
    } finally {
      store.proxy.pageSize(undefined);
    }
  });
});

describe('what a publish and a rollback send to S3: each write checked by S3, nothing read twice', () => {
  const checksum = (body: string | Uint8Array) => Buffer.from(sha256(body), 'hex').toString('base64');
  /** Each call as `[command, key, If-None-Match, Content-Type, x-amz-checksum-sha256]`. */
  const calls = (sent: { command: string; input: Record<string, any> }[]) =>
    sent.map((c) => [c.command, c.input.Key ?? c.input.Prefix, c.input.IfNoneMatch, c.input.ContentType, c.input.ChecksumSHA256]);
  // YAML by its extension, in any case, and only at the end of the name; any other file is bytes.
  const FILES = [...V1, { path: 'more/Extra.YML', content: Buffer.from('# extra\n') }, { path: 'notes.yaml.txt', content: Buffer.from('# notes\n') }];

  it('a new commit: each object, then the manifest, only if absent and with its SHA-256 and content type; then HEAD, unconditionally', async () => {
    const bucket = await store.bucket();
    const { s3, sent } = instrumented();

    const result = await publishSpecs({ bucket, files: FILES, allowEmpty: true, s3, concurrency: 1, clock: fixedClock('2026-12-01T10:00:00.000Z') });

    const commit = result.commit;
    const [api, env, extra, notes] = ['api.yaml', 'environment.yaml', 'more/Extra.YML', 'notes.yaml.txt'].map((p) => FILES.find((f) => f.path === p)!.content);
    const object = (body: string | Uint8Array) => `objects/sha256/${sha256(body)}`;
    const manifest = await getText(store.s3, bucket, manifestKey(commit));
    const head = await getText(store.s3, bucket, 'HEAD');
    expect(calls(sent)).toEqual([
      ['GetObject', 'HEAD', undefined, undefined, undefined],
      ...[api, env, extra, notes].map((body) => ['GetObject', object(body), undefined, undefined, undefined]),
      ['GetObject', manifestKey(commit), undefined, undefined, undefined],
      ['PutObject', object(api), '*', 'application/yaml', checksum(api)],
      ['PutObject', object(env), '*', 'application/yaml', checksum(env)],
      ['PutObject', object(extra), '*', 'application/yaml', checksum(extra)],
      ['PutObject', object(notes), '*', 'application/octet-stream', checksum(notes)],
      ['PutObject', manifestKey(commit), '*', 'application/json', checksum(manifest)],
      ['PutObject', 'HEAD', undefined, 'application/json', checksum(head)],
    ]);
  });

  it('a damaged object and manifest are overwritten without the condition; a rollback writes only HEAD, with its SHA-256', async () => {
    const bucket = await store.bucket();
    const first = await publishSpecs({ bucket, files: FILES, allowEmpty: true, s3: store.s3 });
    await publishSpecs({ bucket, files: V2, s3: store.s3 });
    const api = V1.find((f) => f.path === 'api.yaml')!.content;
    await putText(store.s3, bucket, `objects/sha256/${sha256(api)}`, 'damaged');
    await putText(store.s3, bucket, manifestKey(first.commit), '{}');
    const { s3, sent } = instrumented();

    await publishSpecs({ bucket, files: FILES, allowEmpty: true, s3, concurrency: 1 });
    await rollbackTo({ bucket, commit: V2_COMMIT, s3, concurrency: 1 });

    const manifest = await getText(store.s3, bucket, manifestKey(first.commit));
    const head = await getText(store.s3, bucket, 'HEAD');
    expect(calls(sent).filter(([command]) => command === 'PutObject')).toEqual([
      ['PutObject', `objects/sha256/${sha256(api)}`, undefined, 'application/yaml', checksum(api)],
      ['PutObject', manifestKey(first.commit), undefined, 'application/json', checksum(manifest)],
      ['PutObject', 'HEAD', undefined, 'application/json', expect.any(String)],
      ['PutObject', 'HEAD', undefined, 'application/json', checksum(head)],
    ]);
    expect(JSON.parse(head)).toMatchObject({ commit: V2_COMMIT, reason: 'rollback' });
  });
});
