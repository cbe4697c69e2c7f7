/**
 * The few S3 calls the spec source makes. A failure is an S3CallError (an AwsCallError) that
 * says which s3:// URL was being read or written and keeps the AWS error name.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsCallError } from '../errors.js';

/** A failed S3 call: an AwsCallError that also keeps the bucket and key it was about. */
export class S3CallError extends AwsCallError {
  readonly bucket: string;
  readonly key: string;

  constructor(init: { operation: string; doing: string; bucket: string; key: string; cause: unknown }) {
    super({ service: 's3', operation: init.operation, doing: init.doing, cause: init.cause });
    this.bucket = init.bucket;
    this.key = init.key;
  }
}

/** Runs one S3 call; a failure becomes an S3CallError whose message starts `<verb> s3://bucket/key`. */
async function s3Call<T>(operation: string, verb: string, bucket: string, key: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    if (cause instanceof AwsCallError) throw cause;
    throw new S3CallError({ operation, doing: `${verb} ${urlOf(bucket, key)}`, bucket, key, cause });
  }
}

/**
 * An S3 client with the SDK's default configuration: credentials from the default provider
 * chain, the region given or else from `AWS_REGION` or the profile, the endpoint from the standard
 * resolution (`AWS_ENDPOINT_URL_S3`). It follows S3's region redirects, so the bucket may be in any
 * region.
 *
 * @example
 * const s3 = createS3Client();
 */
export function createS3Client(region?: string): S3Client {
  return new S3Client({ followRegionRedirects: true, retryMode: 'adaptive', ...(region ? { region } : {}) });
}

/** True when the failed call means "there is no such key". */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof AwsCallError)) return false;
  return err.awsName === 'NoSuchKey' || err.awsName === 'NotFound' || (err.httpStatus === 404 && err.awsName !== 'NoSuchBucket');
}

/** `s3://bucket/key` */
export function urlOf(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** What {@link readObject} found. `bytes` is absent when the object was over `maxBytes`. */
export interface ObjectRead {
  size: number;
  bytes?: Uint8Array;
}

/**
 * Reads a whole object; undefined when the key does not exist. When the object is larger than
 * `maxBytes`, its body is not read at all: the caller learns only its size.
 */
export async function readObject(s3: S3Client, bucket: string, key: string, maxBytes = Infinity): Promise<ObjectRead | undefined> {
  try {
    return await s3Call('GetObject', 'reading', bucket, key, async () => {
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const size = response.ContentLength ?? 0;
      if (size > maxBytes) {
        (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
        return { size };
      }
      const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
      return { size: bytes.length, bytes };
    });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export interface PutOptions {
  contentType: string;
  /**
   * Write only if the key does not exist (`If-None-Match: *`). S3 honours it; local S3 servers
   * may not, which is why callers read the key first as well.
   */
  ifAbsent?: boolean;
  /** Hex SHA-256 of the body: S3 verifies it on receipt and refuses a body that does not match. */
  sha256?: string;
}

/** Writes an object. `exists` when `ifAbsent` was set and S3 said the key is already there. */
export async function writeObject(s3: S3Client, bucket: string, key: string, body: Uint8Array, options: PutOptions): Promise<'written' | 'exists'> {
  try {
    await s3Call('PutObject', 'writing', bucket, key, () =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          ...(options.ifAbsent ? { IfNoneMatch: '*' } : {}),
          ...(options.sha256 ? { ChecksumSHA256: Buffer.from(options.sha256, 'hex').toString('base64') } : {}),
        }),
      ),
    );
    return 'written';
  } catch (err) {
    if (options.ifAbsent && err instanceof AwsCallError && (err.awsName === 'PreconditionFailed' || err.httpStatus === 412)) return 'exists';
    throw err;
  }
}

/**
 * The keys under `prefix`, with their last-modified times, following continuation tokens; with
 * `firstPageOnly`, one page (up to 1000 keys). A small MaxKeys would do for that, but s3rver
 * fails any truncated listing (its continuation tokens use DES, which Node's OpenSSL 3 lacks).
 */
export async function listKeys(s3: S3Client, bucket: string, prefix: string, options: { firstPageOnly?: boolean } = {}): Promise<{ key: string; lastModified?: Date }[]> {
  const out: { key: string; lastModified?: Date }[] = [];
  let token: string | undefined;
  do {
    const page = await s3Call('ListObjectsV2', 'listing', bucket, prefix, () =>
      s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
    );
    for (const o of page.Contents ?? []) if (o.Key !== undefined) out.push({ key: o.Key, lastModified: o.LastModified });
    token = page.IsTruncated && !options.firstPageOnly ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}
