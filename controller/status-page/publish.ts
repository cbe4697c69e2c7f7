/**
 * The deployed status page: the Lambda writes it to the private status bucket after each
 * invocation (`url.ts` signs the short-lived links people open it with). The bucket blocks all
 * public access.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AwsCallError } from '../errors.js';
import type { StateStore } from '../state/store.js';
import { loadSiteData } from './data.js';
import { renderStatusPage } from './page.js';
import { PAGE_FILE } from './write.js';

/** The page's key in the status bucket. */
export const STATUS_PAGE_KEY = PAGE_FILE;

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
