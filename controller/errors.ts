import { classifyAwsError, readableError, type AwsCause } from './model/causes.js';
import type { InterruptReason } from './model/outcome.js';
import type { SpecProblem } from './spec/load.js';

/**
 * steady's errors. Each is either transient (the next pass may well succeed: throttling, a
 * service fault, a held lease) or terminal (it will fail the same way until a person or a spec
 * changes something). Messages say what steady was doing, then what went wrong:
 * `describing service api in cluster prod: ServiceNotFoundException: Service not found.`
 */
export class SteadyError extends Error {
  /** True when retrying later (the next pass) may succeed without anyone changing anything. */
  readonly transient: boolean;

  constructor(message: string, options: { transient?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.transient = options.transient ?? false;
  }
}

/** AWS error names that mean "try again later". */
const TRANSIENT_AWS_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'ServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'HealthUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Node network error codes: the endpoint could not be reached this time. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A failed AWS call, translated at the adapter boundary. Keeps the AWS error name (`awsName`)
 * and the original error as `cause`; the message names the call and the resource. `awsCause`
 * classifies it (no credentials, unreachable, access denied, throttled, 5xx, ...), see causes.ts.
 */
export class AwsCallError extends SteadyError {
  readonly service: string;
  readonly operation: string;
  /** The AWS error name, e.g. `ServiceNotFoundException`, `InvalidChangeBatch`; `HttpError` for a body that was not AWS's. */
  readonly awsName: string;
  /** HTTP status of the failed call, when there was one. */
  readonly httpStatus?: number;
  /** Why it failed, classified. */
  readonly awsCause: AwsCause;

  constructor(init: { service: string; operation: string; doing: string; cause: unknown }) {
    const err = init.cause as { code?: string; $fault?: string };
    const { name: awsName, message, httpStatus: status } = readableError(init.cause);
    // "AWS answered HTTP 500 (...)" says it all; an error name in front would only be noise.
    super(awsName === 'HttpError' ? `${init.doing}: ${message}` : `${init.doing}: ${awsName}: ${message}`, {
      cause: init.cause,
      transient:
        TRANSIENT_AWS_ERRORS.has(awsName) || NETWORK_ERRORS.has(err?.code ?? '') || err?.$fault === 'server' || (status !== undefined && status >= 500),
    });
    this.service = init.service;
    this.operation = init.operation;
    this.awsName = awsName;
    this.httpStatus = status;
    this.awsCause = classifyAwsError(init.cause, init);
  }
}

/** A spec set that is invalid; `problems` holds every error, each with file:line:column. */
export class SpecValidationError extends SteadyError {
  constructor(readonly problems: ReadonlyArray<{ file: string; line: number; column: number; path: string; message: string; rendering?: string[] }>) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the specs:\n` +
        problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.path ? `${p.path}: ` : ''}${p.message}${p.rendering?.length ? ` (rendering ${p.rendering.join(', ')})` : ''}`).join('\n'),
    );
  }
}

/** Something steady itself was configured with (flags, environment variables) is wrong. */
export class ConfigError extends SteadyError {}

/** The published spec commit could not be read whole (missing object, hash mismatch, ...). */
export class SpecSourceError extends SteadyError {}

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

/** Another invocation holds the environment's lease. */
export class LeaseHeldError extends SteadyError {
  constructor(
    readonly environment: string,
    readonly holder: string,
    readonly expiresAt: number,
  ) {
    super(`lease for environment ${environment} is held by ${holder} until ${new Date(expiresAt).toISOString()}`, { transient: true });
  }
}

/**
 * The lease is no longer ours: taken over by another holder, released, gone with the table, or
 * past its expiry (minus the safety margin) on our own clock. Stop changing AWS.
 */
export class LeaseLostError extends SteadyError {
  constructor(
    message: string,
    readonly environment: string,
    readonly reason: 'taken-over' | 'released' | 'expired' | 'missing',
  ) {
    super(message, { transient: true });
  }
}

/**
 * A pass stops starting work: its deadline came, its lease was lost, or a person pressed Ctrl-C.
 * Carried as the `reason` of the pass's AbortSignal, and thrown by a stage that stops part-way
 * (observe, the wiring checks) so the pass can record what it did and release its lease.
 */
export class PassInterruptedError extends SteadyError {
  constructor(
    readonly reason: InterruptReason,
    message: string,
  ) {
    super(message, { transient: true });
  }
}

/** The state table could not be read or written. */
export class StateStoreError extends SteadyError {}

/** A notification (Slack, email) could not be delivered. */
export class NotifyError extends SteadyError {}

/** The Lambda was invoked with an event it does not understand (terminal: the same event fails the same way). */
export class InvalidEventError extends SteadyError {}

/**
 * Runs an AWS call and translates any failure into an AwsCallError that says what was being done.
 *
 * @example
 * await awsCall('ecs', 'DescribeServices', `describing services in cluster ${cluster}`, () => client.send(cmd));
 */
export async function awsCall<T>(service: string, operation: string, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    if (cause instanceof SteadyError) throw cause;
    throw new AwsCallError({ service, operation, doing, cause });
  }
}
