/**
 * The controller's policy against the code: every AWS operation the Lambda's code path calls is
 * allowed, and nothing is allowed that it does not call. When an adapter starts calling something
 * new, this fails until the policy says who may do it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from './bundling.js';
import { deployConfig } from './context.js';
import { controllerStatements } from './policy.js';

/** What the handler runs that talks to AWS (the CLI's publisher and the table creation are not in it). */
const CODE = [
  ...readdirSync(path.join(REPOSITORY_ROOT, 'controller/aws'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => `controller/aws/${f}`),
  'controller/source/load.ts',
  'controller/lambda/dispatch.ts',
  'controller/source/s3.ts',
  'controller/state/store.ts',
  'controller/state/lease.ts',
  'controller/state/maintenance.ts',
  'controller/state/dynamo.ts',
  'controller/report/email.ts',
  'controller/report/secrets.ts',
  'controller/status-page/publish.ts',
];

/** SDK package -> IAM service prefix, and the operations whose IAM action has another name. */
const PACKAGES: Record<string, { prefix: string; actions?: Record<string, string> }> = {
  '@aws-sdk/client-ecs': { prefix: 'ecs' },
  '@aws-sdk/client-elastic-load-balancing-v2': { prefix: 'elasticloadbalancing' },
  '@aws-sdk/client-route-53': { prefix: 'route53' },
  '@aws-sdk/client-ecr': { prefix: 'ecr' },
  '@aws-sdk/client-cloudfront': { prefix: 'cloudfront' },
  '@aws-sdk/client-codedeploy': { prefix: 'codedeploy' },
  '@aws-sdk/client-acm': { prefix: 'acm' },
  '@aws-sdk/client-scheduler': { prefix: 'scheduler' },
  '@aws-sdk/client-s3': { prefix: 's3', actions: { HeadObject: 'GetObject', ListObjectsV2: 'ListBucket' } },
  '@aws-sdk/lib-dynamodb': { prefix: 'dynamodb', actions: { Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', BatchWrite: 'BatchWriteItem', BatchGet: 'BatchGetItem' } },
  '@aws-sdk/client-dynamodb': { prefix: 'dynamodb' },
  '@aws-sdk/client-sesv2': { prefix: 'ses' },
  '@aws-sdk/client-secrets-manager': { prefix: 'secretsmanager' },
  '@aws-sdk/client-ssm': { prefix: 'ssm' },
  '@aws-sdk/client-sts': { prefix: 'sts' },
  '@aws-sdk/client-sqs': { prefix: 'sqs' },
};

/** The IAM actions the code calls, found from its `new XCommand(` and the package X comes from. */
function actionsCalled(): Map<string, string[]> {
  const called = new Map<string, string[]>();
  for (const file of CODE) {
    // Comments hold examples (`new DescribeListenersCommand(...)` in a TSDoc), not calls.
    const text = readFileSync(path.join(REPOSITORY_ROOT, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const packageOf = new Map<string, string>();
    // Static imports, and clients imported when first used (`const { XCommand } = await import('@aws-sdk/...')`).
    for (const m of text.matchAll(/(?:import\s*\{([^}]*)\}\s*from\s*|\{([^{}]*)\}\s*=\s*await import\(\s*)'(@aws-sdk\/[^']+)'/g)) {
      const [names, pkg] = [m[1] ?? m[2], m[3]];
      for (const name of names.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim())) if (name.endsWith('Command')) packageOf.set(name, pkg);
    }
    for (const m of text.matchAll(/new (\w+)Command\(/g)) {
      const pkg = packageOf.get(`${m[1]}Command`);
      if (!pkg) throw new Error(`${file}: new ${m[1]}Command( from a package this test does not know`);
      const service = PACKAGES[pkg];
      if (!service) throw new Error(`${file}: ${pkg} is not mapped to an IAM service prefix`);
      const action = `${service.prefix}:${service.actions?.[m[1]] ?? m[1]}`;
      called.set(action, [...(called.get(action) ?? []), file]);
    }
  }
  return called;
}

const CONFIG = deployConfig((key) =>
  ({
    hostedZoneIds: 'Z0123456789ABCDEFGHIJ',
    passRoleArns: 'arn:aws:iam::123456789012:role/shop-prod-api',
    emailIdentity: 'example.com',
    slackWebhookSecretArn: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:slack-AbCdEf',
    slackWebhookParameter: '/steady/slack',
    codeDeployGroups: 'app/group',
    schedulerRoleArns: 'arn:aws:iam::123456789012:role/shop-prod-scheduler',
    maintenanceDistributionIds: 'E2QWRUHAPOMQZL',
    maintenanceListeners: 'shop-api-alb',
  })[key as string],
);
const SCOPE = {
  partition: 'aws',
  account: '123456789012',
  regions: ['ap-northeast-1'],
  bucketArn: 'arn:aws:s3:::my-steady-specs',
  specPrefix: 'shop-prod',
  statusBucketArn: 'arn:aws:s3:::my-steady-status',
  tableArn: 'arn:aws:dynamodb:ap-northeast-1:123456789012:table/steady-state',
  indexName: 'byTime',
  logGroupArn: 'arn:aws:logs:ap-northeast-1:123456789012:log-group:steady:*',
};
const allowed = new Set(controllerStatements(CONFIG, SCOPE).flatMap((s) => (s.statement.toStatementJson() as { Action: string | string[] }).Action));

/** Allowed, though no `new XCommand(` in the code names them. */
const INDIRECT: Record<string, string> = {
  'logs:CreateLogStream': 'Lambda writes the function\'s logs with the role',
  'logs:PutLogEvents': 'Lambda writes the function\'s logs with the role',
  'iam:PassRole': 'ECS checks it when a task definition with roles is run or a service is created; Scheduler when a schedule names its role',
  'codedeploy:RegisterApplicationRevision': 'CreateDeployment records the revision with the application',
  'codedeploy:GetApplicationRevision': 'CreateDeployment records the revision with the application',
  'codedeploy:GetDeploymentConfig': 'CreateDeployment reads the deployment configuration it names',
  'elasticloadbalancing:AddTags': 'CreateRule with Tags needs it (tagging on creation), and only for CreateRule',
};

/** Called in the files scanned, but not by the Lambda. */
const NOT_IN_THE_LAMBDA: Record<string, string> = {
  // s3:PutObject is the Lambda's too: the status page (controller/status-page/publish.ts), in its own bucket only.
};

/** Granted by deploy/fanout.ts on the resources it makes or is given, not by the controller's policy. */
const GRANTED_BY_FAN_OUT: Record<string, string> = {
  'sts:AssumeRole': 'AssumeTargetRoles, on the targetRoleArns the deployment names',
  'sqs:SendMessageBatch': "the dispatcher sends to the work queue (queue.grantSendMessages)",
};

describe("the controller's policy", () => {
  it('allows every AWS operation the Lambda calls', () => {
    const called = actionsCalled();
    for (const action of [...Object.keys(NOT_IN_THE_LAMBDA), ...Object.keys(GRANTED_BY_FAN_OUT)]) called.delete(action);
    expect(called.size).toBeGreaterThan(20);
    const missing = [...called].filter(([action]) => !allowed.has(action)).map(([action, files]) => `${action} (${[...new Set(files)].join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('allows nothing the Lambda does not call', () => {
    const called = actionsCalled();
    const unused = [...allowed].filter((a) => !called.has(a) && !(a in INDIRECT));
    expect(unused).toEqual([]);
  });
});
