/**
 * Why a published spec commit could not be used. A {@link SpecSourceError}, so everything that
 * handles "the spec source failed" handles it, with the cause as a string enum the pass and the
 * reports can switch on.
 */
import { AwsCallError, PublishedSpecsError, type SpecSourceErrorKind } from '../errors.js';

export { PublishedSpecsError, type SpecSourceErrorKind };

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
