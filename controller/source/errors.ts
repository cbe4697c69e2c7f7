/**
 * Why a published spec commit could not be used. A {@link SpecSourceError}, so everything that
 * handles "the spec source failed" handles it, with the cause as a string enum the pass and the
 * reports can switch on.
 */
import { AwsCallError, SpecSourceError } from '../errors.js';
import type { SpecProblem } from '../spec/load.js';

/** What went wrong, in the words a report uses. */
export type SpecSourceErrorKind =
  /** No HEAD under the prefix (also when the prefix is empty): nothing is published there. */
  | 'pointer-missing'
  /** HEAD (or `--rollback`) names a commit whose manifest does not exist. */
  | 'manifest-missing'
  /** The manifest names a file whose object does not exist. */
  | 'object-missing'
  /** A manifest or an object is not what its hash says. */
  | 'hash-mismatch'
  /** Every byte is there and intact, but the specs do not validate; `problems` says why. */
  | 'invalid-specs'
  /** S3 refused the read (permissions, bucket policy, KMS key). */
  | 'access-denied'
  /** S3 asked to slow down; the next pass will likely succeed. */
  | 'throttled'
  /** Anything else: a malformed pointer or manifest, a missing bucket, a network failure. */
  | 'unreadable';

/**
 * A published spec commit that cannot be loaded whole. The message names the bucket and key
 * and the cause: `reading s3://specs/shop/HEAD: AccessDenied: Access Denied`.
 */
export class PublishedSpecsError extends SpecSourceError {
  readonly kind: SpecSourceErrorKind;
  readonly bucket: string;
  /** The key being read when it failed, when there was one. */
  readonly key: string | undefined;
  /** For `invalid-specs`: every problem, with file:line:column as in the manifest's paths. */
  readonly problems: SpecProblem[];

  constructor(init: { kind: SpecSourceErrorKind; bucket: string; key?: string; message: string; cause?: unknown; problems?: SpecProblem[] }) {
    const transient = init.kind === 'throttled' || (init.kind === 'unreadable' && init.cause instanceof AwsCallError && init.cause.transient);
    super(init.message, { cause: init.cause, transient });
    this.kind = init.kind;
    this.bucket = init.bucket;
    this.key = init.key;
    this.problems = init.problems ?? [];
  }
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'KMS.AccessDeniedException',
]);

const THROTTLED = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests', 'TooManyRequestsException', 'RequestLimitExceeded']);

/**
 * The kind of a failed S3 call other than "not found" (which the caller knows the meaning of).
 * S3 answers 403 for a missing key when the caller may not list the bucket, so a role without
 * s3:ListBucket sees access-denied where it would see a missing object.
 */
export function kindOfAwsError(err: AwsCallError): SpecSourceErrorKind {
  if (ACCESS_DENIED.has(err.awsName) || err.httpStatus === 403) return 'access-denied';
  if (THROTTLED.has(err.awsName) || err.httpStatus === 429) return 'throttled';
  return 'unreadable';
}
