/**
 * `steady status --url`: a short-lived presigned link to the page in the private status bucket.
 * Kept apart from publish.ts so the Lambda's bundle carries no presigner.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { STATUS_PAGE_KEY } from './publish.js';

/** How long a link works by default, and at most (SigV4 allows 7 days). */
export const DEFAULT_URL_TTL_SECONDS = 15 * 60;
export const MAX_URL_TTL_SECONDS = 7 * 24 * 60 * 60;

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
