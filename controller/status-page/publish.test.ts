/**
 * The deployed page: the Lambda's copy in the status bucket (a local S3 server here) and the
 * short-lived link `steady status --url` prints, fetched as a browser would.
 */
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli.js';
import { startS3, useEndpoint, type LocalServer } from '../testing/servers.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { hostilePass } from '../testing/status-fixtures.js';
import { loadSiteData } from './data.js';
import { renderStatusPage } from './page.js';
import { publishStatusPage, STATUS_PAGE_KEY } from './publish.js';

let t: LocalStateTable;
let server: LocalServer;
let restore: () => void;
let s3: S3Client;
const BUCKET = 'steady-status-test';

beforeAll(async () => {
  t = await startStateTable();
  server = await startS3();
  restore = useEndpoint('S3', server.endpoint);
  s3 = new S3Client({});
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await t.store().savePass(hostilePass(t.clock.now()));
});
afterAll(async () => {
  s3.destroy();
  restore();
  await server.close();
  await t.close();
});

describe('the deployed status page', () => {
  it('is written to the status bucket as HTML that is never cached', async () => {
    const store = t.store();

    const written = await publishStatusPage(store, { s3, bucket: BUCKET, now: t.clock.now() });

    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: STATUS_PAGE_KEY }));
    const body = await object.Body!.transformToString();
    expect(object.ContentType).toBe('text/html; charset=utf-8');
    expect(object.CacheControl).toBe('no-store');
    expect(body).toBe(renderStatusPage(await loadSiteData(store, { now: t.clock.now() })));
    expect(written).toEqual({ key: 'index.html', bytes: Buffer.byteLength(body) });
  });

  it('says which bucket it could not write to, and why', async () => {
    await expect(publishStatusPage(t.store(), { s3, bucket: 'no-such-status-bucket', now: t.clock.now() })).rejects.toThrow(
      /^writing the status page to s3:\/\/no-such-status-bucket\/index\.html: NoSuchBucket: /,
    );
  });

  it('opens through the link steady status --url prints, for the time asked, signed with the credentials of the caller', async () => {
    await publishStatusPage(t.store(), { s3, bucket: BUCKET, now: t.clock.now() });

    const { code, stdout, stderr } = await runCli('status', '--url', '--status-bucket', BUCKET);
    expect(code).toBe(0);
    const url = stdout.trim();
    expect(stderr).toMatch(/^This link opens the status page until \d{4}-\d{2}-\d{2}T[\d:.]+Z, for anyone who has it\.\n$/);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('900');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/^<!doctype html>/);

    const hour = JSON.parse((await runCli('status', '--url', '--status-bucket', BUCKET, '--expires', '1h', '-o', 'json')).stdout);
    expect(new URL(hour.url).searchParams.get('X-Amz-Expires')).toBe('3600');
    // Signed with the caller's own credentials (SigV4), for this one object.
    const signed = new URL(hour.url);
    expect(signed.pathname).toBe(`/${BUCKET}/index.html`);
    expect(signed.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(signed.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${process.env.AWS_ACCESS_KEY_ID}/\\d{8}/ap-northeast-1/s3/aws4_request$`));
    expect(signed.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(hour.expiresAt) - Date.now()).toBeGreaterThan(3_590_000);
  });

  it('refuses --url without a bucket, and an expiry past 7 days', async () => {
    // Usage errors: exit 2, said on stderr with the command's usage line (issue 22).
    const usage = 'usage: steady status [options]\n(steady status --help shows the options and examples)\n';
    expect(await runCli('status', '--url')).toMatchObject({
      code: 2,
      stderr: `error: no status bucket: give --status-bucket NAME or set STEADY_STATUS_BUCKET (the StatusBucketName output of the deployed stack)\n${usage}`,
    });
    const expires = await runCli('status', '--url', '--status-bucket', BUCKET, '--expires', '8d');
    expect(expires.code).toBe(2);
    expect(expires.stderr.split('\n')[0]).toBe('error: --expires: expected a duration from 1s to 7d such as 15m, 1h or 2d; got "8d"');
  });
});
