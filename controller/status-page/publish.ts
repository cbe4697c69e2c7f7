/**
 * The deployed status page: the Lambda writes it to the private status bucket after each
 * invocation, and `steady status --url` signs a short-lived link to it. The bucket blocks all
 * public access; the link is the only way in, and it expires.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AwsCallError } from '../errors.js';
import type { StateStore } from '../state/store.js';
import { loadSiteData } from './data.js';
import { renderStatusPage } from './page.js';
import { PAGE_FILE } from './write.js';

/** The page's key in the status bucket. */
export const STATUS_PAGE_KEY = PAGE_FILE;

/** How long a `steady status --url` link works by default, and at most (SigV4 allows 7 days). */
export const DEFAULT_URL_TTL_SECONDS = 15 * 60;
export const MAX_URL_TTL_SECONDS = 7 * 24 * 60 * 60;

/**
 * Renders the page from the table and puts it in the bucket. Returns the page's size.
 *
 * @example
 * await publishStatusPage(store, { s3, bucket: 'steady-status-…', now: clock.now() });
 */
export async function publishStatusPage(store: StateStore, options: { s3: S3Client; bucket: string; now: number }): Promise<{ key: string; bytes: number }> {
  const page = renderStatusPage(await loadSiteData(store, { now: options.now }));
  const body = Buffer.from(page, 'utf8');
  try {
    await options.s3.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: STATUS_PAGE_KEY,
        Body: body,
        ContentType: 'text/html; charset=utf-8',
        // A page about now: never served from a cache.
        CacheControl: 'no-store',
      }),
    );
  } catch (err) {
    throw new AwsCallError({ service: 's3', operation: 'PutObject', doing: `writing the status page to s3://${options.bucket}/${STATUS_PAGE_KEY}`, cause: err });
  }
  return { key: STATUS_PAGE_KEY, bytes: body.length };
}

/**
 * A link to the page that works for `expiresInSeconds`, signed with the caller's credentials
 * (so it opens only what the caller may read, and only until it expires).
 *
 * @example
 * const url = await statusPageUrl({ s3: createS3Client(), bucket, expiresInSeconds: 900 });
 */
export async function statusPageUrl(options: { s3: S3Client; bucket: string; expiresInSeconds?: number }): Promise<string> {
  return getSignedUrl(options.s3, new GetObjectCommand({ Bucket: options.bucket, Key: STATUS_PAGE_KEY }), { expiresIn: options.expiresInSeconds ?? DEFAULT_URL_TTL_SECONDS });
}
