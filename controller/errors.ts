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

/**
 * A failed AWS call, translated at the adapter boundary. Keeps the AWS error name (`awsName`)
 * and the original error as `cause`; the message names the call and the resource.
 */
export class AwsCallError extends SteadyError {
  readonly service: string;
  readonly operation: string;
  /** The AWS error name, e.g. `ServiceNotFoundException`, `InvalidChangeBatch`. */
  readonly awsName: string;
  /** HTTP status of the failed call, when there was one. */
  readonly httpStatus?: number;

  constructor(init: { service: string; operation: string; doing: string; cause: unknown }) {
    const err = init.cause as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
    const awsName = err?.name && err.name !== 'Error' ? err.name : 'UnknownError';
    const status = err?.$metadata?.httpStatusCode;
    super(`${init.doing}: ${awsName}: ${err?.message ?? String(init.cause)}`, {
      cause: init.cause,
      transient: TRANSIENT_AWS_ERRORS.has(awsName) || err?.$fault === 'server' || (status !== undefined && status >= 500),
    });
    this.service = init.service;
    this.operation = init.operation;
    this.awsName = awsName;
    this.httpStatus = status;
  }
}

/** A spec set that is invalid; `problems` holds every error, each with file:line:column. */
export class SpecValidationError extends SteadyError {
  constructor(readonly problems: ReadonlyArray<{ file: string; line: number; column: number; path: string; message: string }>) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the specs:\n` +
        problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
    );
  }
}

/** Something steady itself was configured with (flags, environment variables) is wrong. */
export class ConfigError extends SteadyError {}

/** The published spec commit could not be read whole (missing object, hash mismatch, ...). */
export class SpecSourceError extends SteadyError {}

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
