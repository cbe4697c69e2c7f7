import type { ServiceException } from '@smithy/core/client';

type ExceptionClass<T> = new (opts: any) => T;

let requestCounter = 0;
/** A request id shaped like AWS's (a UUID); deterministic enough for tests to ignore. */
export function requestId(): string {
  requestCounter += 1;
  const hex = requestCounter.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/**
 * An error of a modelled AWS exception class, as the SDK's deserializer would have built it from
 * the wire: `name` and `$fault` come from the class, `$metadata.httpStatusCode` from `status`.
 *
 * @example
 * throw awsError(ServiceNotFoundException, 'Service not found.');
 */
export function awsError<T>(Ctor: ExceptionClass<T>, message: string, extra: Record<string, unknown> = {}, status = 400): T {
  return new Ctor({ message, $metadata: { httpStatusCode: status, requestId: requestId() }, ...extra });
}

/**
 * An error the service model does not declare (throttling, access denied, internal failure): the
 * service's base exception class with the wire code as `name`, which is what the SDK produces for
 * an unmodelled error code and what its retry strategy classifies by name.
 */
export function unmodelledError<T extends ServiceException>(
  Base: ExceptionClass<T>,
  name: string,
  message: string,
  status = 400,
): T {
  return new Base({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: requestId() },
  });
}
