/**
 * The few DynamoDB mechanics the store needs: translating SDK failures into StateStoreError,
 * BatchWriteItem in chunks of 25 with retries of unprocessed items, and queries read to the end.
 */
import {
  BatchWriteCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock.js';
import { StateStoreError, SteadyError } from '../errors.js';

/** AWS error names (and Node network codes) after which the next pass may well succeed. */
const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  errors?: unknown[];
  $fault?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** The AWS error name of a failure, or the Node network code when the request never got an answer. */
export function dynamoErrorName(cause: unknown): string {
  const err = cause as SdkErrorLike | undefined;
  if (err?.code && NETWORK_CODES.has(err.code)) return err.code;
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  const inner = err?.errors?.[0] as SdkErrorLike | undefined;
  if (inner?.code && NETWORK_CODES.has(inner.code)) return inner.code;
  return err?.name && err.name !== 'Error' ? err.name : 'UnknownError';
}

function hint(name: string): string {
  switch (name) {
    case 'ResourceNotFoundException':
      return ' (the state table does not exist in this account and region: deploy it, or check the table name steady was given)';
    case 'ProvisionedThroughputExceededException':
    case 'ThrottlingException':
    case 'RequestLimitExceeded':
      return ' (DynamoDB is throttling the state table and the SDK retries ran out; the next pass tries again)';
    case 'AccessDeniedException':
      return ' (the controller role may not use the state table)';
    default:
      return NETWORK_CODES.has(name) ? ' (DynamoDB could not be reached; the next pass tries again)' : '';
  }
}

/** `<doing>: <AwsName>: <message> (<what it means>)`. */
export function describeDynamoError(doing: string, cause: unknown): string {
  const name = dynamoErrorName(cause);
  const err = cause as SdkErrorLike | undefined;
  const message = err?.message || (err?.errors?.[0] as SdkErrorLike | undefined)?.message || String(cause);
  return `${doing}: ${name}: ${message}${hint(name)}`;
}

/**
 * Runs one DynamoDB call; any failure becomes a StateStoreError saying what was being done, with
 * the SDK error (and so the AWS error name) kept as `cause`. steady's own errors pass through.
 */
export async function dynamoCall<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw toStateStoreError(doing, cause);
  }
}

export function toStateStoreError(doing: string, cause: unknown): SteadyError {
  if (cause instanceof SteadyError) return cause;
  const name = dynamoErrorName(cause);
  const err = cause as SdkErrorLike | undefined;
  const transient = TRANSIENT.has(name) || err?.$fault === 'server' || (err?.$metadata?.httpStatusCode ?? 0) >= 500;
  return new StateStoreError(describeDynamoError(doing, cause), { cause, transient });
}

/** True when the failure is a failed `ConditionExpression` (a meaningful outcome, not an error). */
export function isConditionFailed(cause: unknown): boolean {
  return (cause as SdkErrorLike | undefined)?.name === 'ConditionalCheckFailedException';
}

export type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: { pk: string; sk: string } } };

export interface BatchWriteOptions {
  /** Attempts per chunk of 25 before giving up on items DynamoDB keeps leaving unprocessed. */
  maxAttempts?: number;
  /** First back-off delay; doubled on every retry, capped at 5 s, with full jitter. */
  baseDelayMs?: number;
  /** Chunks written at the same time. */
  concurrency?: number;
  /** Source of jitter (tests make it deterministic). */
  random?: () => number;
}

/** BatchWriteItem's limit. */
export const BATCH_SIZE = 25;

/**
 * Writes `requests` with BatchWriteItem, 25 a call, retrying `UnprocessedItems` with exponential
 * back-off on `clock` (DynamoDB returns them under throttling; the SDK does not retry them). Two
 * requests for one key in a call are refused by DynamoDB, so the caller passes distinct keys.
 */
export async function batchWrite(
  db: DynamoDBDocumentClient,
  table: string,
  requests: WriteRequest[],
  clock: Clock,
  doing: string,
  options: BatchWriteOptions = {},
): Promise<void> {
  const { maxAttempts = 8, baseDelayMs = 50, concurrency = 4, random = Math.random } = options;
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_SIZE) chunks.push(requests.slice(i, i + BATCH_SIZE));

  const writeChunk = async (chunk: WriteRequest[]) => {
    let pending = chunk;
    for (let attempt = 1; ; attempt++) {
      const out = await dynamoCall(`${doing} (BatchWriteItem of ${pending.length} items to table ${table})`, () =>
        db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } })),
      );
      const unprocessed = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
      if (unprocessed.length === 0) return;
      if (attempt >= maxAttempts) {
        throw new StateStoreError(
          `${doing}: DynamoDB left ${unprocessed.length} of ${chunk.length} items unprocessed in table ${table} after ${attempt} attempts (throttled); the next pass writes them again`,
          { transient: true },
        );
      }
      pending = unprocessed;
      await clock.sleep(Math.floor(random() * Math.min(5000, baseDelayMs * 2 ** (attempt - 1))));
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < chunks.length) await writeChunk(chunks[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
}

/** Runs a query to its last page. */
export async function queryAll<T>(db: DynamoDBDocumentClient, input: QueryCommandInput, doing: string): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await dynamoCall(doing, () => db.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
