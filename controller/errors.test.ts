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

describe('the cause of a failed AWS call', () => {
  const call = { service: 'ecs', operation: 'DescribeServices', doing: 'describing services api in cluster prod' };
  const classify = (cause: unknown) => new AwsCallError({ ...call, cause }).awsCause;

  it('is "no credentials" when the SDK default chain found none', () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(classify(err)).toEqual({ kind: 'noCredentials', action: 'ecs:DescribeServices', doing: call.doing, code: 'CredentialsProviderError', message: 'Could not load credentials from any providers' });
  });

  it('is "unreachable" for a refused connection, a name that does not resolve and a timeout', () => {
    expect(classify(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })).kind).toBe('unreachable');
    expect(classify(Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), { code: 'ENOTFOUND' })).kind).toBe('unreachable');
    expect(classify(Object.assign(new Error('timed out'), { name: 'TimeoutError' })).kind).toBe('unreachable');
  });

  it('is "access denied" naming the IAM action, for ELB as elasticloadbalancing', () => {
    const denied = new ECSServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized', $metadata: { httpStatusCode: 403 } });
    expect(classify(denied)).toMatchObject({ kind: 'accessDenied', action: 'ecs:DescribeServices', httpStatus: 403 });
    expect(new AwsCallError({ service: 'elbv2', operation: 'DescribeTargetGroups', doing: 'x', cause: denied }).awsCause.action).toBe('elasticloadbalancing:DescribeTargetGroups');
  });

  it('tells rejected credentials, throttling and server errors apart', () => {
    const named = (name: string, status: number) => new ECSServiceException({ name, $fault: status >= 500 ? 'server' : 'client', message: name, $metadata: { httpStatusCode: status } });
    expect(classify(named('ExpiredTokenException', 400)).kind).toBe('credentialsRejected');
    expect(classify(named('ThrottlingException', 400)).kind).toBe('throttled');
    expect(classify(named('ServerException', 500)).kind).toBe('serverError');
    expect(classify(named('ServiceNotFoundException', 400)).kind).toBe('other');
  });

  it('reports an HTTP 500 whose body is not JSON as such, not as a SyntaxError', () => {
    const syntax = Object.assign(new SyntaxError(`Unexpected token '<', "<html><bod"... is not valid JSON`), { $metadata: { httpStatusCode: 500 } });
    const err = new AwsCallError({ ...call, cause: syntax });

    expect(err.message).toBe('describing services api in cluster prod: AWS answered HTTP 500 (not a JSON error body)');
    expect(err).toMatchObject({ awsName: 'HttpError', httpStatus: 500, transient: true });
    expect(err.awsCause).toMatchObject({ kind: 'serverError', code: 'HttpError', message: 'AWS answered HTTP 500 (not a JSON error body)' });
  });
});
