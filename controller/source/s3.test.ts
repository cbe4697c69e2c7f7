/**
 * The spec source's S3 calls (s3.ts), against the local S3 server: what a failure says (the call,
 * the s3:// URL, the IAM action a denial needs), what counts as a missing key, and the client's
 * configuration. Faults are injected on a real client (testkit.ts `instrumented`).
 */
import { PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../errors.js';
import { loadPublishedSpecs } from './load.js';
import { publishSpecs, rollbackTo } from './publish.js';
import { createS3Client, isNotFound, listKeys, S3CallError, writeObject } from './s3.js';
import { accessDenied, commitOf, fixture, getText, instrumented, useSpecStore } from './testkit.js';

const store = useSpecStore();
const V1 = fixture('v1');

describe('an S3 failure names the call, the s3:// URL and the IAM action a denial needs', () => {
  it.each([
    ['GetObject', 'reading', 'HEAD', (bucket: string, s3: never) => loadPublishedSpecs({ bucket, s3 }).then((r) => (r.ok ? undefined : r.error.cause))],
    ['PutObject', 'writing', 'HEAD', (bucket: string, s3: never) => publishSpecs({ bucket, files: fixture('v2'), s3 }).then(() => undefined, (err) => err)],
    ['ListObjectsV2', 'listing', `commits/${commitOf(V1).slice(0, 7)}`, (bucket: string, s3: never) => rollbackTo({ bucket, commit: commitOf(V1).slice(0, 7), s3 }).then(() => undefined, (err) => err)],
  ])('%s', async (operation, verb, key, run) => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const { s3 } = instrumented({
      before: (c) => {
        if (c.command === operation && (c.input.Key ?? c.input.Prefix) === key) throw accessDenied();
      },
    });

    const err = await run(bucket, s3 as never);

    expect(err).toBeInstanceOf(S3CallError);
    expect(err).toMatchObject({ service: 's3', operation, bucket, key, awsName: 'AccessDenied', httpStatus: 403, awsCause: { kind: 'accessDenied', action: `s3:${operation}` } });
    expect((err as Error).message).toBe(`${verb} s3://${bucket}/${key}: AccessDenied: Access Denied`);
  });
});

describe('what counts as a missing key', () => {
  const failing = (name: string, status: number) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

  it('a 404 under any name but NoSuchBucket: HEAD is missing', async () => {
    const bucket = await store.bucket();
    const { s3 } = instrumented({
      before: (c) => {
        if (c.command === 'GetObject') throw failing('UnknownError', 404);
      },
    });

    const result = await loadPublishedSpecs({ bucket, s3 });

    expect(!result.ok && result.error.kind).toBe('pointer-missing');
  });

  it('NoSuchBucket is no missing key, whatever its status', async () => {
    const bucket = await store.bucket();
    const { s3 } = instrumented({
      before: (c) => {
        if (c.command === 'GetObject') throw failing('NoSuchBucket', 404);
      },
    });

    const result = await loadPublishedSpecs({ bucket, s3 });

    expect(!result.ok && result.error.kind).toBe('unreadable');
    expect(!result.ok && result.error.cause).toBeInstanceOf(AwsCallError);
  });
});

describe('the kind of an S3 failure the loader reports', () => {
  it.each([
    ['ExpiredToken', 400, 'access-denied'],
    ['Forbidden', 403, 'access-denied'],
    ['SlowDown', 503, 'throttled'],
    ['UnknownError', 429, 'throttled'],
    ['InternalError', 500, 'unreadable'],
  ])('%s (HTTP %i) is %s', async (name, status, kind) => {
    const bucket = await store.bucket();
    const { s3 } = instrumented({
      before: (c) => {
        if (c.command === 'GetObject') throw new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
      },
    });

    const result = await loadPublishedSpecs({ bucket, s3 });

    expect(!result.ok && result.error.kind).toBe(kind);
  });
});

describe('createS3Client', () => {
  it('follows S3\'s region redirects, retries adaptively, and takes the region given', async () => {
    const client = createS3Client('eu-west-1');

    expect(client.config.followRegionRedirects).toBe(true);
    expect(((await client.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
    expect(await client.config.region()).toBe('eu-west-1');
    client.destroy();
  });
});

describe('listing follows S3\'s continuation tokens', () => {
  it('lists every key under a prefix, page after page, in key order; the first page alone when asked', async () => {
    const bucket = await store.bucket();
    const keys = ['k/1', 'k/2', 'k/3', 'k/4', 'k/5'];
    for (const Key of [...keys, 'l/beside']) await store.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
    const { s3, sent } = instrumented();
    // S3 may answer with fewer keys than a page may hold; the proxy answers two at a time.
    store.proxy.pageSize(2);
    try {
      const all = await listKeys(s3, bucket, 'k/');
      const tokens = sent.map((c) => c.input.ContinuationToken);
      const first = await listKeys(s3, bucket, 'k/', { firstPageOnly: true });

      expect(all.map((o) => o.key)).toEqual(keys);
      expect(all.every((o) => o.lastModified instanceof Date)).toBe(true);
      expect(tokens).toEqual([undefined, expect.any(String), expect.any(String)]);
      expect(first.map((o) => o.key)).toEqual(['k/1', 'k/2']);
      expect(sent).toHaveLength(4);
    } finally {
      store.proxy.pageSize(undefined);
    }
  });
});

describe('writeObject', () => {
  const text = (s: string) => Buffer.from(s, 'utf8');

  it('says written, or exists only when S3 refuses a conditional write because the key is there; any other failure is thrown', async () => {
    const bucket = await store.bucket();
    const plain = { contentType: 'text/plain' };

    expect(await writeObject(store.s3, bucket, 'k', text('first'), { ...plain, ifAbsent: true })).toBe('written');
    expect(await writeObject(store.s3, bucket, 'k', text('second'), { ...plain, ifAbsent: true })).toBe('exists');
    expect(await getText(store.s3, bucket, 'k')).toBe('first');
    expect(await writeObject(store.s3, bucket, 'k', text('third'), plain)).toBe('written');
    expect(await getText(store.s3, bucket, 'k')).toBe('third');
    for (const ifAbsent of [true, false]) {
      const failure = writeObject(store.s3, `${bucket}-missing`, 'k', text('x'), { ...plain, ifAbsent });
      await expect(failure).rejects.toBeInstanceOf(S3CallError);
      await expect(failure).rejects.toMatchObject({ awsName: 'NoSuchBucket', bucket: `${bucket}-missing`, key: 'k' });
    }
  });

  it('a missing key is only ever an S3 call\'s error, never any error that happens to say so', () => {
    expect(isNotFound(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', awsName: 'NoSuchKey', httpStatus: 404 }))).toBe(false);
    expect(isNotFound(new S3CallError({ operation: 'GetObject', doing: 'reading s3://b/k', bucket: 'b', key: 'k', cause: new S3ServiceException({ name: 'NoSuchKey', $fault: 'client', $metadata: { httpStatusCode: 404 }, message: 'gone' }) }))).toBe(true);
  });
});
