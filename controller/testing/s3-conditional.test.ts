import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConditionalS3, type ConditionalS3 } from './s3-conditional.js';
import { startS3, useEndpoint, type LocalServer } from './servers.js';

// The proxy makes s3rver honour `If-None-Match: *` as S3 does; everything else passes through.
let s3rver: LocalServer;
let proxy: ConditionalS3;
let restore: () => void;
let client: S3Client;
beforeAll(async () => {
  s3rver = await startS3();
  proxy = await startConditionalS3(s3rver);
  restore = useEndpoint('S3', proxy.endpoint);
  client = new S3Client({});
  await client.send(new CreateBucketCommand({ Bucket: 'proxied' }));
});
afterAll(async () => {
  restore();
  client.destroy();
  await proxy.close();
  await s3rver.close();
});

const put = (key: string, body: string, ifAbsent: boolean) => client.send(new PutObjectCommand({ Bucket: 'proxied', Key: key, Body: body, ...(ifAbsent ? { IfNoneMatch: '*' } : {}) }));
const get = async (key: string) => (await client.send(new GetObjectCommand({ Bucket: 'proxied', Key: key }))).Body!.transformToString();

describe('conditional writes in front of s3rver', () => {
  it('a PUT with If-None-Match: * onto an existing key is refused with 412 PreconditionFailed, and the object is kept', async () => {
    await put('k1', 'first', true);
    const refused = await put('k1', 'second', true).catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(S3ServiceException);
    expect((refused as S3ServiceException).name).toBe('PreconditionFailed');
    expect((refused as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    expect(await get('k1')).toBe('first');
  });

  it('a PUT without the condition overwrites, as S3 does', async () => {
    await put('k2', 'first', true);
    await put('k2', 'second', false);
    expect(await get('k2')).toBe('second');
  });

  it('of racing conditional writes to one key exactly the first is written', async () => {
    const raced = proxy.race('k3', 3);
    const results = await Promise.allSettled([put('k3', 'a', true), put('k3', 'b', true), put('k3', 'c', true)]);
    await raced;

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    const writes = proxy.puts().filter((p) => p.key === 'k3');
    expect(writes.map((p) => [p.body, p.status])).toEqual([['a', 200], ['b', 412], ['c', 412]]);
    expect(await get('k3')).toBe('a');
  });
});
