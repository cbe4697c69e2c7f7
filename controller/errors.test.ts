import { ECSServiceException, ServiceNotFoundException } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { awsCall, AwsCallError } from './errors.js';

describe('AwsCallError', () => {
  it('says what was being done, keeps the AWS error name, and is terminal for a client error', async () => {
    const cause = new ServiceNotFoundException({ message: 'Service not found.', $metadata: { httpStatusCode: 400 } });
    const err = await awsCall('ecs', 'UpdateService', 'updating service api in cluster prod', () => Promise.reject(cause)).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ message: 'updating service api in cluster prod: ServiceNotFoundException: Service not found.', awsName: 'ServiceNotFoundException', transient: false, cause });
  });

  it('is transient for throttling and server faults', () => {
    const throttled = new ECSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    const fault = new ECSServiceException({ name: 'ServerException', $fault: 'server', message: 'oops', $metadata: { httpStatusCode: 500 } });
    expect(new AwsCallError({ service: 'ecs', operation: 'X', doing: 'x', cause: throttled }).transient).toBe(true);
    expect(new AwsCallError({ service: 'ecs', operation: 'X', doing: 'x', cause: fault }).transient).toBe(true);
  });

  it('names a network failure by its code and treats it as transient', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });
    const err = new AwsCallError({ service: 'ecs', operation: 'DescribeServices', doing: 'describing services in cluster prod', cause: refused });
    expect(err).toMatchObject({ awsName: 'ECONNREFUSED', transient: true, message: 'describing services in cluster prod: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:4566' });
  });
});
