/**
 * What `steady import` does with what it cannot copy as it is: secrets written into a task
 * definition, content the spec cannot express, images by digest, services it cannot manage, a
 * migration whose command ECS no longer shows.
 */
import { CreateServiceCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type CreateServiceCommandInput, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { SimAccount } from '../sim/account.js';
import { ECS_WORLD_ELBV2, NETWORK, REGISTRY } from '../testing/ecs-world.js';
import { buildReport } from '../report/index.js';
import { beyondAdoption, roundTrip } from '../testing/import-world.js';

function account(): SimAccount {
  return new SimAccount({ seed: 4 }).seed({ ecr: { repositories: { app: [{ tags: ['v1'] }] } }, elbv2: ECS_WORLD_ELBV2, ecs: { clusters: ['c'] } });
}

async function runService(a: SimAccount, td: Partial<RegisterTaskDefinitionCommandInput>, service: Partial<CreateServiceCommandInput> = {}) {
  const ecs = a.clients().ecs;
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      containerDefinitions: [{ name: 'app', image: `${REGISTRY}/app@${a.ecr.resolve(`${REGISTRY}/app:v1`)}` }],
      ...td,
    }),
  );
  await ecs.send(new CreateServiceCommand({ cluster: 'c', serviceName: 'app', taskDefinition: out.taskDefinition!.taskDefinitionArn, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: NETWORK, ...service }));
  a.clock.advance(120_000);
}

describe('steady import: what it does not copy', () => {
  it('leaves secret-looking values out with a comment, never in the file; the plan shows exactly their removal', async () => {
    const a = account();
    const image = `${REGISTRY}/app@${a.ecr.resolve(`${REGISTRY}/app:v1`)}`;
    await runService(a, {
      containerDefinitions: [
        {
          name: 'app',
          image,
          environment: [
            { name: 'DB_PASSWORD', value: 'hunter2-literal' },
            { name: 'DATABASE_URL', value: 'postgres://app:s3cr3t-pw@db:5432/app' },
            { name: 'LOG_LEVEL', value: 'info' },
          ],
          logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'datadog', apikey: 'dd-0123456789abcdef', Host: 'http-intake.logs.datadoghq.com' } },
        },
        { name: 'log_router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', firelensConfiguration: { type: 'fluentbit' } },
      ],
    });

    const { files, result } = await roundTrip(a, { cluster: 'c' });

    const text = files['app.yaml'];
    for (const secret of ['hunter2-literal', 's3cr3t-pw', 'dd-0123456789abcdef']) expect(text).not.toContain(secret);
    expect(text).toContain('# DB_PASSWORD: not copied: its value looks like a secret.');
    expect(text).toContain('# DATABASE_URL: not copied: its value looks like a secret.');
    expect(text).toContain('# apikey: not copied: its value looks like a secret. Move it to secretOptions');
    expect(text).toContain('LOG_LEVEL: info');
    const register = result.plan!.actions.find((x) => x.kind === 'RegisterTaskDefinition')!;
    expect(register.diff.map((d) => `${d.path} ${d.after ?? '-'}`)).toEqual([
      'taskDefinition.containers[app].environment[DATABASE_URL] -',
      'taskDefinition.containers[app].environment[DB_PASSWORD] -',
      'taskDefinition.containers[app].logConfiguration.options.apikey -',
    ]);
    // The report of that plan (what is printed, sent and stored) names each removal without its value.
    const report = JSON.stringify(buildReport(result));
    expect(report).toContain('taskDefinition.containers[app].environment[DB_PASSWORD]');
    for (const secret of ['hunter2-literal', 's3cr3t-pw', 'dd-0123456789abcdef']) expect(report).not.toContain(secret);
  });

  it('names content the spec cannot express in a comment, and the plan blocks the service on it', async () => {
    const a = account();
    const image = `${REGISTRY}/app@${a.ecr.resolve(`${REGISTRY}/app:v1`)}`;
    await runService(a, { containerDefinitions: [{ name: 'app', image, futureSandbox: { mode: 'strict' } } as never] });

    const { files, result } = await roundTrip(a, { cluster: 'c' });

    expect(files['app.yaml']).toContain('# containerDefinitions[app].futureSandbox: {"mode":"strict"} is more than the spec language can say; steady blocks this resource (UnexpressibleFields) until it is gone');
    expect(result.resources.find((r) => r.resource === 'Service/app')).toMatchObject({ phase: 'Blocked', reason: 'UnexpressibleFields' });
    expect(result.plan!.actions).toEqual([]);
  });

  it('names an image by digest when no tag points at it, and by tag when one does', async () => {
    const a = account();
    const untagged = a.ecr.push('app');
    await runService(a, {
      containerDefinitions: [
        { name: 'app', image: `${REGISTRY}/app@${untagged}`, essential: true },
        { name: 'sidecar', image: `${REGISTRY}/app:v1@${a.ecr.resolve(`${REGISTRY}/app:v1`)}`, essential: false },
      ],
    });

    const { files, result } = await roundTrip(a, { cluster: 'c' });

    expect(files['app.yaml']).toContain(`image: ${REGISTRY}/app@${untagged}\n`);
    expect(files['app.yaml']).toContain('# no ECR tag points at this digest any more, so the spec names the digest');
    expect(files['app.yaml']).toContain(`image: ${REGISTRY}/app:v1\n`);
    expect(beyondAdoption(result)).toEqual([]);
  });

  it('leaves out services it cannot manage, saying why, and services sharing a family after the first', async () => {
    const a = account();
    await runService(a, {}, { loadBalancers: [{ targetGroupArn: a.elbv2.targetGroupArnOf('api-tg')!, containerName: 'app', containerPort: 8000 }] }).catch(() => undefined);
    const ecs = a.clients().ecs;
    await runService(a, { containerDefinitions: [{ name: 'app', image: 'nginx', portMappings: [{ containerPort: 8000 }] }] });
    const arn = `arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:2`;
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'c',
        serviceName: 'two-tgs',
        taskDefinition: arn,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        loadBalancers: [
          { targetGroupArn: a.elbv2.targetGroupArnOf('api-tg')!, containerName: 'app', containerPort: 8000 },
          { targetGroupArn: a.elbv2.targetGroupArnOf('api-tg')!, containerName: 'app', containerPort: 8000 },
        ],
      }),
    );
    await ecs.send(new CreateServiceCommand({ cluster: 'c', serviceName: 'app-copy', taskDefinition: arn, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: NETWORK }));

    const { skipped, docs } = await roundTrip(a, { cluster: 'c' });

    expect(docs.filter((d) => d.kind === 'Service').map((d) => d.name)).toEqual(['app']);
    expect(skipped).toEqual([
      { name: 'two-tgs', why: 'it is bound to 2 target groups and a Service spec names one; importing it would remove the others' },
      { name: 'app-copy', why: 'it runs task definition family app like service app, and a family belongs to one Service spec' },
    ]);
  });

  it('leaves out a service on an EC2 capacity provider', async () => {
    const a = new SimAccount({ seed: 4 }).seed({ ecr: { repositories: { app: [{ tags: ['v1'] }] } }, ecs: { clusters: [{ name: 'c', capacityProviders: ['FARGATE', 'my-asg'] }] } });
    await runService(a, {}, { launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'my-asg', weight: 1 }] });

    const { skipped, docs } = await roundTrip(a, { cluster: 'c' });

    expect(docs.map((d) => d.kind)).toEqual(['Environment']);
    expect(skipped).toEqual([{ name: 'app', why: 'its capacity provider my-asg runs tasks on EC2 instances, and steady manages Fargate services only' }]);
  });

  it("writes a migration whose command ECS no longer shows as a comment, and does not make its service wait for it", async () => {
    const a = account();
    await runService(a, {});
    const ecs = a.clients().ecs;
    const image = `${REGISTRY}/app@${a.ecr.resolve(`${REGISTRY}/app:v1`)}`;
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app-migrate', cpu: '256', memory: '512', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], executionRoleArn: 'arn:aws:iam::123456789012:role/exec', containerDefinitions: [{ name: 'app', image }] }));

    const { files, docs } = await roundTrip(a, { cluster: 'c', migrations: ['app-migrate'] });

    expect(docs.find((d) => d.kind === 'Migration')!.commentedOut).toMatch(/with a command override, and ECS no longer shows a task that says which command/);
    expect(files['migrate.yaml.draft']).toMatch(/^# Not imported: .*, then rename this file to migrate\.yaml\.\n# apiVersion: steady.dev\/v1alpha1\n# kind: Migration\n/m);
    expect(files['app.yaml']).not.toContain('after:');
  });

  it('takes the command of the newest task of a migration family when ECS still shows it', async () => {
    const a = account();
    await runService(a, {});
    const ecs = a.clients().ecs;
    const image = `${REGISTRY}/app@${a.ecr.resolve(`${REGISTRY}/app:v1`)}`;
    const td = (await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app-migrate', cpu: '256', memory: '512', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], executionRoleArn: 'arn:aws:iam::123456789012:role/exec', containerDefinitions: [{ name: 'app', image }] }))).taskDefinition!;
    await ecs.send(new RunTaskCommand({ cluster: 'c', taskDefinition: td.taskDefinitionArn, launchType: 'FARGATE', networkConfiguration: NETWORK, overrides: { containerOverrides: [{ name: 'app', command: ['manage', 'migrate'] }] } }));
    a.clock.advance(60_000);

    const { files, result } = await roundTrip(a, { cluster: 'c', migrations: ['app-migrate'] });

    expect(files['migrate.yaml']).toContain('  fromService: app\n  container: app\n  command:\n    - manage\n    - migrate\n');
    expect(files['app.yaml']).toContain('  after:\n    - migrate\n');
    expect(result.resources.find((r) => r.resource === 'Migration/migrate')!.phase).not.toBe('Failed');
  });
});
