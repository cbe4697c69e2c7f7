/**
 * The CI roles in the synthesized template: who may assume them (GitHub's OIDC tokens of the
 * repository's pull requests, or of its publishing branch, with steady's audience) and what they
 * may do: the plan role exactly what real plans call (measured on the simulated account and a local
 * S3 server) and nothing else, the publisher role the spec prefix only.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../controller/testing/cli.js';
import { world } from '../controller/testing/world.js';
import { loadPublishedSpecs } from '../controller/source/index.js';
import { startSpecStore } from '../controller/source/testkit.js';
import { deployConfig } from './context.js';
import { PLAN_ACTIONS } from './policy.js';
import { SteadyStack } from './stack.js';

const ACCOUNT = '123456789012';
const REGION = 'ap-northeast-1';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

/** Every optional permission of the controller on, so that the plan role gets every read it can. */
const FULL = {
  hostedZoneIds: 'Z0123456789ABCDEFGHIJ',
  clusters: 'shop-prod,messaging-prod',
  specPrefix: 'shop-prod',
  bucketName: 'my-steady-specs',
  codeDeployGroups: 'messaging-prod/messaging-api',
  passRoleArns: `arn:aws:iam::${ACCOUNT}:role/shop-prod-api`,
  schedulerRoleArns: `arn:aws:iam::${ACCOUNT}:role/shop-prod-scheduler`,
  emailIdentity: 'example.com',
  slackWebhookParameter: '/steady/slack',
  githubRepository: 'my-org/shop-infra',
  maintenanceDistributionIds: 'E2QWRUHAPOMQZL',
  maintenanceListeners: 'shop-api-alb',
};

function synth(context: Record<string, unknown>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new SteadyStack(app, 'Steady', { config: deployConfig((key) => context[key]), env: { account: ACCOUNT, region: REGION } });
  return { stack, template: Template.fromStack(stack) };
}

type Statement = { Sid: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => ([] as string[]).concat(s.Action));

/** The role whose logical id starts with `prefix`, and every statement any policy gives it. */
function role(template: Template, prefix: string): { id: string; properties: Record<string, unknown>; statements: Statement[] } {
  const roles = template.findResources('AWS::IAM::Role');
  const ids = Object.keys(roles).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  const id = ids[0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === id));
  return { id, properties: roles[id].Properties, statements: policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]) };
}

const trust = (sub: string, federated: unknown) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: federated },
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': sub } },
    },
  ],
});

describe('the CI roles', () => {
  let full: ReturnType<typeof synth>;
  beforeAll(() => {
    full = synth(FULL);
  });

  it('come with GitHub’s OIDC provider, for steady’s audience, and the role ARNs as outputs', () => {
    full.template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    full.template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] });
    const plan = role(full.template, 'CiPlanRole');
    const publisher = role(full.template, 'CiPublisherRole');
    full.template.hasOutput('CiPlanRoleArn', { Value: { 'Fn::GetAtt': [plan.id, 'Arn'] } });
    full.template.hasOutput('CiPublisherRoleArn', { Value: { 'Fn::GetAtt': [publisher.id, 'Arn'] } });
  });

  it('trust only tokens of the repository’s pull requests (plan) and of its branch (publisher), with steady’s audience', () => {
    const provider = { Ref: Object.keys(full.template.findResources('AWS::IAM::OIDCProvider'))[0] };
    const plan = role(full.template, 'CiPlanRole');
    const publisher = role(full.template, 'CiPublisherRole');
    expect(plan.properties.AssumeRolePolicyDocument).toEqual(trust('repo:my-org/shop-infra:pull_request', provider));
    expect(publisher.properties.AssumeRolePolicyDocument).toEqual(trust('repo:my-org/shop-infra:ref:refs/heads/main', provider));
    for (const r of [plan, publisher]) {
      expect(r.properties.ManagedPolicyArns).toBeUndefined();
      expect(r.properties.Policies).toBeUndefined();
      expect(r.properties.MaxSessionDuration).toBe(3600);
    }
    const branch = synth({ ...FULL, githubBranch: 'refs/heads/release/v2' });
    expect(role(branch.template, 'CiPublisherRole').properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:my-org/shop-infra:ref:refs/heads/release/v2' } } }],
    });
  });

  it('use an existing provider when told to, and make none', () => {
    const existing = synth({ ...FULL, githubOidcProviderArn: PROVIDER });
    existing.template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(role(existing.template, 'CiPlanRole').properties.AssumeRolePolicyDocument).toEqual(trust('repo:my-org/shop-infra:pull_request', PROVIDER));
  });

  it('are not there without a repository', () => {
    const none = synth({ ...FULL, githubRepository: undefined });
    none.template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(Object.keys(none.template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('Ci'))).toEqual([]);
    expect(Object.keys(none.template.findOutputs('*')).filter((id) => id.startsWith('Ci'))).toEqual([]);
  });

  it('give the plan role the reads of a plan and nothing else: allows only, reads only, on the controller’s resources', () => {
    const { statements } = role(full.template, 'CiPlanRole');
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(new Set(actionsOf(statements))).toEqual(new Set(PLAN_ACTIONS));
    expect(actionsOf(statements).filter((a) => !/^[a-z0-9]+:(Describe|List|Get)[A-Za-z]+$/.test(a))).toEqual([]);
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    // The spec prefix only; the clusters, zones and deployment groups the deployment names.
    expect(JSON.stringify(bySid.ReadPublishedSpecs.Resource)).toContain('/shop-prod/*');
    expect(bySid.ListSpecPrefix.Condition).toEqual({ StringLike: { 's3:prefix': ['shop-prod/*'] } });
    expect(JSON.stringify(bySid.EcsListInClusters.Condition)).toMatch(/cluster\/shop-prod".*cluster\/messaging-prod"/);
    expect(JSON.stringify(bySid.EcsRead.Resource)).not.toContain('cluster/*');
    expect(JSON.stringify(bySid.Route53ReadRecords.Resource)).toContain('hostedzone/Z0123456789ABCDEFGHIJ');
    expect(JSON.stringify(bySid.CodeDeployBlueGreen.Resource)).toContain('deploymentgroup:messaging-prod/messaging-api');
  });

  it('give the publisher role the spec prefix only: read and write its objects, list it, never delete', () => {
    const { statements } = role(full.template, 'CiPublisherRole');
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      ['ReadAndPublishCommits', ['s3:GetObject', 's3:PutObject']],
      ['ListThePrefix', 's3:ListBucket'],
    ]);
    expect(JSON.stringify(statements[0].Resource)).toMatch(/"\/shop-prod\/\*"/);
    expect(statements[1].Condition).toEqual({ StringLike: { 's3:prefix': ['shop-prod/*'] } });
    expect(JSON.stringify(statements)).not.toMatch(/Delete|dynamodb|ecs:|route53:|iam:PassRole/);
  });

  it('pass cdk-nag with nothing left unacknowledged', () => {
    for (const { stack } of [full, synth({ ...FULL, githubOidcProviderArn: PROVIDER, specPrefix: '' })]) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(report.violations).toEqual([]);
      expect(report.success).toBe(true);
    }
  });
});

describe('the plan role against what plans call', () => {
  /** IAM's names for the simulated account's services and S3's operations. */
  const iamAction = (service: string, operation: string) =>
    service === 'elbv2' ? `elasticloadbalancing:${operation}` : service === 's3' ? `s3:${({ HeadObject: 'GetObject', ListObjectsV2: 'ListBucket' } as Record<string, string>)[operation] ?? operation}` : `${service}:${operation}`;

  let store: Awaited<ReturnType<typeof startSpecStore>>;
  beforeAll(async () => {
    store = await startSpecStore();
  });
  afterAll(() => store.close());

  it('allows every AWS call real plans make, and nothing they do not', async () => {
    const called = new Set<string>();
    const record = (w: Awaited<ReturnType<typeof world>>, since: number) => w.account.calls.slice(since).forEach((c) => called.add(iamAction(c.service, c.operation)));
    for (const env of ['shop-prod', 'messaging-prod']) {
      // A first plan: nothing exists yet.
      const w = await world(env);
      await w.pass({ dryRun: true, wiring: { probes: false } });
      record(w, 0);
      // A plan while a rollout and a blue/green deployment are under way (the pass stopped following them).
      await w.pass({ deadline: w.account.clock.now() + 30_000, wiring: { probes: false } });
      let since = w.account.calls.length;
      await w.pass({ dryRun: true, wiring: { probes: false } });
      record(w, since);
      // A plan of a converged environment.
      for (let i = 0; i < 3; i++) {
        w.advance(900_000);
        await w.pass({ wiring: { probes: false } });
      }
      since = w.account.calls.length;
      await w.pass({ dryRun: true, wiring: { probes: false } });
      record(w, since);
    }
    // `--from`: loading the published commit.
    const bucket = await store.bucket();
    expect((await runCli('apply', 'specs/', '--bucket', bucket, '--prefix', 'shop-prod')).code).toBe(0);
    const s3 = new S3Client({ forcePathStyle: true });
    s3.middlewareStack.add((next, context) => (args) => (called.add(iamAction('s3', String(context.commandName).replace(/Command$/, ''))), next(args)), { step: 'initialize' });
    expect((await loadPublishedSpecs({ bucket, prefix: 'shop-prod', s3 })).ok).toBe(true);
    expect(await loadPublishedSpecs({ bucket, prefix: 'nothing-here', s3 })).toMatchObject({ ok: false });

    expect([...called].filter((a) => !PLAN_ACTIONS.includes(a))).toEqual([]);
    expect(PLAN_ACTIONS.filter((a) => !called.has(a))).toEqual([]);
  });
});
