import { describe, expect, it } from 'vitest';
import { deployConfig } from './context.js';

const from = (context: Record<string, unknown>) => deployConfig((key) => context[key]);

describe('deployConfig', () => {
  it('defaults to a tick every minute, no zones, no roles, and the sizes the README gives', () => {
    expect(from({})).toEqual({
      hostedZoneIds: [],
      passRoleArns: [],
      clusters: [],
      adoptServices: [],
      recordNames: [],
      regions: [],
      schedule: 'rate(1 minute)',
      passIntervalMinutes: 1,
      bucketName: undefined,
      specPrefix: '',
      tableName: undefined,
      alarmTopicArn: undefined,
      alarmEmail: undefined,
      emailIdentity: undefined,
      emailFrom: [],
      slackWebhookSecretArn: undefined,
      slackWebhookParameter: undefined,
      codeDeployGroups: [],
      ecrRepositoryArns: [],
      cloudFrontDistributionIds: [],
      schedulerRoleArns: [],
      scheduleGroups: [],
      maintenanceDistributionIds: [],
      maintenanceListeners: [],
      memorySize: 512,
      timeoutSeconds: 300,
      reservedConcurrency: 3,
      leaseTtlSeconds: 300,
      timeMarginSeconds: 60,
      environmentConcurrency: 4,
      driftAlarmPasses: 5,
      tracing: false,
      logRetentionDays: 30,
      fanOutAbove: 10,
      workerConcurrency: 10,
      targetRoleArns: [],
    });
  });

  it('takes lists as -c comma-separated strings, JSON strings or cdk.json arrays', () => {
    expect(from({ hostedZoneIds: 'Z1AAAA, /hostedzone/Z2BBBB,Z1AAAA' }).hostedZoneIds).toEqual(['Z1AAAA', 'Z2BBBB']);
    expect(from({ clusters: '["shop-prod","messaging-prod"]' }).clusters).toEqual(['shop-prod', 'messaging-prod']);
    expect(from({ regions: ['ap-northeast-1', 'us-west-2'] }).regions).toEqual(['ap-northeast-1', 'us-west-2']);
  });

  it('reads the services that may be adopted and the record names steady may change', () => {
    const config = from({ clusters: 'shop-prod', adoptServices: 'shop-prod/api', hostedZoneIds: 'Z1AAAA', recordNames: 'API.example.com., *.example.com' });

    expect(config.adoptServices).toEqual(['shop-prod/api']);
    expect(config.recordNames).toEqual(['api.example.com', '*.example.com']);
    expect(() => from({ clusters: 'shop-prod', adoptServices: 'other/api,api', recordNames: 'api.example.com' })).toThrow(
      [
        "steady's deploy context has 3 problems:",
        '  - adoptServices: "api" is not cluster/service (an ECS cluster and service name)',
        '  - adoptServices: "other/api" is not in one of the clusters steady may manage (shop-prod)',
        '  - recordNames: needs hostedZoneIds, the zones the records are in',
      ].join('\n'),
    );
  });

  it('derives the alarm period from a rate schedule and needs it for a cron schedule', () => {
    expect(from({ schedule: 'rate(5 minutes)' }).passIntervalMinutes).toBe(5);
    expect(from({ schedule: 'cron(0/10 * * * ? *)', passIntervalMinutes: '10' }).passIntervalMinutes).toBe(10);
    expect(() => from({ schedule: 'cron(0/10 * * * ? *)' })).toThrow('passIntervalMinutes: required with a cron(...) schedule, to size the alarms');
  });

  it('leaves the function unreserved with reservedConcurrency=none', () => {
    expect(from({ reservedConcurrency: 'none' }).reservedConcurrency).toBeUndefined();
    expect(from({ reservedConcurrency: '10' }).reservedConcurrency).toBe(10);
  });

  it('reads the repository, branch and OIDC provider of the CI roles, and needs the repository for the others', () => {
    expect(from({}).github).toBeUndefined();
    expect(from({ githubRepository: 'my-org/shop-infra' }).github).toEqual({ repository: 'my-org/shop-infra', branch: 'main' });
    const provider = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    expect(from({ githubRepository: 'my-org/shop-infra', githubBranch: 'refs/heads/release/v2', githubOidcProviderArn: provider }).github).toEqual({
      repository: 'my-org/shop-infra',
      branch: 'release/v2',
      oidcProviderArn: provider,
    });
    expect(() => from({ githubRepository: 'shop-infra', githubBranch: 'main' })).toThrow('githubRepository: "shop-infra" is not a GitHub repository (OWNER/REPO)');
    expect(() => from({ githubRepository: 'my-org/*' })).toThrow('githubRepository: "my-org/*" is not a GitHub repository (OWNER/REPO)');
    expect(() => from({ githubRepository: 'my-org/shop-infra', githubBranch: 'feature/*' })).toThrow('githubBranch: "feature/*" is not a branch name (main, release/v1)');
    expect(() => from({ githubBranch: 'main', githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/example.com' })).toThrow(
      [
        "steady's deploy context has 3 problems:",
        '  - githubOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/example.com" is not the ARN of the account\'s GitHub OIDC provider (arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com)',
        '  - githubBranch: needs githubRepository, the repository whose branch publishes',
        '  - githubOidcProviderArn: needs githubRepository, the repository the CI roles are for',
      ].join('\n'),
    );
  });

  it('names every problem at once', () => {
    expect(() =>
      from({
        hostedZoneIds: 'example.com',
        passRoleArns: 'shop-prod-api',
        schedule: 'every minute',
        emailFrom: 'steady@example.com',
        memorySize: '64',
        timeMarginSeconds: '200',
        logRetentionDays: '10',
      }),
    ).toThrow(
      [
        "steady's deploy context has 7 problems:",
        '  - hostedZoneIds: "example.com" is not a hosted zone id (Z0123456789ABCDEFGHIJ)',
        '  - passRoleArns: "shop-prod-api" is not an IAM role ARN',
        '  - schedule: "every minute" is not a Scheduler expression (rate(1 minute), cron(0/5 * * * ? *))',
        '  - emailFrom: needs emailIdentity, the SES identity the addresses belong to',
        '  - memorySize: "64" is not a whole number from 128 to 10240',
        '  - timeMarginSeconds: 200 leaves a pass less than half of the 300 s timeout',
        '  - logRetentionDays: 10 is not one CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)',
      ].join('\n'),
    );
  });
});
