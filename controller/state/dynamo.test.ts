/**
 * How a DynamoDB failure becomes steady's error (state/dynamo.ts): its name, whether the next pass may
 * well succeed, and what it means, from the errors the SDK and Node really throw; and BatchWriteItem
 * at its 25-item limit against a real DynamoDB-protocol server. Written for the survivors mutation
 * testing found (docs/mutation.md).
 */
import { ConditionalCheckFailedException, DynamoDBServiceException, InternalServerError, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseLostError, StateStoreError } from '../errors.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { describeDynamoError, dynamoErrorName, isConditionFailed, toStateStoreError } from './dynamo.js';

const meta = (httpStatusCode?: number) => ({ $metadata: httpStatusCode === undefined ? {} : { httpStatusCode } });
/** What the SDK throws for an error name its model does not list. */
const denied = () => new DynamoDBServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized', ...meta(400) });
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

describe('a DynamoDB failure', () => {
  it('is named by its AWS error name, a network code, or UnknownError when it has neither', () => {
    expect(dynamoErrorName(new ThrottlingException({ message: 'Rate exceeded', ...meta(400) }))).toBe('ThrottlingException');
    expect(dynamoErrorName(refused())).toBe('ECONNREFUSED');
    // Node reports a refused connection to a name with several addresses as an AggregateError.
    expect(dynamoErrorName(new AggregateError([refused(), refused()], ''))).toBe('ECONNREFUSED');
    expect(dynamoErrorName(Object.assign(new Error('stream closed'), { code: 'ERR_HTTP2_STREAM_ERROR' }))).toBe('UnknownError');
    expect(dynamoErrorName(new Error('something'))).toBe('UnknownError');
    expect(dynamoErrorName(undefined)).toBe('UnknownError');
  });

  it('says what it means: throttling retried by the next pass, a role without access, an unreachable endpoint', () => {
    expect(describeDynamoError('saving pass p', new ThrottlingException({ message: 'Rate exceeded', ...meta(400) }))).toBe(
      'saving pass p: ThrottlingException: Rate exceeded (DynamoDB is throttling the state table and the SDK retries ran out; the next pass tries again)',
    );
    expect(describeDynamoError('saving pass p', Object.assign(new Error('Too many requests'), { name: 'RequestLimitExceeded' }))).toContain('(DynamoDB is throttling the state table');
    expect(describeDynamoError('saving pass p', denied())).toBe(
      'saving pass p: AccessDeniedException: not authorized (the controller role may not use the state table)',
    );
    expect(describeDynamoError('saving pass p', refused())).toBe('saving pass p: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8000 (DynamoDB could not be reached; the next pass tries again)');
    expect(describeDynamoError('saving pass p', undefined)).toBe('saving pass p: UnknownError: undefined');
  });

  it('is transient when AWS says so: a server fault or any 5xx answer, never a 4xx refusal', () => {
    const transient = (cause: unknown) => (toStateStoreError('doing', cause) as StateStoreError).transient;

    expect(transient(new InternalServerError({ message: 'boom', ...meta(500) }))).toBe(true);
    expect(transient(Object.assign(new Error('bad gateway'), { name: 'BadGateway', $fault: 'server', ...meta() }))).toBe(true);
    expect(transient(Object.assign(new Error('unavailable'), { name: 'SomethingNew', $fault: 'client', ...meta(500) }))).toBe(true);
    expect(transient(Object.assign(new Error('odd'), { name: 'SomethingNew', $fault: 'client', ...meta(499) }))).toBe(false);
    expect(transient(denied())).toBe(false);
    expect(transient(Object.assign(new Error('odd'), { name: 'SomethingNew' }))).toBe(false);
    expect(transient(undefined)).toBe(false);
  });

  it("that is already steady's own error passes through unchanged", () => {
    const lost = new LeaseLostError('the lease was taken over', 'shop-prod', 'taken-over');

    expect(toStateStoreError('renewing the lease', lost)).toBe(lost);
  });

  it('is a refused condition only when DynamoDB named it so', () => {
    expect(isConditionFailed(new ConditionalCheckFailedException({ message: 'The conditional request failed', ...meta(400) }))).toBe(true);
    expect(isConditionFailed(new ThrottlingException({ message: 'Rate exceeded', ...meta(400) }))).toBe(false);
    expect(isConditionFailed(undefined)).toBe(false);
  });
});

describe('BatchWriteItem', () => {
  let t: LocalStateTable;
  beforeAll(async () => {
    t = await startStateTable('steady-state-batch');
  });
  afterAll(() => t.close());

  it('writes exactly 25 items (its limit) in one call, and 26 in two', async () => {
    const store = t.store();
    const alerts = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, resource: 'Service/api', kind: 'drift' as const, summary: `drift ${i}`, firstSeenAt: 1_000, notifications: 1 }));

    await store.save('b-25', alerts(25), []);
    await store.save('b-26', alerts(26), []);

    expect(await store.load('b-25')).toHaveLength(25);
    expect(await store.load('b-26')).toHaveLength(26);
  });
});
