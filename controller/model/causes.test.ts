import { describe, expect, it } from 'vitest';
import { classifyAwsError, describeCauses, iamAction, readableError, type AwsCause } from './causes.js';

const call = { service: 'ecs', operation: 'DescribeServices', doing: 'describing services api in cluster prod' };
/** An SDK error as the client throws it: a name, a message and the HTTP status. */
const sdkError = (name: string, message: string, httpStatusCode?: number) => Object.assign(new Error(message), { name, $metadata: httpStatusCode === undefined ? {} : { httpStatusCode } });
/** A Node network error: plain `Error` with a code. */
const netError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('why AWS could not be read: a failed call classified by its cause', () => {
  it.each([
    ['no credentials (the SDK provider chain)', sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), 'noCredentials'],
    ['no credentials (said only in the message)', sdkError('Error', 'could not load credentials from the profile'), 'noCredentials'],
    ['an expired session', sdkError('ExpiredTokenException', 'The security token included in the request is expired', 400), 'credentialsRejected'],
    ['an unknown access key', sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400), 'credentialsRejected'],
    ['a denied call', sdkError('AccessDeniedException', 'User: x is not authorized to perform: ecs:DescribeServices', 400), 'accessDenied'],
    ['any HTTP 403', sdkError('SomethingForbidden', 'nope', 403), 'accessDenied'],
    ['throttling whose retries ran out', sdkError('ThrottlingException', 'Rate exceeded', 400), 'throttled'],
    ['a refused connection', netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'unreachable'],
    ['a named SDK error with a network code', Object.assign(sdkError('NetworkingError', 'socket closed'), { code: 'ECONNRESET' }), 'unreachable'],
    ['an SSO session that needs a login', sdkError('CredentialsProviderError', "Token is expired. To refresh this SSO session run 'aws sso login'"), 'noCredentials'],
    ['a network code as the name', sdkError('ENOTFOUND', 'getaddrinfo ENOTFOUND ecs.example'), 'unreachable'],
    ['a timeout', sdkError('TimeoutError', 'socket hang up'), 'unreachable'],
    ['an HTTP 500', sdkError('InternalFailure', 'We encountered an internal error', 500), 'serverError'],
    ['an HTTP 503 with a body that is not JSON', sdkError('SyntaxError', "Unexpected token '<'", 503), 'serverError'],
    ['a client error that says what is wrong', sdkError('InvalidParameterException', 'bad cluster', 400), 'other'],
    ['an HTTP 499 (not a server fault)', sdkError('Weird', 'client closed', 499), 'other'],
  ])('%s is %s', (_what, err, kind) => {
    expect(classifyAwsError(err, call).kind).toBe(kind);
  });

  it('keeps the IAM action, what steady was doing, the AWS name, the message and the HTTP status', () => {
    expect(classifyAwsError(sdkError('AccessDeniedException', 'not authorized', 400), call)).toStrictEqual({
      kind: 'accessDenied',
      action: 'ecs:DescribeServices',
      doing: 'describing services api in cluster prod',
      code: 'AccessDeniedException',
      message: 'not authorized',
      httpStatus: 400,
    });
    // A network failure has no HTTP status: none is made up.
    expect(classifyAwsError(netError('ECONNRESET', 'read ECONNRESET'), { service: 'elbv2', operation: 'DescribeLoadBalancers', doing: 'describing load balancers' })).toStrictEqual({
      kind: 'unreachable',
      action: 'elasticloadbalancing:DescribeLoadBalancers',
      doing: 'describing load balancers',
      code: 'ECONNRESET',
      message: 'read ECONNRESET',
    });
  });

  it('names the IAM action by the service prefix IAM uses', () => {
    expect(iamAction('elbv2', 'DescribeTargetGroups')).toBe('elasticloadbalancing:DescribeTargetGroups');
    expect(iamAction('sesv2', 'SendEmail')).toBe('ses:SendEmail');
    expect(iamAction('route53', 'ListHostedZonesByName')).toBe('route53:ListHostedZonesByName');
  });
});

describe('readableError: what a failed call is called when the SDK could not read the body', () => {
  it('an HTML error page to a JSON service is the HTTP status, not a SyntaxError', () => {
    expect(readableError(sdkError('SyntaxError', "Unexpected token '<'", 502))).toStrictEqual({ name: 'HttpError', message: 'AWS answered HTTP 502 (not a JSON error body)', httpStatus: 502 });
    expect(readableError(sdkError('SyntaxError', 'Unexpected end of JSON input', 200))).toStrictEqual({ name: 'HttpError', message: 'AWS answered HTTP 200 with a body that is not JSON', httpStatus: 200 });
    expect(readableError(sdkError('SyntaxError', 'Unexpected end of JSON input', 300))).toStrictEqual({ name: 'HttpError', message: 'AWS answered HTTP 300 (not a JSON error body)', httpStatus: 300 });
  });

  it('an XML error without an AWS code is the HTTP status; a SyntaxError without a status stays as it is', () => {
    expect(readableError(sdkError('Unknown', 'UnknownError', 500))).toStrictEqual({ name: 'HttpError', message: 'AWS answered HTTP 500 (no AWS error code in the body)', httpStatus: 500 });
    expect(readableError(sdkError('UnknownError', 'UnknownError', 300))).toStrictEqual({ name: 'HttpError', message: 'AWS answered HTTP 300 (no AWS error code in the body)', httpStatus: 300 });
    expect(readableError(sdkError('UnknownError', 'UnknownError', 200))).toStrictEqual({ name: 'UnknownError', message: 'UnknownError', httpStatus: 200 });
    expect(readableError(sdkError('SyntaxError', 'bad'))).toStrictEqual({ name: 'SyntaxError', message: 'bad' });
  });

  it('a network failure is named by its Node code; an error with neither is UnknownError', () => {
    expect(readableError(netError('ETIMEDOUT', 'connect ETIMEDOUT'))).toStrictEqual({ name: 'ETIMEDOUT', message: 'connect ETIMEDOUT' });
    expect(readableError(new Error('boom'))).toStrictEqual({ name: 'UnknownError', message: 'boom' });
    expect(readableError('a string thrown')).toStrictEqual({ name: 'UnknownError', message: 'a string thrown' });
    expect(readableError(undefined)).toStrictEqual({ name: 'UnknownError', message: 'undefined' });
  });
});

describe('describeCauses: each cause said once, in words, with what to do', () => {
  const cause = (kind: AwsCause['kind'], action: string, doing: string, code: string, message: string): AwsCause => ({ kind, action, doing, code, message });

  it('says the causes in a fixed order, the one that explains the others first', () => {
    const kinds = describeCauses([
      cause('other', 'ecs:DescribeServices', 'describing services', 'InvalidParameterException', 'bad'),
      cause('serverError', 'ecs:DescribeServices', 'describing services', 'InternalFailure', 'oops'),
      cause('throttled', 'ecs:DescribeServices', 'describing services', 'ThrottlingException', 'slow'),
      cause('accessDenied', 'ecs:DescribeServices', 'describing services', 'AccessDeniedException', 'no'),
      cause('unreachable', 'ecs:DescribeServices', 'describing services', 'ECONNREFUSED', 'refused'),
      cause('credentialsRejected', 'ecs:DescribeServices', 'describing services', 'ExpiredToken', 'expired'),
      cause('noCredentials', 'ecs:DescribeServices', 'describing services', 'CredentialsProviderError', 'none'),
    ]).map((d) => d.kind);

    expect(kinds).toEqual(['noCredentials', 'credentialsRejected', 'unreachable', 'accessDenied', 'throttled', 'serverError', 'other']);
  });

  it('words each cause with the first failure in a stable order, whatever order the parallel reads failed in', () => {
    const a = cause('credentialsRejected', 'ecs:DescribeServices', 'describing services', 'ExpiredToken', 'token expired at 09:00');
    const b = cause('credentialsRejected', 'ecs:DescribeClusters', 'describing cluster', 'InvalidClientTokenId', 'key unknown');
    const c = cause('credentialsRejected', 'ecs:DescribeClusters', 'describing cluster', 'ExpiredToken', 'another message');
    const d = cause('credentialsRejected', 'ecs:DescribeClusters', 'another doing', 'ExpiredToken', 'x');

    for (const causes of [
      [a, b, c, d],
      [d, c, b, a],
    ]) {
      expect(describeCauses(causes)).toEqual([
        {
          kind: 'credentialsRejected',
          actions: ['ecs:DescribeClusters', 'ecs:DescribeServices'],
          text: 'AWS rejected the credentials (ExpiredToken: x)',
          advice: 'Refresh the credentials (an expired session or SSO login, a deleted access key, the wrong account or partition) and run it again.',
        },
      ]);
    }
    // Same action and doing: the message decides.
    expect(describeCauses([b, c])[0].text).toBe('AWS rejected the credentials (ExpiredToken: another message)');
  });

  it('names the endpoint variables when none is set, and lists at most two connection failures', () => {
    const refused = (n: number) => cause('unreachable', `ecs:Op${n}`, 'reading', 'ECONNREFUSED', `refused ${n}`);

    const [d] = describeCauses([refused(1), refused(2), refused(3), refused(1)], { AWS_ENDPOINT_URL: '', AWS_REGION: 'x' });

    expect(d.text).toBe('the endpoint could not be reached (refused 1, refused 2 and 1 more)');
    expect(d.advice).toBe('Check the network, the region and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>, then run it again.');
    expect(d.actions).toEqual(['ecs:Op1', 'ecs:Op2', 'ecs:Op3']);
    expect(describeCauses([refused(1), refused(2)])[0].text).toBe('the endpoint could not be reached (refused 1, refused 2)');
    expect(describeCauses([refused(1)], { AWS_ENDPOINT_URL_ECS: 'http://localhost:4566', AWS_ENDPOINT_URL_ELBV2: 'http://localhost:4567' })[0].advice).toBe(
      'Check the network, the region and AWS_ENDPOINT_URL_ECS=http://localhost:4566, AWS_ENDPOINT_URL_ELBV2=http://localhost:4567, then run it again.',
    );
  });

  it('names more than two denied calls by their actions only (one or many)', () => {
    const denied = (action: string, doing: string) => cause('accessDenied', action, doing, 'AccessDeniedException', 'no');
    const many = Array.from({ length: 9 }, (_, i) => denied(`ecs:Op${i}`, `doing ${i}`));

    expect(describeCauses([denied('ecs:DescribeServices', 'a'), denied('ecs:DescribeServices', 'b'), denied('ecs:DescribeServices', 'c')])[0].text).toBe('access denied to 1 action: ecs:DescribeServices');
    const [d] = describeCauses(many);
    expect(d.text).toBe('access denied to 9 actions: ecs:Op0, ecs:Op1, ecs:Op2, ecs:Op3, ecs:Op4, ecs:Op5 and 3 more');
    expect(d.advice).toBe('Allow ecs:Op0, ecs:Op1, ecs:Op2, ecs:Op3, ecs:Op4, ecs:Op5, ecs:Op6, ecs:Op7 and 1 more to the role or user steady runs as (deploy/policy.ts has the statements steady needs).');
    expect(describeCauses([denied('ecs:DescribeServices', 'describing services')])[0].text).toBe('access denied to ecs:DescribeServices (describing services)');
  });

  it('says throttling, server faults and other errors with the calls they met', () => {
    const [throttled, server, other] = describeCauses([
      ...['ecs:A', 'ecs:B', 'ecs:C', 'ecs:D'].map((a) => cause('throttled', a, 'reading', 'ThrottlingException', 'Rate exceeded')),
      cause('serverError', 'ecs:DescribeServices', 'describing services', 'HttpError', 'AWS answered HTTP 500 (not a JSON error body)'),
      cause('other', 'ecs:DescribeServices', 'describing services api', 'InvalidParameterException', 'bad name'),
      cause('other', 'ecs:DescribeClusters', 'describing cluster prod', 'ClusterNotFoundException', 'not found'),
      cause('other', 'ecs:DescribeTasks', 'describing tasks', 'InvalidParameterException', 'bad id'),
    ]);

    expect(throttled).toEqual({
      kind: 'throttled',
      actions: ['ecs:A', 'ecs:B', 'ecs:C', 'ecs:D'],
      text: "AWS kept throttling ecs:A, ecs:B, ecs:C and 1 more and the SDK's retries ran out",
      advice: 'The next pass will most likely get through; if it keeps happening, reconcile fewer environments at once or ask AWS for a higher rate.',
    });
    expect(server).toEqual({
      kind: 'serverError',
      actions: ['ecs:DescribeServices'],
      text: 'AWS answered HTTP 500 (not a JSON error body) to ecs:DescribeServices',
      advice: 'A fault on the side of AWS (or of the endpoint steady was pointed at): the next pass will most likely get through.',
    });
    expect(other).toEqual({
      kind: 'other',
      actions: ['ecs:DescribeClusters', 'ecs:DescribeServices', 'ecs:DescribeTasks'],
      text: 'describing cluster prod: ClusterNotFoundException: not found, describing services api: InvalidParameterException: bad name and 1 more',
      advice: 'See the message; the next pass reads everything again.',
    });
    expect(describeCauses([])).toEqual([]);
  });
});
