/**
 * Publishing and loading rules mutation testing found unguarded (docs/mutation.md), against the
 * local S3 server: a manifest that does not hold its commit is never reused, a rollback never
 * leaves HEAD naming a stale manifest, and a manifest that cannot be trusted fails the load
 * loudly (and so changes nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitIdOf, sha256, shortCommit } from './commit.js';
import { loadPublishedSpecs, MAX_MANIFEST_BYTES } from './load.js';
import { publishSpecs, rollbackTo } from './publish.js';
import { fixture, getText, putText, startSpecStore } from './testkit.js';

let store: Awaited<ReturnType<typeof startSpecStore>>;
beforeAll(async () => {
  store = await startSpecStore();
});
afterAll(() => store.close());

const V1 = fixture('v1');
const V2 = fixture('v2');
const V1_COMMIT = commitIdOf(V1.map((f) => ({ path: f.path, sha256: sha256(f.content) })));
const V2_COMMIT = commitIdOf(V2.map((f) => ({ path: f.path, sha256: sha256(f.content) })));
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
  });
});
