import { readFileSync } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { SpecValidationError } from '../errors.js';
import { parseSpecFiles, type SpecFile } from '../spec/load.js';
import { COMMIT_FORMAT, commitIdOf, encodeDocument, sha256, shortCommit } from './commit.js';
import { PublishedSpecsError } from './errors.js';
import { loadCommit, loadPublishedSpecs } from './load.js';
import { publishSpecs } from './publish.js';
import { accessDenied, deleteKey, fixedClock, fixture, getText, instrumented, keysIn, putText, slowDown, useSpecStore } from './testkit.js';

const store = useSpecStore();

const clock = fixedClock('2026-11-25T10:00:00.000Z');

/** A fresh bucket holding v1 as its HEAD commit. */
async function publishedV1(prefix = '') {
  const bucket = await store.bucket();
  const { commit } = await publishSpecs({ bucket, prefix, files: fixture('v1'), s3: store.s3, clock });
  return { bucket, commit };
}

function objectKeyOf(path: string, prefix = ''): string {
  const file = fixture('v1').find((f) => f.path === path)!;
  return `${prefix}objects/sha256/${sha256(file.content)}`;
}

const API = 'api.yaml';

/** Writes a commit the way the publisher would, without validating it first. */
async function publishUnchecked(s3: S3Client, bucket: string, files: SpecFile[]): Promise<string> {
  const entries = files.map((f) => ({ path: f.path, sha256: sha256(f.content), bytes: Buffer.byteLength(f.content as string | Uint8Array) }));
  const commit = commitIdOf(entries);
  for (const [i, f] of files.entries()) await putText(s3, bucket, `objects/sha256/${entries[i].sha256}`, Buffer.from(f.content).toString('utf8'));
  const manifest = encodeDocument({ format: COMMIT_FORMAT, commit, createdAt: '2026-11-25T10:00:00.000Z', parent: null, steadyVersion: '0.0.1', files: entries });
  await putText(s3, bucket, `commits/${commit}.json`, manifest.toString('utf8'));
  const pointer = encodeDocument({
    format: COMMIT_FORMAT,
    commit,
    manifestKey: `commits/${commit}.json`,
    manifestSha256: sha256(manifest),
    updatedAt: '2026-11-25T10:00:00.000Z',
    previous: null,
    reason: 'apply',
  });
  await putText(s3, bucket, 'HEAD', pointer.toString('utf8'));
  return commit;
}

describe('loadPublishedSpecs', () => {
  it('returns exactly the spec set that was published, with its commit id', async () => {
    const { bucket, commit } = await publishedV1('team/shop');
    const expected = parseSpecFiles(fixture('v1'));

    const result = await loadPublishedSpecs({ bucket, prefix: 'team/shop', s3: store.s3 });

    expect(result.ok).toBe(true);
    if (!result.ok || !expected.ok) throw new Error('unreachable');
    expect(result.commit).toBe(commit);
    expect(result.commit).toBe(commitIdOf(expected.specSet.files));
    expect(result.specSet).toEqual(expected.specSet);
    expect(result.manifest.files).toEqual(expected.specSet.files);
    expect(result.pointer).toMatchObject({ commit, manifestKey: `commits/${commit}.json`, reason: 'apply', previous: null });
  });

  it('reads the same prefix however it is written', async () => {
    const { bucket, commit } = await publishedV1('team/shop');

    for (const prefix of ['team/shop', 'team/shop/', '/team/shop/']) {
      const result = await loadPublishedSpecs({ bucket, prefix, s3: store.s3 });

      expect(result.ok && result.commit).toBe(commit);
    }
  });

  it('uses a default-configured client when none is given', async () => {
    const { bucket, commit } = await publishedV1();

    const result = await loadPublishedSpecs({ bucket });

    expect(result.ok && result.commit).toBe(commit);
  });

  it('reports an object that was deleted as object-missing, naming the key and the file', async () => {
    const { bucket } = await publishedV1();
    const key = objectKeyOf(API);
    await deleteKey(store.s3, bucket, key);

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(PublishedSpecsError);
    expect(result.error).toMatchObject({ kind: 'object-missing', bucket, key, transient: false });
    expect(result.error.message).toBe(`reading s3://${bucket}/${key}: the object of ${API} does not exist`);
  });

  it('reports an object overwritten with other bytes as hash-mismatch', async () => {
    const { bucket } = await publishedV1();
    const key = objectKeyOf(API);
    const original = await getText(store.s3, bucket, key);
    const corrupt = original.replace('shop-api:1.0.0', 'shop-api:6.6.6'); // same length, other bytes
    await putText(store.s3, bucket, key, corrupt);

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'hash-mismatch', bucket, key });
    expect(result.error.message).toBe(`reading s3://${bucket}/${key}: the object of ${API} has sha256 ${sha256(corrupt)}; the object is corrupt`);
  });

  it('reports an object of the wrong size as hash-mismatch without reading its body', async () => {
    const { bucket } = await publishedV1();
    const key = objectKeyOf(API);
    await putText(store.s3, bucket, key, 'x'.repeat(100_000));

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'hash-mismatch', key });
    expect(result.error.message).toBe(`reading s3://${bucket}/${key}: the object of ${API} is 100000 bytes, the manifest says 359; the object is corrupt`);
  });

  it('reports a bucket where objects exist but HEAD does not as pointer-missing', async () => {
    const { bucket } = await publishedV1();
    await deleteKey(store.s3, bucket, 'HEAD');

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'pointer-missing', bucket, key: 'HEAD' });
    expect(result.error.message).toBe(
      `reading s3://${bucket}/HEAD: HEAD does not exist, though s3://${bucket}/ holds objects: no apply has finished publishing a commit there`,
    );
  });

  it('reports an empty prefix as pointer-missing, saying it is empty', async () => {
    const { bucket } = await publishedV1('shop-prod');

    const result = await loadPublishedSpecs({ bucket, prefix: 'shop-staging', s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'pointer-missing', bucket, key: 'shop-staging/HEAD' });
    expect(result.error.message).toBe(
      `reading s3://${bucket}/shop-staging/HEAD: nothing is published under s3://${bucket}/shop-staging/ (the prefix is empty); publish specs with steady apply`,
    );
  });

  it('reports a manifest that changed after HEAD was written as hash-mismatch', async () => {
    const { bucket, commit } = await publishedV1();
    const key = `commits/${commit}.json`;
    const pointer = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    const edited = (await getText(store.s3, bucket, key)).replace('"parent": null', '"parent": null ');
    await putText(store.s3, bucket, key, edited);

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'hash-mismatch', bucket, key });
    expect(result.error.message).toBe(
      `reading s3://${bucket}/${key}: the manifest has sha256 ${sha256(edited)}, but HEAD says ${pointer.manifestSha256}; it was changed after it was published`,
    );
  });

  it('reports a HEAD whose manifest does not exist as manifest-missing', async () => {
    const { bucket, commit } = await publishedV1();
    const key = `commits/${commit}.json`;
    await deleteKey(store.s3, bucket, key);

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'manifest-missing', key });
    expect(result.error.message).toBe(`reading s3://${bucket}/${key}: the manifest of commit ${shortCommit(commit)}, which HEAD names, does not exist`);
  });

  it('reports a HEAD that is not a pointer as unreadable', async () => {
    const { bucket } = await publishedV1();
    await putText(store.s3, bucket, 'HEAD', '{"format": 1, "commit": "main"}');

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'unreadable', key: 'HEAD' });
    expect(result.error.message).toBe(`reading s3://${bucket}/HEAD: not a steady commit pointer: commit: expected 64 lower-case hex digits`);
  });

  it('refuses to read a HEAD larger than any pointer', async () => {
    const { bucket } = await publishedV1();
    await putText(store.s3, bucket, 'HEAD', ' '.repeat(70_000));

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'unreadable', key: 'HEAD' });
    expect(result.error.message).toBe(`reading s3://${bucket}/HEAD: HEAD is 70000 bytes, more than the 65536 a pointer may have`);
  });

  it('reports a manifest whose files do not hash to its commit as hash-mismatch', async () => {
    const { bucket, commit } = await publishedV1();
    const key = `commits/${commit}.json`;
    const manifest = JSON.parse(await getText(store.s3, bucket, key));
    manifest.files[0].path = 'renamed.yaml';
    const bytes = encodeDocument(manifest);
    await putText(store.s3, bucket, key, bytes.toString('utf8'));
    const pointer = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ ...pointer, manifestSha256: sha256(bytes) }));

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    const actual = commitIdOf(manifest.files);
    expect(result.error).toMatchObject({ kind: 'hash-mismatch', key });
    expect(result.error.message).toBe(`reading s3://${bucket}/${key}: its files hash to commit ${shortCommit(actual)}, not ${shortCommit(commit)}; the manifest is corrupt`);
  });

  /** Rewrites the manifest HEAD names with `edit` and points HEAD at the result, as a tampering publisher would. */
  async function tamperedManifest(edit: (manifest: any) => void) {
    const { bucket, commit } = await publishedV1();
    const key = `commits/${commit}.json`;
    const manifest = JSON.parse(await getText(store.s3, bucket, key));
    edit(manifest);
    const bytes = encodeDocument(manifest);
    await putText(store.s3, bucket, key, bytes.toString('utf8'));
    const pointer = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ ...pointer, manifestSha256: sha256(bytes) }));
    return { bucket, commit, key, manifest };
  }

  it.each([
    ['a path leaving the spec root', '../fid-specs/api.yaml', 'an empty, "." or ".." segment; manifest paths are relative to the spec root and stay inside it'],
    ['an absolute path', '/etc/steady/api.yaml', 'an absolute path; manifest paths are relative to the spec root'],
    ['a newline', 'api.yaml\nspecs/other.yaml:1:1 all good', 'a control character (newline, escape, ...) or an invisible formatting character in a path'],
    ['an ANSI escape', '\u001b[2K\u001b[1Gapi.yaml', 'a control character (newline, escape, ...) or an invisible formatting character in a path'],
    ['a backslash', 'shop\\api.yaml', 'a backslash in a path; manifest paths use /'],
  ])('refuses a manifest naming a file with %s, without printing the path', async (_what, path, why) => {
    // The commit id is recomputed, so only the path rules can refuse it.
    const { bucket, key, manifest } = await tamperedManifest((m) => {
      m.files[0].path = path;
      m.commit = commitIdOf(m.files);
    });
    const pointer = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    await putText(store.s3, bucket, `commits/${manifest.commit}.json`, await getText(store.s3, bucket, key));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ ...pointer, commit: manifest.commit, manifestKey: `commits/${manifest.commit}.json` }));

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'unreadable', key: `commits/${manifest.commit}.json` });
    expect(result.error.message).toBe(`reading s3://${bucket}/commits/${manifest.commit}.json: not a steady commit manifest: files[0].path: ${why}`);
    expect(result.error.message).not.toContain(path);
  });

  it('refuses a manifest of 100,000 files before reading any object', async () => {
    const bucket = await store.bucket();
    const files = Array.from({ length: 100_000 }, (_, i) => ({ path: `specs/f${i}.yaml`, sha256: sha256(`f${i}`), bytes: 2 }));
    const commit = commitIdOf(files);
    const manifest = encodeDocument({ format: COMMIT_FORMAT, commit, createdAt: '2026-11-25T10:00:00.000Z', parent: null, steadyVersion: '0.0.1', files });
    await putText(store.s3, bucket, `commits/${commit}.json`, manifest.toString('utf8'));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ format: 1, commit, manifestKey: `commits/${commit}.json`, manifestSha256: sha256(manifest), updatedAt: '2026-11-25T10:00:00.000Z', previous: null, reason: 'apply' }));
    const { s3, sent } = instrumented();

    const result = await loadPublishedSpecs({ bucket, s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('unreadable');
    // ~8 MB of manifest is over the size a manifest may have: it is not even read.
    expect(result.error.message).toMatch(/^reading s3:\/\/specs-\d+\/commits\/[0-9a-f]{64}\.json: the manifest is \d+ bytes, more than the 2097152 a manifest may have$/);
    expect(sent.filter((c) => c.command === 'GetObject').map((c) => c.input.Key)).toEqual(['HEAD', `commits/${commit}.json`]);
  });

  it('refuses a manifest of more files, or more bytes, than a commit may hold', async () => {
    const many = await tamperedManifest((m) => {
      m.files = Array.from({ length: 1001 }, (_, i) => ({ path: `f${i}.yaml`, sha256: sha256(`f${i}`), bytes: 2 }));
      m.commit = commitIdOf(m.files);
    });
    const big = await tamperedManifest((m) => {
      m.files = Array.from({ length: 13 }, (_, i) => ({ path: `f${i}.yaml`, sha256: sha256(`f${i}`), bytes: 1024 * 1024 }));
      m.commit = commitIdOf(m.files);
    });

    for (const [t, why] of [
      [many, 'files: more than the 1000 files a commit may hold'],
      [big, 'files: 13631488 bytes together, more than the 12 MiB a commit may hold'],
    ] as const) {
      const manifestKey = `commits/${t.manifest.commit}.json`;
      const pointer = JSON.parse(await getText(store.s3, t.bucket, 'HEAD'));
      await putText(store.s3, t.bucket, manifestKey, await getText(store.s3, t.bucket, t.key));
      await putText(store.s3, t.bucket, 'HEAD', JSON.stringify({ ...pointer, commit: t.manifest.commit, manifestKey }));

      const result = await loadPublishedSpecs({ bucket: t.bucket, s3: store.s3 });

      expect(result.ok || result.error.message).toBe(`reading s3://${t.bucket}/${manifestKey}: not a steady commit manifest: ${why}`);
    }
  });

  it('blames a wrong bytes field on the manifest, not on the intact object', async () => {
    const { bucket, key } = await tamperedManifest((m) => {
      m.files[0].bytes = 100; // api.yaml is 359 bytes; its object is intact
    });

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    const api = fixture('v1')[0];
    expect(result.error).toMatchObject({ kind: 'unreadable', key });
    expect(result.error.message).toBe(
      `reading s3://${bucket}/${key}: the manifest says api.yaml is 100 bytes, but its object (sha256 ${sha256(api.content)}) is 359; the object is intact, the manifest is wrong`,
    );
  });

  it('reports a commit whose specs do not validate as invalid-specs, with every problem', async () => {
    const bucket = await store.bucket();
    const broken = 'controller/spec/testdata/broken/unknown-field.yaml';
    const commit = await publishUnchecked(store.s3, bucket, [{ path: broken, content: readFileSync(broken) }]);

    const result = await loadPublishedSpecs({ bucket, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'invalid-specs', key: `commits/${commit}.json` });
    expect(result.error.problems).toEqual([{ file: broken, line: 11, column: 3, path: 'spec.desiredcount', message: 'unknown field "desiredcount" (did you mean "desiredCount"?)' }]);
    expect(result.error.cause).toBeInstanceOf(SpecValidationError);
    expect(result.error.message).toBe(
      `validating commit ${shortCommit(commit)} from s3://${bucket}/: 1 problem in the specs:\n` +
        `${broken}:11:3 spec.desiredcount: unknown field "desiredcount" (did you mean "desiredCount"?)`,
    );
  });

  it('reports S3 refusing to read HEAD as access-denied, keeping the AWS error', async () => {
    const { bucket } = await publishedV1();
    const { s3 } = instrumented({
      before: (c) => {
        if (c.command === 'GetObject' && c.input.Key === 'HEAD') throw accessDenied();
      },
    });

    const result = await loadPublishedSpecs({ bucket, s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'access-denied', bucket, key: 'HEAD', transient: false });
    expect(result.error.message).toBe(`reading s3://${bucket}/HEAD: AccessDenied: Access Denied`);
    expect((result.error.cause as { awsName: string }).awsName).toBe('AccessDenied');
  });

  it('reports S3 throttling an object read as throttled and transient', async () => {
    const { bucket } = await publishedV1();
    const key = objectKeyOf(API);
    const { s3 } = instrumented({
      before: (c) => {
        if (c.command === 'GetObject' && c.input.Key === key) throw slowDown();
      },
    });

    const result = await loadPublishedSpecs({ bucket, s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'throttled', bucket, key, transient: true });
    expect(result.error.message).toBe(`reading s3://${bucket}/${key}: SlowDown: Please reduce your request rate.`);
  });

  it('reports a bucket that does not exist as unreadable', async () => {
    const result = await loadPublishedSpecs({ bucket: 'no-such-bucket', s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'unreadable', bucket: 'no-such-bucket', key: 'HEAD' });
    expect(result.error.message).toBe('reading s3://no-such-bucket/HEAD: NoSuchBucket: The specified bucket does not exist');
  });

  it('reads each distinct object once, never more than `concurrency` at a time', async () => {
    const bucket = await store.bucket();
    const files = Array.from({ length: 12 }, (_, i) => ({
      path: `specs/env-${String(i).padStart(2, '0')}.yaml`,
      content: `apiVersion: steady.dev/v1alpha1\nkind: Environment\nmetadata: { name: env-${i} }\nspec: { region: ap-northeast-1, cluster: c${i} }\n`,
    }));
    files.push({ path: 'specs/z-copy.yaml', content: '# nothing here\n' }, { path: 'specs/z-copy-2.yaml', content: '# nothing here\n' });
    await publishSpecs({ bucket, files, allowEmpty: true, s3: store.s3, clock });
    let inFlight = 0;
    let most = 0;
    const { s3, sent } = instrumented({
      before: async (c) => {
        if (c.command !== 'GetObject') return;
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
      after: (c) => {
        if (c.command === 'GetObject') inFlight--;
      },
    });

    const result = await loadPublishedSpecs({ bucket, s3, concurrency: 3 });

    expect(result.ok).toBe(true);
    const objectReads = sent.filter((c) => c.command === 'GetObject' && String(c.input.Key).startsWith('objects/'));
    expect(objectReads).toHaveLength(13);
    expect(most).toBe(3);
  });

  it('never changes the bucket', async () => {
    const { bucket } = await publishedV1();
    const before = await keysIn(store.s3, bucket);
    const { s3, sent } = instrumented();

    await loadPublishedSpecs({ bucket, s3 });

    expect(sent.map((c) => c.command).filter((c) => !['GetObject', 'ListObjectsV2'].includes(c))).toEqual([]);
    expect(await keysIn(store.s3, bucket)).toEqual(before);
  });
});

describe('loadCommit', () => {
  it('loads a commit that HEAD does not name', async () => {
    const { bucket, commit } = await publishedV1();
    await publishSpecs({ bucket, files: fixture('v2'), s3: store.s3, clock });

    const result = await loadCommit({ bucket, commit, s3: store.s3 });

    expect(result.ok && result.commit).toBe(commit);
    expect(result.ok && result.specSet.files.map((f) => f.path)).toEqual([API, 'environment.yaml']);
  });

  it('reports a commit that was never published as manifest-missing', async () => {
    const bucket = await store.bucket();
    const commit = 'ab'.repeat(32);

    const result = await loadCommit({ bucket, commit, s3: store.s3 });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('manifest-missing');
    expect(result.error.message).toBe(`reading s3://${bucket}/commits/${commit}.json: the manifest of commit abababababab does not exist`);
  });
});
