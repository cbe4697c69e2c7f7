import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHttpRecorder } from '../testing/servers.js';
import { CloudFrontAdapter } from './cloudfront.js';
import { createAwsClients } from './clients.js';
import { EcsAdapter } from './ecs.js';

// The proof that nothing in steady bypasses the SDK's standard endpoint resolution: the same
// adapter code, on clients built exactly as production builds them, talks to whatever endpoint
// AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_ECS name (LocalStack, moto, or here a recording server).

const ARN = 'arn:aws:ecs:ap-northeast-1:123456789012';
const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_ECS', 'AWS_ENDPOINT_URL_CLOUDFRONT'] as const;

const describeServicesAnswer = {
  services: [
    {
      serviceArn: `${ARN}:service/shop-prod/api`,
      serviceName: 'api',
      clusterArn: `${ARN}:cluster/shop-prod`,
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      launchType: 'FARGATE',
      taskDefinition: `${ARN}:task-definition/shop-api:7`,
      deployments: [
        {
          id: 'ecs-svc/1234567890123456789',
          status: 'PRIMARY',
          taskDefinition: `${ARN}:task-definition/shop-api:7`,
          desiredCount: 2,
          runningCount: 2,
          pendingCount: 0,
          failedTasks: 0,
          createdAt: 1767225600,
          updatedAt: 1767225660.5,
          rolloutState: 'COMPLETED',
          rolloutStateReason: 'ECS deployment ecs-svc/1234567890123456789 completed.',
        },
      ],
      loadBalancers: [],
      events: [{ id: 'e1', createdAt: 1767225660.5, message: '(service api) has reached a steady state.' }],
      createdAt: 1767225600,
      tags: [{ key: 'steady:managed-by', value: 'steady' }],
    },
  ],
  failures: [{ arn: `${ARN}:service/shop-prod/worker`, reason: 'MISSING' }],
};

describe('AWS_ENDPOINT_URL redirects the production clients', () => {
  const saved: Record<string, string | undefined> = {};
  let server: Awaited<ReturnType<typeof startHttpRecorder>>;

  beforeEach(async () => {
    for (const name of ENDPOINT_VARIABLES) saved[name] = process.env[name];
    server = await startHttpRecorder({
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '11111111-2222-3333-4444-555555555555' },
      body: JSON.stringify(describeServicesAnswer),
    });
  });

  afterEach(async () => {
    for (const name of ENDPOINT_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await server.close();
  });

  it('sends an adapter call to the endpoint in AWS_ENDPOINT_URL and parses its answer', async () => {
    process.env.AWS_ENDPOINT_URL = server.endpoint;
    const ecs = new EcsAdapter(createAwsClients({ region: 'ap-northeast-1' }).ecs);

    const out = await ecs.describeServices('shop-prod', ['api', 'worker']);

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/' });
    expect(request.headers['x-amz-target']).toBe('AmazonEC2ContainerServiceV20141113.DescribeServices');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTESTTESTTESTTEST\/\d{8}\/ap-northeast-1\/ecs\/aws4_request/);
    expect(JSON.parse(request.body)).toEqual({ cluster: 'shop-prod', services: ['api', 'worker'], include: ['TAGS'] });
    expect(out.missing).toEqual(['worker']);
    expect(out.services).toEqual([
      expect.objectContaining({
        arn: `${ARN}:service/shop-prod/api`,
        taskDefinitionArn: `${ARN}:task-definition/shop-api:7`,
        runningCount: 2,
        createdAt: 1767225600000,
        tags: { 'steady:managed-by': 'steady' },
        events: [{ createdAt: 1767225660500, message: '(service api) has reached a steady state.' }],
        deployments: [expect.objectContaining({ id: 'ecs-svc/1234567890123456789', rolloutState: 'COMPLETED', updatedAt: 1767225660500 })],
      }),
    ]);
  });

  it('prefers AWS_ENDPOINT_URL_ECS over AWS_ENDPOINT_URL for ECS', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9'; // nothing listens there: a request to it would fail
    process.env.AWS_ENDPOINT_URL_ECS = server.endpoint;
    const ecs = new EcsAdapter(createAwsClients({ region: 'ap-northeast-1' }).ecs);

    const out = await ecs.describeServices('shop-prod', ['api']);

    expect(server.requests.map((r) => r.headers['x-amz-target'])).toEqual(['AmazonEC2ContainerServiceV20141113.DescribeServices']);
    expect(out.services.map((s) => s.name)).toEqual(['api']);
  });

  it('sends CloudFront calls, whose client is made when first used, to AWS_ENDPOINT_URL_CLOUDFRONT, signed for us-east-1', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9'; // nothing listens there
    process.env.AWS_ENDPOINT_URL_CLOUDFRONT = server.endpoint;
    const clients = createAwsClients({ region: 'ap-northeast-1' });
    server.respond({
      status: 200,
      headers: { 'content-type': 'text/xml', etag: 'E2QWRUHAPOMQZL-1' },
      body:
        '<?xml version="1.0" encoding="UTF-8"?><Distribution xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>E2QWRUHAPOMQZL</Id>' +
        '<ARN>arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL</ARN><Status>Deployed</Status><DomainName>D111111ABCDEF8.cloudfront.net</DomainName>' +
        '<DistributionConfig><Aliases><Quantity>1</Quantity><Items><CNAME>Shop.Example.com</CNAME></Items></Aliases><Enabled>true</Enabled></DistributionConfig></Distribution>',
    });
    expect(clients.cloudfront.made).toBe(false);

    const d = await new CloudFrontAdapter(clients.cloudfront).distribution('E2QWRUHAPOMQZL');

    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /2020-05-31/distribution/E2QWRUHAPOMQZL']);
    expect(server.requests[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTESTTESTTESTTEST\/\d{8}\/us-east-1\/cloudfront\/aws4_request/);
    expect(d).toEqual({ id: 'E2QWRUHAPOMQZL', domainName: 'd111111abcdef8.cloudfront.net', status: 'Deployed', enabled: true, aliases: ['shop.example.com'] });
  });
});
